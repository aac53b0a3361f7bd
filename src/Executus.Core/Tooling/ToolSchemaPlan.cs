using System.Text.Json;

namespace Executus.Tooling;

/// <summary>
/// A tool's function schema read once: required names, whether unknown arguments are refused, and per property its
/// schema plus, for a property whose schema says nothing but a single type, that type (checked without a JSON walk).
/// </summary>
internal sealed class ToolSchemaPlan
{
    private static readonly HashSet<string> s_annotationKeys = new(StringComparer.Ordinal) { "type", "description", "title", "default" };

    private ToolSchemaPlan(JsonElement schema)
    {
        Schema = schema;
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        IsObject = true;
        if (schema.TryGetProperty("required", out JsonElement required) && required.ValueKind == JsonValueKind.Array)
        {
            Required = [.. required.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!)];
        }

        Closed = schema.TryGetProperty("additionalProperties", out JsonElement additional) && additional.ValueKind == JsonValueKind.False;
        if (schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                Properties[property.Name] = new PropertyPlan(property.Value, SimpleTypeOf(property.Value));
            }
        }
    }

    public JsonElement Schema { get; }

    public bool IsObject { get; }

    public string[] Required { get; } = [];

    public bool Closed { get; }

    public Dictionary<string, PropertyPlan> Properties { get; } = new(StringComparer.Ordinal);

    public static ToolSchemaPlan Create(JsonElement schema) => new(schema);

    private static string? SimpleTypeOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object ||
            !schema.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        foreach (JsonProperty property in schema.EnumerateObject())
        {
            if (!s_annotationKeys.Contains(property.Name))
            {
                return null;
            }
        }

        return type.GetString();
    }

    /// <summary>One property of the plan.</summary>
    /// <param name="Schema">The property's schema.</param>
    /// <param name="SimpleType">Its JSON type when the schema is nothing but a type (plus annotations), else null.</param>
    internal readonly record struct PropertyPlan(JsonElement Schema, string? SimpleType);
}
