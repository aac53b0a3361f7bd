using System.Globalization;
using System.Text.Json;

namespace Executus.Tooling;

/// <summary>
/// A small JSON-schema check of call arguments against <see cref="Microsoft.Extensions.AI.AIFunctionDeclaration.JsonSchema"/>:
/// <c>type</c> (including type arrays), <c>enum</c>/<c>const</c>, <c>required</c>, <c>properties</c>,
/// <c>additionalProperties: false</c>, <c>items</c>, <c>anyOf</c>/<c>oneOf</c>. Enough to give a model a precise error
/// for the mistakes models make; not a full validator. Numbers written as strings are accepted where a number is
/// expected and string enum values match case-insensitively, matching M.E.AI's lenient argument marshalling.
/// </summary>
internal static class ToolSchemaValidator
{
    private const int MaxDepth = 32;
    private const int MaxErrors = 10;

    /// <summary>Validates <paramref name="arguments"/> against the function schema <paramref name="schema"/>.</summary>
    /// <param name="schema">The function's JSON schema (an object schema), or an undefined element.</param>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The errors; empty when valid.</returns>
    public static List<string> Validate(JsonElement schema, IReadOnlyDictionary<string, object?> arguments) =>
        [.. Check(ToolSchemaPlan.Create(schema), arguments as Dictionary<string, object?> ?? new Dictionary<string, object?>(arguments, StringComparer.Ordinal))];

    /// <summary>Validates <paramref name="arguments"/> against a tool's cached <paramref name="plan"/>.</summary>
    /// <param name="plan">The tool's schema plan.</param>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The errors; empty when valid (no allocation on the valid path).</returns>
    public static IReadOnlyList<string> Check(ToolSchemaPlan plan, Dictionary<string, object?> arguments)
    {
        if (!plan.IsObject)
        {
            return [];
        }

        List<string>? errors = null;
        foreach (string name in plan.Required)
        {
            if (!arguments.ContainsKey(name))
            {
                (errors ??= []).Add($"missing required argument '{name}'");
            }
        }

        foreach (KeyValuePair<string, object?> argument in arguments)
        {
            if (plan.Properties.TryGetValue(argument.Key, out ToolSchemaPlan.PropertyPlan property))
            {
                if (property.SimpleType is null || !MatchesSimpleType(argument.Value, property.SimpleType))
                {
                    ValidateValue(ToolArguments.ToJsonElement(argument.Value), property.Schema, argument.Key, errors ??= [], 0);
                }
            }
            else if (plan.Closed)
            {
                (errors ??= []).Add($"unknown argument '{ToolText.Echo(argument.Key)}'");
            }

            if (errors?.Count >= MaxErrors)
            {
                break;
            }
        }

        return errors is { Count: > 0 } ? errors : [];
    }

