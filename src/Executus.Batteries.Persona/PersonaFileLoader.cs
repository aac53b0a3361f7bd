using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Executus.Personas;

/// <summary>
/// Loads personas from files: YAML (<c>.yaml</c>/<c>.yml</c>, field names compatible with the Microsoft Agent
/// Framework's declarative agents where they overlap, so such a file loads) and Markdown (<c>.md</c>) with YAML front
/// matter whose body is the instructions. Every problem throws a <see cref="PersonaLoadException"/> naming the file,
/// the line and the field.
/// </summary>
/// <remarks>
/// <para>Fields: <c>kind</c> (optional, must be <c>Prompt</c>), <c>name</c> (required), <c>displayName</c> (kept in
/// metadata), <c>description</c>, <c>instructions</c>, <c>model</c> (a tier such as <c>smart</c>, a
/// <c>provider:model</c> reference, or a mapping of <c>id</c>, <c>tier</c> and <c>options</c>: <c>temperature</c>,
/// <c>topP</c>, <c>topK</c>, <c>maxOutputTokens</c>, <c>frequencyPenalty</c>, <c>presencePenalty</c>, <c>seed</c>,
/// <c>stopSequences</c>), <c>tier</c>, <c>tools</c> (names, or MAF-style <c>kind: function</c> entries whose
/// <c>name</c> is used), <c>outputSchema</c> (a JSON schema, or MAF's <c>properties</c> with per-property
/// <c>required: true</c>), and the Executus fields <c>limits</c> (<c>maxIterations</c>, <c>maxToolErrors</c>,
/// <c>timeout</c>), <c>allowedCallers</c> (<c>roles</c>, <c>scopes</c>) and <c>metadata</c>.</para>
/// <para>An unknown field is an error (a typo must not be ignored). PowerFx expressions (<c>=Env.X</c>) are not
/// evaluated: such a value is an error.</para>
/// </remarks>
public static class PersonaFileLoader
{
    private static readonly string[] s_fields =
        ["kind", "name", "displayName", "description", "instructions", "model", "tier", "tools", "outputSchema", "limits", "allowedCallers", "metadata"];

