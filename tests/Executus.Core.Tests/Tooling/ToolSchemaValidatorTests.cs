using System.Text.Json;
using Executus.Tooling;

namespace Executus.Core.Tests.Tooling;

public sealed class ToolSchemaValidatorTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "mode": { "type": "string", "enum": ["fast", "slow"] },
            "limit": { "type": ["integer", "null"] },
            "tags": { "type": "array", "items": { "type": "string" } },
            "options": {
              "type": "object",
              "properties": { "depth": { "type": "integer" } },
              "required": ["depth"],
              "additionalProperties": false
            },
            "either": { "anyOf": [ { "type": "boolean" }, { "type": "number" } ] }
          },
          "required": ["mode"],
          "additionalProperties": false
        }
        """).RootElement;

    private static List<string> Validate(string json) =>
        ToolSchemaValidator.Validate(Schema, JsonSerializer.Deserialize<Dictionary<string, object?>>(json)!);

    [Theory]
    [InlineData("""{"mode":"fast"}""")]
    [InlineData("""{"mode":"slow","limit":null,"tags":["a","b"],"options":{"depth":2},"either":true}""")]
    [InlineData("""{"mode":"slow","limit":3,"either":2.5}""")]
    [InlineData("""{"mode":"FAST","limit":"7"}""")]
    public void Valid_arguments_pass(string json) => Assert.Empty(Validate(json));

    [Theory]
    [InlineData("""{}""", "missing required argument 'mode'")]
    [InlineData("""{"mode":"medium"}""", "argument 'mode' must be one of \"fast\", \"slow\", but was \"medium\"")]
    [InlineData("""{"mode":"fast","limit":"x"}""", "argument 'limit' must be an integer or null, but was a string")]
    [InlineData("""{"mode":"fast","tags":["a",1]}""", "argument 'tags[1]' must be a string, but was the number 1")]
    [InlineData("""{"mode":"fast","options":{}}""", "argument 'options' is missing required property 'depth'")]
    [InlineData("""{"mode":"fast","options":{"depth":1,"x":2}}""", "argument 'options' has unknown property 'x'")]
    [InlineData("""{"mode":"fast","options":{"depth":"deep"}}""", "argument 'options.depth' must be an integer, but was a string")]
    [InlineData("""{"mode":"fast","either":"no"}""", "argument 'either' matches none of the allowed shapes")]
    [InlineData("""{"mode":"fast","extra":1}""", "unknown argument 'extra'")]
    public void Invalid_arguments_are_named(string json, string expected) => Assert.Equal([expected], Validate(json));

    [Fact]
    public void Missing_schema_accepts_anything() =>
        Assert.Empty(ToolSchemaValidator.Validate(default, new Dictionary<string, object?> { ["x"] = 1 }));
}
