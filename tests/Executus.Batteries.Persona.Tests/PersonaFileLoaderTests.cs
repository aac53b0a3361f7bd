using System.Text.Json;
using Executus.Personas;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Personas.Tests;

public sealed class PersonaFileLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("personas-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string FullYaml = """
        kind: Prompt
        name: researcher
        displayName: The Researcher
        description: Finds facts on the web
        instructions: |
          You research questions.
          Cite every source.
        model:
          id: openai:gpt-4.1
          tier: smart
          options:
            temperature: 0.2
            topP: 0.9
            topK: 40
            maxOutputTokens: 1200
            frequencyPenalty: 0.5
            presencePenalty: -0.5
            seed: 42
            stopSequences: [END]
        tools:
          - web_fetch
          - kind: function
            name: current_time
            description: The time, described MAF-style (the registry's own description wins).
        limits:
          maxIterations: 6
          maxToolErrors: 2
          timeout: 2m30s
        allowedCallers:
          roles: [staff, admin]
          scopes: [research]
        metadata:
          owner: ops
        """;

    [Fact]
    public void A_full_yaml_persona_loads_every_field()
    {
        Persona persona = PersonaFileLoader.ParseYaml(FullYaml, "researcher.yaml");

        Assert.Equal("researcher", persona.Name);
        Assert.Equal("Finds facts on the web", persona.Description);
        Assert.Equal("You research questions.\nCite every source.\n", persona.Instructions);
        Assert.Equal("openai:gpt-4.1", persona.Model);
        Assert.Equal("smart", persona.Tier);
        Assert.Equal(["web_fetch", "current_time"], persona.Tools);
        Assert.Equal(6, persona.MaxIterations);
        Assert.Equal(2, persona.MaxConsecutiveToolErrors);
        Assert.Equal(TimeSpan.FromSeconds(150), persona.Timeout);
        Assert.Equal(
            new PersonaModelOptions
            {
                Temperature = 0.2f, TopP = 0.9f, TopK = 40, MaxOutputTokens = 1200, FrequencyPenalty = 0.5f, PresencePenalty = -0.5f, Seed = 42,
                StopSequences = persona.ModelOptions!.StopSequences,
            },
            persona.ModelOptions);
        Assert.Equal(["END"], persona.ModelOptions.StopSequences);
        Assert.Equal(["staff", "admin"], persona.AllowedRoles);
        Assert.Equal(["research"], persona.AllowedScopes);
        Assert.Equal("ops", persona.Metadata["owner"]);
        Assert.Equal("The Researcher", persona.Metadata["displayName"]);
        Assert.Equal("researcher.yaml", persona.SourcePath);
        Assert.Null(persona.OutputSchema);
    }

    // A Microsoft Agent Framework declarative agent, written for this test in MAF's documented shape.
    private const string MafDeclarativeYaml = """
        kind: Prompt
        name: Assistant
        description: Helpful assistant
        instructions: You are a helpful assistant. You answer questions in the language specified by the user. You return your answers in a JSON format.
        model:
          options:
            temperature: 0.9
            topP: 0.95
        outputSchema:
          properties:
            language:
              type: string
              required: true
              description: The language of the answer.
            answer:
              type: string
              required: true
              description: The answer text.
            confidence:
              type: number
              required: false
              description: How sure the assistant is.
        """;

    [Fact]
    public void A_MAF_declarative_agent_yaml_loads_and_becomes_a_structured_output_agent()
    {
        Persona persona = PersonaFileLoader.ParseYaml(MafDeclarativeYaml, "assistant.yaml");

        Assert.Equal("Assistant", persona.Name);
        Assert.Equal("Helpful assistant", persona.Description);
        Assert.StartsWith("You are a helpful assistant.", persona.Instructions, StringComparison.Ordinal);
        Assert.Equal(0.9f, persona.ModelOptions?.Temperature);
        Assert.Equal(0.95f, persona.ModelOptions?.TopP);
        JsonElement schema = persona.OutputSchema!.Value;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal(["language", "answer"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        JsonElement language = schema.GetProperty("properties").GetProperty("language");
        Assert.Equal("string", language.GetProperty("type").GetString());
        Assert.False(language.TryGetProperty("required", out _), "MAF's per-property 'required' moves to the object's list");
        Assert.Equal("number", schema.GetProperty("properties").GetProperty("confidence").GetProperty("type").GetString());

        RunnableAgent agent = persona.ToRunnable();
        ChatResponseFormatJson format = Assert.IsType<ChatResponseFormatJson>(agent.ResponseFormat);
        Assert.Equal("Assistant", format.SchemaName);
        Assert.Equal(schema.GetRawText(), format.Schema?.GetRawText());
        Assert.Equal(0.9f, agent.ChatOptions?.Temperature);
        Assert.Equal(0.95f, agent.ChatOptions?.TopP);
    }

    [Fact]
    public void A_json_schema_output_schema_is_kept_as_is()
    {
        Persona persona = PersonaFileLoader.ParseYaml("""
            name: typed
            outputSchema:
              type: object
              properties:
                n: { type: integer }
              required: [n]
              additionalProperties: false
            """, "typed.yaml");

        Assert.Equal("""{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"],"additionalProperties":false}""", persona.OutputSchema?.GetRawText());
    }

    [Fact]
    public void A_markdown_persona_takes_its_instructions_from_the_body()
    {
        Persona persona = PersonaFileLoader.ParseMarkdown("""
            ---
            name: greeter
            description: Says hello
            model: fast
            tools: [current_time]
            ---

            # Greeter

            Greet the user by name.
            """, "greeter.md");

        Assert.Equal("greeter", persona.Name);
        Assert.Equal("fast", persona.Tier);
        Assert.Null(persona.Model);
        Assert.Equal("# Greeter\n\nGreet the user by name.", persona.Instructions);
        Assert.Equal(["current_time"], persona.Tools);
    }

    [Fact]
    public void A_model_string_with_a_colon_is_a_model_reference()
    {
        Persona persona = PersonaFileLoader.ParseYaml("name: a\nmodel: ollama:qwen3", "a.yaml");
        Assert.Equal("ollama:qwen3", persona.Model);
        Assert.Null(persona.Tier);
    }

    [Theory]
    [InlineData("description: x", 1, "name", "is required")]
    [InlineData("name: 'bad name!'", 1, "name", "is not a valid name")]
    [InlineData("name: [a]", 1, "name", "expected text, got a list")]
    [InlineData("name: ''", 1, "name", "must not be empty")]
    [InlineData("name: a\ntemprature: 1", 2, "temprature", "unknown field")]
    [InlineData("kind: Workflow\nname: a", 1, "kind", "kind 'Workflow' is not supported")]
    [InlineData("name: a\ndescription:\n  x: y", 3, "description", "expected text, got a mapping")]
    [InlineData("name: a\ninstructions: [a, b]", 2, "instructions", "expected text, got a list")]
    [InlineData("name: a\nmodel:\n  options:\n    temperature: hot", 4, "model.options.temperature", "expected a number, got 'hot'")]
    [InlineData("name: a\nmodel:\n  options:\n    temperature: 3", 4, "model.options.temperature", "must be between 0 and 2")]
    [InlineData("name: a\nmodel:\n  options:\n    topP: 1.5", 4, "model.options.topP", "must be between 0 and 1")]
    [InlineData("name: a\nmodel:\n  options:\n    maxOutputTokens: 0", 4, "model.options.maxOutputTokens", "at least 1")]
    [InlineData("name: a\nmodel:\n  options:\n    seed: x", 4, "model.options.seed", "expected a whole number")]
    [InlineData("name: a\nmodel:\n  options:\n    temp: 1", 4, "model.options.temp", "unknown field")]
    [InlineData("name: a\nmodel:\n  options: 5", 3, "model.options", "expected a mapping")]
    [InlineData("name: a\nmodel:\n  id: =Env.MODEL", 3, "model.id", "expressions are not evaluated")]
    [InlineData("name: a\nmodel:\n  deployment: x", 3, "model.deployment", "unknown field")]
    [InlineData("name: a\nmodel: [x]", 2, "model", "expected a mapping")]
    [InlineData("name: a\ntools: web_fetch", 2, "tools", "expected a list of tool names")]
    [InlineData("name: a\ntools: [a, a]", 2, "tools[1]", "listed twice")]
    [InlineData("name: a\ntools:\n  - kind: function\n    description: x", 3, "tools[0].name", "is required")]
    [InlineData("name: a\ntools:\n  - kind: mcp\n    name: x", 3, "tools[0].kind", "tool kind 'mcp' is not supported")]
    [InlineData("name: a\ntools:\n  - name: x\n    server: y", 4, "tools[0].server", "unknown field")]
    [InlineData("name: a\nlimits:\n  maxIterations: -1", 3, "limits.maxIterations", "at least 1")]
    [InlineData("name: a\nlimits:\n  maxToolErrors: many", 3, "limits.maxToolErrors", "at least 1")]
    [InlineData("name: a\nlimits:\n  timeout: forever", 3, "limits.timeout", "positive duration")]
    [InlineData("name: a\nlimits:\n  timeout: 0s", 3, "limits.timeout", "positive duration")]
    [InlineData("name: a\nlimits:\n  retries: 3", 3, "limits.retries", "unknown field")]
    [InlineData("name: a\nlimits: 3", 2, "limits", "expected a mapping")]
    [InlineData("name: a\nallowedCallers:\n  roles: admin", 3, "allowedCallers.roles", "expected a list")]
    [InlineData("name: a\nallowedCallers:\n  groups: [x]", 3, "allowedCallers.groups", "unknown field")]
    [InlineData("name: a\nmetadata:\n  a:\n    b: c", 4, "metadata.a", "expected text, got a mapping")]
    [InlineData("name: a\nmetadata: [x]", 2, "metadata", "expected a mapping")]
    [InlineData("name: a\noutputSchema: text", 2, "outputSchema", "expected a mapping")]
    [InlineData("name: a\noutputSchema:\n  description: x", 3, "outputSchema", "expected a JSON schema")]
    [InlineData("name: a\noutputSchema:\n  properties: [x]", 3, "outputSchema.properties", "expected a mapping of property names")]
    [InlineData("name: a\nname: b", 2, null, "a field appears twice")]
    [InlineData("- a\n- b", 1, null, "must be a mapping of fields")]
    [InlineData("", 1, null, "holds no YAML document")]
    public void Every_malformed_field_names_the_file_the_line_and_the_field(string yaml, int line, string? field, string problem)
    {
        PersonaLoadException ex = Assert.Throws<PersonaLoadException>(() => PersonaFileLoader.ParseYaml(yaml, "personas/bad.yaml"));

        Assert.Equal("personas/bad.yaml", ex.FilePath);
        Assert.Equal(line, ex.Line);
        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        string place = $"personas/bad.yaml:{line}: ";
        Assert.StartsWith(field is null ? place : $"{place}field '{field}': ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_yaml_syntax_names_the_file_and_the_line()
    {
        PersonaLoadException ex = Assert.Throws<PersonaLoadException>(() => PersonaFileLoader.ParseYaml("name: a\ndescription: 'unterminated\n", "bad.yaml"));

        Assert.Equal("bad.yaml", ex.FilePath);
        Assert.NotNull(ex.Line);
        Assert.Contains("not valid YAML", ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_flow_list_is_a_typed_error_too()
    {
        PersonaLoadException ex = Assert.Throws<PersonaLoadException>(() => PersonaFileLoader.ParseYaml("name: a\ntools: [web_fetch\ndescription: x", "bad.yaml"));

        Assert.Equal("bad.yaml", ex.FilePath);
        Assert.Contains("not valid YAML", ex.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: a\n---\nbody", 1, null, "must start with YAML front matter")]
    [InlineData("---\nname: a\nbody", 1, null, "front matter is not closed")]
    [InlineData("---\n---\nbody", 2, "name", "front matter is empty")]
    [InlineData("---\nname: a\nmodel:\n  options:\n    temperature: hot\n---\nbody", 5, "model.options.temperature", "expected a number")]
    [InlineData("---\nname: a\ninstructions: twice\n---\nbody", 3, "instructions", "both in the front matter and as the Markdown body")]
    public void Markdown_errors_count_lines_from_the_top_of_the_file(string markdown, int line, string? field, string problem)
    {
        PersonaLoadException ex = Assert.Throws<PersonaLoadException>(() => PersonaFileLoader.ParseMarkdown(markdown, "p.md"));

        Assert.Equal(line, ex.Line);
        Assert.Equal(field, ex.Field);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_loads_yaml_yml_and_markdown_in_file_order_and_skips_other_files()
    {
        File.WriteAllText(Path.Combine(_dir, "b.yml"), "name: beta");
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), "name: alpha");
        File.WriteAllText(Path.Combine(_dir, "c.md"), "---\nname: gamma\n---\nHi.");
        File.WriteAllText(Path.Combine(_dir, "README.md"), "# Not a persona");
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "ignored");

        IReadOnlyList<Persona> personas = PersonaFileLoader.LoadDirectory(_dir);

        Assert.Equal(["alpha", "beta", "gamma"], personas.Select(p => p.Name));
        Assert.Equal(Path.Combine(_dir, "c.md"), personas[2].SourcePath);
        Assert.Equal("Hi.", personas[2].Instructions);
    }

    [Fact]
    public void Two_files_defining_one_name_are_refused_naming_both()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), "name: Same");
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), "name: same");

        PersonaLoadException ex = Assert.Throws<PersonaLoadException>(() => PersonaFileLoader.LoadDirectory(_dir));

        Assert.Equal(Path.Combine(_dir, "b.yaml"), ex.FilePath);
        Assert.Equal("name", ex.Field);
        Assert.Contains(Path.Combine(_dir, "a.yaml"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_folder_and_a_bad_file_in_a_folder_are_typed_errors()
    {
        Assert.Throws<PersonaLoadException>(() => PersonaFileLoader.LoadDirectory(Path.Combine(_dir, "nope")));

        File.WriteAllText(Path.Combine(_dir, "x.yaml"), "name: x\nlimits:\n  timeout: soon");
        PersonaLoadException ex = Assert.Throws<PersonaLoadException>(() => PersonaFileLoader.LoadDirectory(_dir));
        Assert.Equal(Path.Combine(_dir, "x.yaml"), ex.FilePath);
        Assert.Equal(3, ex.Line);
    }

    [Fact]
    public void The_shipped_example_personas_load()
    {
        string examples = Path.Combine(RepoRoot(), "examples", "BotHost", "data", "personas");
        IReadOnlyList<Persona> personas = PersonaFileLoader.LoadDirectory(examples);

        Assert.Equal(2, personas.Count);
        Assert.All(personas, p => p.ToRunnable().Validate());
    }

    internal static string RepoRoot()
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Executus.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Executus.sln not found above the test's folder.");
    }
}