    /// <summary>
    /// Loads every persona file (<c>*.yaml</c>, <c>*.yml</c>, <c>*.md</c> except <c>README.md</c>) directly in
    /// <paramref name="directory"/>, in file-name order.
    /// </summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The personas.</returns>
    /// <exception cref="PersonaLoadException">The folder is missing, a file is malformed, or two files define one name.</exception>
    public static IReadOnlyList<Persona> LoadDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new PersonaLoadException(directory, null, null, "the persona folder does not exist");
        }

        List<Persona> personas = [];
        Dictionary<string, string> seen = new(StringComparer.OrdinalIgnoreCase);
        foreach (string file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            if (!IsPersonaFile(file))
            {
                continue;
            }

            Persona persona = LoadFile(file);
            if (seen.TryGetValue(persona.Name, out string? first))
            {
                throw new PersonaLoadException(file, null, "name", $"persona '{persona.Name}' is already defined in {first}");
            }

            seen.Add(persona.Name, file);
            personas.Add(persona);
        }

        return personas;
    }

    /// <summary>Loads one persona file; its extension picks the format (<c>.md</c> Markdown, otherwise YAML).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The persona.</returns>
    /// <exception cref="PersonaLoadException">The file is missing or malformed.</exception>
    public static Persona LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PersonaLoadException(path, null, null, $"the file cannot be read: {ex.Message}", ex);
        }

        return Path.GetExtension(path).Equals(".md", StringComparison.OrdinalIgnoreCase)
            ? ParseMarkdown(text, path)
            : ParseYaml(text, path);
    }

    /// <summary>Parses a YAML persona.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="filePath">The file name to name in errors and to keep as <see cref="Persona.SourcePath"/>.</param>
    /// <returns>The persona.</returns>
    /// <exception cref="PersonaLoadException">The text is malformed.</exception>
    public static Persona ParseYaml(string yaml, string filePath)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        YamlReader reader = new(filePath, 0);
        return Build(reader, reader.ParseRoot(yaml), body: null);
    }

    /// <summary>Parses a Markdown persona: YAML front matter between <c>---</c> lines, then the instructions.</summary>
    /// <param name="markdown">The Markdown text.</param>
    /// <param name="filePath">The file name to name in errors and to keep as <see cref="Persona.SourcePath"/>.</param>
    /// <returns>The persona.</returns>
    /// <exception cref="PersonaLoadException">The text is malformed.</exception>
    public static Persona ParseMarkdown(string markdown, string filePath)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        string[] lines = markdown.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd() != "---")
        {
            throw new PersonaLoadException(filePath, 1, null, "a Markdown persona must start with YAML front matter: a '---' line, the fields, and a closing '---' line");
        }

        int close = Array.FindIndex(lines, 1, l => l.TrimEnd() == "---");
        if (close < 0)
        {
            throw new PersonaLoadException(filePath, 1, null, "the front matter is not closed: add a '---' line after the fields");
        }

        string frontMatter = string.Join('\n', lines[1..close]);
        string body = string.Join('\n', lines[(close + 1)..]).Trim();
        YamlReader reader = new(filePath, 1);
        YamlMappingNode root = string.IsNullOrWhiteSpace(frontMatter)
            ? throw new PersonaLoadException(filePath, 2, "name", "the front matter is empty; it needs at least 'name'")
            : reader.ParseRoot(frontMatter);
        return Build(reader, root, body.Length == 0 ? null : body);
    }

    private static bool IsPersonaFile(string file)
    {
        string extension = Path.GetExtension(file);
        return extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) ||
               extension.Equals(".yml", StringComparison.OrdinalIgnoreCase) ||
               (extension.Equals(".md", StringComparison.OrdinalIgnoreCase) &&
                !Path.GetFileName(file).Equals("README.md", StringComparison.OrdinalIgnoreCase));
    }

    private static Persona Build(YamlReader reader, YamlMappingNode root, string? body)
    {
        string? name = null;
        YamlNode? instructionsNode = null;
        string? description = null, instructions = null, tier = null, model = null;
        List<string> tools = [], roles = [], scopes = [];
        int? maxIterations = null, maxToolErrors = null;
        TimeSpan? timeout = null;
        PersonaModelOptions? options = null;
        JsonElement? outputSchema = null;
        Dictionary<string, string> metadata = new(StringComparer.Ordinal);
        string? displayName = null;

        foreach ((YamlNode keyNode, YamlNode value) in root.Children)
        {
            string key = reader.KeyOf(keyNode, string.Empty);
            switch (key)
            {
                case "kind":
                    string kind = reader.RequiredString(value, key);
                    if (!kind.Equals("Prompt", StringComparison.OrdinalIgnoreCase))
                    {
                        throw reader.Error(value, key, $"kind '{kind}' is not supported; a persona is 'kind: Prompt'");
                    }

                    break;
                case "name":
                    name = reader.RequiredString(value, key);
                    if (!Persona.IsValidName(name))
                    {
                        throw reader.Error(value, key, $"'{name}' is not a valid name: use 1-{Persona.MaxNameLength} letters, digits, '_', '-' or '.', starting with a letter or digit");
                    }

                    break;
                case "displayName":
                    displayName = reader.String(value, key);
                    break;
                case "description":
                    description = reader.String(value, key);
                    break;
                case "instructions":
                    instructions = reader.String(value, key);
                    instructionsNode = value;
                    break;
                case "tier":
                    tier = reader.RequiredString(value, key);
                    break;
                case "model":
                    ReadModel(reader, value, ref tier, ref model, ref options);
                    break;
                case "tools":
                    tools = ReadTools(reader, value);
                    break;
                case "outputSchema":
                    outputSchema = ReadOutputSchema(reader, value);
                    break;
                case "limits":
                    foreach ((YamlNode limitKey, YamlNode limit) in reader.Mapping(value, key).Children)
                    {
                        string field = $"limits.{reader.KeyOf(limitKey, key)}";
                        switch (field)
                        {
                            case "limits.maxIterations": maxIterations = reader.PositiveInt(limit, field); break;
                            case "limits.maxToolErrors": maxToolErrors = reader.PositiveInt(limit, field); break;
                            case "limits.timeout": timeout = reader.Duration(limit, field); break;
                            default: throw Unknown(reader, limitKey, field, "maxIterations, maxToolErrors, timeout");
                        }
                    }

                    break;
                case "allowedCallers":
                    foreach ((YamlNode callerKey, YamlNode list) in reader.Mapping(value, key).Children)
                    {
                        string field = $"allowedCallers.{reader.KeyOf(callerKey, key)}";
                        switch (field)
                        {
                            case "allowedCallers.roles": roles = reader.StringList(list, field); break;
                            case "allowedCallers.scopes": scopes = reader.StringList(list, field); break;
                            default: throw Unknown(reader, callerKey, field, "roles, scopes");
                        }
                    }

                    break;
                case "metadata":
                    foreach ((string k, string v) in reader.StringMap(value, key))
                    {
                        metadata[k] = v;
                    }

                    break;
                default:
                    throw Unknown(reader, keyNode, key, string.Join(", ", s_fields));
            }
        }

        if (name is null)
        {
            throw reader.Error(root, "name", "is required");
        }

        if (body is not null)
        {
            if (instructionsNode is not null && instructions is not null)
            {
                throw reader.Error(instructionsNode, "instructions", "is given both in the front matter and as the Markdown body; keep one");
            }

            instructions = body;
        }

        if (displayName is not null)
        {
            metadata.TryAdd("displayName", displayName);
        }

        return new Persona(name)
        {
            Description = description,
            Instructions = instructions,
            Tier = tier,
            Model = model,
            Tools = tools,
            MaxIterations = maxIterations,
            MaxConsecutiveToolErrors = maxToolErrors,
            Timeout = timeout,
            ModelOptions = options,
            OutputSchema = outputSchema,
            AllowedRoles = roles,
            AllowedScopes = scopes,
            Metadata = metadata,
            SourcePath = reader.FilePath,
        };
    }

    private static void ReadModel(YamlReader reader, YamlNode value, ref string? tier, ref string? model, ref PersonaModelOptions? options)
    {
        if (value is YamlScalarNode)
        {
            string text = NotExpression(reader, value, "model", reader.RequiredString(value, "model"));
            if (text.Contains(':', StringComparison.Ordinal))
            {
                model = text;
            }
            else
            {
                tier = text;
            }

            return;
        }

        foreach ((YamlNode keyNode, YamlNode child) in reader.Mapping(value, "model").Children)
        {
            string field = $"model.{reader.KeyOf(keyNode, "model")}";
            switch (field)
            {
                case "model.id":
                    model = NotExpression(reader, child, field, reader.RequiredString(child, field));
                    break;
                case "model.tier":
                    tier = reader.RequiredString(child, field);
                    break;
                case "model.options":
                    options = ReadOptions(reader, child);
                    break;
                default:
                    throw Unknown(reader, keyNode, field, "id, tier, options");
            }
        }
    }

    private static PersonaModelOptions ReadOptions(YamlReader reader, YamlNode value)
    {
        PersonaModelOptions options = new();
        foreach ((YamlNode keyNode, YamlNode child) in reader.Mapping(value, "model.options").Children)
        {
            string field = $"model.options.{reader.KeyOf(keyNode, "model.options")}";
            options = field switch
            {
                "model.options.temperature" => options with { Temperature = reader.Float(child, field, 0, 2) },
                "model.options.topP" => options with { TopP = reader.Float(child, field, 0, 1) },
                "model.options.topK" => options with { TopK = reader.PositiveInt(child, field) },
                "model.options.maxOutputTokens" => options with { MaxOutputTokens = reader.PositiveInt(child, field) },
                "model.options.frequencyPenalty" => options with { FrequencyPenalty = reader.Float(child, field, -2, 2) },
                "model.options.presencePenalty" => options with { PresencePenalty = reader.Float(child, field, -2, 2) },
                "model.options.seed" => options with { Seed = reader.Long(child, field) },
                "model.options.stopSequences" => options with { StopSequences = reader.StringList(child, field) },
                _ => throw Unknown(reader, keyNode, field, "temperature, topP, topK, maxOutputTokens, frequencyPenalty, presencePenalty, seed, stopSequences"),
            };
        }

        return options;
    }

    private static List<string> ReadTools(YamlReader reader, YamlNode value)
    {
        if (YamlReader.IsNull(value))
        {
            return [];
        }

        if (value is not YamlSequenceNode sequence)
        {
            throw reader.Error(value, "tools", $"expected a list of tool names, got a {YamlReader.Describe(value)}");
        }

        List<string> tools = [];
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            YamlNode item = sequence.Children[i];
            string field = string.Create(CultureInfo.InvariantCulture, $"tools[{i}]");
            string? name = null;
            if (item is YamlMappingNode entry)
            {
                foreach ((YamlNode keyNode, YamlNode child) in entry.Children)
                {
                    string key = reader.KeyOf(keyNode, field);
                    switch (key)
                    {
                        case "name":
                            name = reader.RequiredString(child, $"{field}.name");
                            break;
                        case "kind":
                            string kind = reader.RequiredString(child, $"{field}.kind");
                            if (!kind.Equals("function", StringComparison.OrdinalIgnoreCase))
                            {
                                throw reader.Error(child, $"{field}.kind", $"tool kind '{kind}' is not supported; a persona names registry tools ('kind: function' or a plain name)");
                            }

                            break;
                        case "description" or "parameters":
                            // Why: MAF function tools describe themselves here; the registry's tool is the truth.
                            break;
                        default:
                            throw Unknown(reader, keyNode, $"{field}.{key}", "name, kind, description, parameters");
                    }
                }

                if (name is null)
                {
                    throw reader.Error(item, $"{field}.name", "is required");
                }
            }
            else
            {
                name = reader.RequiredString(item, field);
            }

            if (tools.Contains(name, StringComparer.Ordinal))
            {
                throw reader.Error(item, field, $"tool '{name}' is listed twice");
            }

            tools.Add(name);
        }

        return tools;
    }

    private static JsonElement ReadOutputSchema(YamlReader reader, YamlNode value)
    {
        YamlMappingNode mapping = reader.Mapping(value, "outputSchema");
        if (YamlReader.ToJson(mapping) is not JsonObject schema || (schema["type"] is null && schema["properties"] is null && schema["$ref"] is null))
        {
            throw reader.Error(value, "outputSchema", "expected a JSON schema (with 'type') or MAF-style 'properties'");
        }

        if (schema["properties"] is { } properties && properties is not JsonObject)
        {
            throw reader.Error(value, "outputSchema.properties", "expected a mapping of property names to their schemas");
        }

        Normalize(schema);
        return JsonSerializer.SerializeToElement(schema, PersonaJsonContext.Default.JsonObject);
    }

    // Why: MAF writes "required: true" on each property; JSON schema wants a "required" list on the object.
    private static void Normalize(JsonObject schema)
    {
        if (schema["properties"] is JsonObject properties)
        {
            schema["type"] ??= "object";
            List<string> required = [];
            foreach ((string name, JsonNode? property) in properties)
            {
                if (property is not JsonObject child)
                {
                    continue;
                }

                if (child["required"] is JsonValue flag && flag.TryGetValue(out bool isRequired))
                {
                    child.Remove("required");
                    if (isRequired)
                    {
                        required.Add(name);
                    }
                }

                Normalize(child);
            }

            if (required.Count > 0 && schema["required"] is null)
            {
                schema["required"] = new JsonArray([.. required.Select(r => JsonValue.Create(r))]);
            }
        }

        if (schema["items"] is JsonObject items)
        {
            Normalize(items);
        }
    }

    private static string NotExpression(YamlReader reader, YamlNode node, string field, string text) =>
        text.StartsWith('=')
            ? throw reader.Error(node, field, $"'{text}' is an expression; expressions are not evaluated, write the value (a tier or provider:model)")
            : text;

    private static PersonaLoadException Unknown(YamlReader reader, YamlNode keyNode, string field, string known) =>
        reader.Error(keyNode, field, $"unknown field (known here: {known})");
}