    // Why: the common case — a value that plainly has the property's only constraint, its type — is decided without
    // serialising CLR values or walking the schema; anything else takes the full path with its precise messages.
    private static bool MatchesSimpleType(object? value, string type) => value switch
    {
        JsonElement element => type switch
        {
            "string" => element.ValueKind == JsonValueKind.String,
            "boolean" => element.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "number" => element.ValueKind == JsonValueKind.Number,
            "integer" => element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out _),
            _ => false,
        },
        string => type == "string",
        bool => type == "boolean",
        int or long or short or byte or sbyte or uint or ulong or ushort => type is "integer" or "number",
        double or float or decimal => type == "number",
        _ => false,
    };

    private static void ValidateValue(JsonElement value, JsonElement schema, string path, List<string> errors, int depth)
    {
        if (depth > MaxDepth || errors.Count >= MaxErrors)
        {
            return;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            errors.Add($"argument '{path}' is not allowed");
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("type", out JsonElement type) && !MatchesType(value, type))
        {
            errors.Add($"argument '{path}' must be {DescribeType(type)}, but was {Describe(value)}");
            return;
        }

        if (schema.TryGetProperty("enum", out JsonElement options) && options.ValueKind == JsonValueKind.Array &&
            !options.EnumerateArray().Any(o => EnumMatches(o, value)))
        {
            errors.Add($"argument '{path}' must be one of {ToolText.Echo(string.Join(", ", options.EnumerateArray().Select(o => o.GetRawText())), ToolText.MaxMessage)}, but was {ToolText.Echo(value.GetRawText())}");
            return;
        }

        if (schema.TryGetProperty("const", out JsonElement constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"argument '{path}' must be {constant.GetRawText()}");
            return;
        }

        foreach (string combinator in (ReadOnlySpan<string>)["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(combinator, out JsonElement alternatives) && alternatives.ValueKind == JsonValueKind.Array &&
                !alternatives.EnumerateArray().Any(alternative => IsValid(value, alternative, path, depth)))
            {
                errors.Add($"argument '{path}' matches none of the allowed shapes");
                return;
            }
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            ValidateObject(value, schema, path, errors, depth);
        }
        else if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out JsonElement items))
        {
            int index = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                ValidateValue(item, items, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]"), errors, depth + 1);
            }
        }
    }

    private static void ValidateObject(JsonElement value, JsonElement schema, string path, List<string> errors, int depth)
    {
        if (schema.TryGetProperty("required", out JsonElement required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !value.TryGetProperty(name.GetString()!, out _))
                {
                    errors.Add($"argument '{path}' is missing required property '{name.GetString()}'");
                }
            }
        }

        bool hasProperties = schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object;
        bool closed = schema.TryGetProperty("additionalProperties", out JsonElement additional) && additional.ValueKind == JsonValueKind.False;
        foreach (JsonProperty property in value.EnumerateObject())
        {
            if (hasProperties && properties.TryGetProperty(property.Name, out JsonElement propertySchema))
            {
                ValidateValue(property.Value, propertySchema, $"{path}.{property.Name}", errors, depth + 1);
            }
            else if (closed)
            {
                errors.Add($"argument '{path}' has unknown property '{ToolText.Echo(property.Name)}'");
            }
        }
    }

    // Why: System.Text.Json reads enum names case-insensitively, so M.E.AI would accept "FAST" for "fast"; do the same.
    private static bool EnumMatches(JsonElement option, JsonElement value) =>
        option.ValueKind == JsonValueKind.String && value.ValueKind == JsonValueKind.String
            ? string.Equals(option.GetString(), value.GetString(), StringComparison.OrdinalIgnoreCase)
            : JsonElement.DeepEquals(option, value);

    private static bool IsValid(JsonElement value, JsonElement schema, string path, int depth)
    {
        List<string> scratch = [];
        ValidateValue(value, schema, path, scratch, depth + 1);
        return scratch.Count == 0;
    }

    private static bool MatchesType(JsonElement value, JsonElement type)
    {
        if (type.ValueKind == JsonValueKind.String)
        {
            return MatchesType(value, type.GetString());
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement each in type.EnumerateArray())
            {
                if (each.ValueKind == JsonValueKind.String && MatchesType(value, each.GetString()))
                {
                    return true;
                }
            }

            return false;
        }

        return true;
    }

    private static bool MatchesType(JsonElement value, string? type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number ? IsIntegral(value) : IsNumericString(value, integral: true),
        "number" => value.ValueKind == JsonValueKind.Number || IsNumericString(value, integral: false),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined,
        _ => true,
    };

    private static bool IsIntegral(JsonElement value) =>
        value.TryGetInt64(out _) || (value.TryGetDouble(out double d) && double.IsFinite(d) && Math.Floor(d) == d);

    private static bool IsNumericString(JsonElement value, bool integral)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        string? text = value.GetString();
        return integral
            ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d);
    }

    private static string DescribeType(JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? string.Join(" or ", type.EnumerateArray().Select(t => Article(t.GetString())))
        : Article(type.GetString());

    private static string Article(string? type) => type switch
    {
        "integer" => "an integer",
        "array" => "an array",
        "object" => "an object",
        "null" => "null",
        _ => $"a {type}",
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {ToolText.Echo(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
