using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Executus.Personas;

/// <summary>Reads typed values out of a YAML document, turning every problem into a file/line/field error.</summary>
/// <param name="filePath">The file, for errors.</param>
/// <param name="lineOffset">Lines before the YAML text in the file (front matter starts after a <c>---</c> line).</param>
internal sealed class YamlReader(string filePath, int lineOffset)
{
    public string FilePath { get; } = filePath;

    public PersonaLoadException Error(YamlNode? node, string? field, string problem) =>
        new(FilePath, node is null ? 1 + lineOffset : Line(node.Start), field, problem);

    public int Line(Mark mark) => (int)mark.Line + lineOffset;

    /// <summary>Parses <paramref name="text"/> into its root mapping.</summary>
    public YamlMappingNode ParseRoot(string text)
    {
        YamlStream stream = [];
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            string problem = ex.Message.StartsWith("Duplicate key", StringComparison.Ordinal)
                ? $"a field appears twice ({ex.Message})"
                : $"not valid YAML: {ex.InnerException?.Message ?? ex.Message}";
            throw new PersonaLoadException(FilePath, Line(ex.Start), null, problem, ex);
        }
        catch (InvalidOperationException ex)
        {
            // Why: YamlDotNet's parser throws this (without a position) on some unterminated flow collections.
            throw new PersonaLoadException(FilePath, null, null, $"not valid YAML (an unclosed '[' or '{{'?): {ex.Message}", ex);
        }

        if (stream.Documents.Count == 0)
        {
            throw new PersonaLoadException(FilePath, 1 + lineOffset, null, "the file holds no YAML document");
        }

        if (stream.Documents.Count > 1)
        {
            throw new PersonaLoadException(FilePath, Line(stream.Documents[1].RootNode.Start), null, "the file holds more than one YAML document; put one persona per file");
        }

        YamlNode root = stream.Documents[0].RootNode;
        return root as YamlMappingNode ?? throw Error(root, null, "the document must be a mapping of fields (name: …, instructions: …)");
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public string KeyOf(YamlNode key, string parent) =>
        key is YamlScalarNode { Value: { } name } ? name : throw Error(key, parent.Length == 0 ? null : parent, "a field name must be plain text");

    public string? String(YamlNode node, string field)
    {
        if (IsNull(node))
        {
            return null;
        }

        return node is YamlScalarNode scalar
            ? scalar.Value
            : throw Error(node, field, $"expected text, got a {Describe(node)}");
    }

    public string RequiredString(YamlNode node, string field) =>
        String(node, field) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw Error(node, field, "must not be empty");

    public int PositiveInt(YamlNode node, string field)
    {
        string text = RequiredString(node, field);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw Error(node, field, $"expected a whole number of at least 1, got '{text}'");
    }

    public long Long(YamlNode node, string field)
    {
        string text = RequiredString(node, field);
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw Error(node, field, $"expected a whole number, got '{text}'");
    }

    public float Float(YamlNode node, string field, float min, float max)
    {
        string text = RequiredString(node, field);
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
        {
            throw Error(node, field, $"expected a number, got '{text}'");
        }

        return value >= min && value <= max
            ? value
            : throw Error(node, field, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}, got {text}"));
    }

    public TimeSpan Duration(YamlNode node, string field)
    {
        string text = RequiredString(node, field);
        return DurationText.TryParse(text, out TimeSpan value) && value > TimeSpan.Zero
            ? value
            : throw Error(node, field, $"expected a positive duration such as 90s, 2m, 1h30m or 00:02:00, got '{text}'");
    }

    public List<string> StringList(YamlNode node, string field)
    {
        if (IsNull(node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Error(node, field, $"expected a list, got a {Describe(node)}");
        }

        List<string> values = [];
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            values.Add(RequiredString(sequence.Children[i], string.Create(CultureInfo.InvariantCulture, $"{field}[{i}]")));
        }

        return values;
    }

    public YamlMappingNode Mapping(YamlNode node, string field) =>
        node as YamlMappingNode ?? throw Error(node, field, $"expected a mapping of fields, got a {Describe(node)}");

    public Dictionary<string, string> StringMap(YamlNode node, string field)
    {
        Dictionary<string, string> values = new(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return values;
        }

        foreach ((YamlNode key, YamlNode value) in Mapping(node, field).Children)
        {
            string name = KeyOf(key, field);
            values[name] = value is YamlScalarNode { Value: { } text }
                ? text
                : throw Error(value, $"{field}.{name}", $"expected text, got a {Describe(value)}");
        }

        return values;
    }

    /// <summary>Converts a YAML node to JSON: plain scalars become numbers, booleans or null when they read so.</summary>
    public static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                JsonObject obj = [];
                foreach ((YamlNode key, YamlNode value) in mapping.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? string.Empty] = ToJson(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                JsonArray array = [];
                foreach (YamlNode item in sequence.Children)
                {
                    array.Add(ToJson(item));
                }

                return array;
            case YamlScalarNode scalar when scalar.Style == ScalarStyle.Plain:
                string text = scalar.Value ?? string.Empty;
                if (IsNull(scalar))
                {
                    return null;
                }

                if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
                {
                    return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
                }

                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long whole))
                {
                    return JsonValue.Create(whole);
                }

                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number)
                    ? JsonValue.Create(number)
                    : JsonValue.Create(text);
            case YamlScalarNode scalar:
                return JsonValue.Create(scalar.Value ?? string.Empty);
            default:
                return null;
        }
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "value",
    };
}
