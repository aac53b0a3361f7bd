using System.Text.Json;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Personas.Tests;

public sealed class PersonaTests
{
    private static Persona Full() => new("writer.v2")
    {
        Version = "3",
        Description = "Writes",
        Instructions = "Write well.",
        Tier = "smart",
        Model = "openai:gpt-4.1",
        Tools = ["clock"],
        MaxIterations = 4,
        MaxConsecutiveToolErrors = 1,
        Timeout = TimeSpan.FromMinutes(3),
        ModelOptions = new PersonaModelOptions { Temperature = 0.5f, TopP = 0.8f, TopK = 5, MaxOutputTokens = 300, FrequencyPenalty = 0.1f, PresencePenalty = 0.2f, Seed = 7, StopSequences = ["STOP"] },
        OutputSchema = JsonDocument.Parse("""{"type":"object"}""").RootElement,
        Metadata = new Dictionary<string, string> { ["k"] = "v" },
    };

    [Fact]
    public void ToRunnable_maps_every_field()
    {
        RunnableAgent agent = Full().ToRunnable();

        Assert.Equal("writer.v2", agent.Name);
        Assert.Equal("3", agent.Version);
        Assert.Equal("Writes", agent.Description);
        Assert.Equal("Write well.", agent.Instructions);
        Assert.Equal(("smart", "openai:gpt-4.1"), (agent.Tier, agent.Model));
        Assert.Equal(["clock"], agent.Tools);
        Assert.Equal((4, 1, TimeSpan.FromMinutes(3)), (agent.MaxIterations, agent.MaxConsecutiveToolErrors, agent.Timeout));
        ChatOptions options = agent.ChatOptions!;
        Assert.Equal((0.5f, 0.8f, 5, 300, 0.1f, 0.2f, 7L), (options.Temperature, options.TopP, options.TopK, options.MaxOutputTokens, options.FrequencyPenalty, options.PresencePenalty, options.Seed));
        Assert.Equal(["STOP"], options.StopSequences!);
        ChatResponseFormatJson format = Assert.IsType<ChatResponseFormatJson>(agent.ResponseFormat);
        Assert.Equal("writer_v2", format.SchemaName);
        Assert.Equal("v", agent.Metadata["k"]);
    }

    [Fact]
    public void ToRunnable_and_FromRunnable_round_trip()
    {
        Persona original = Full();
        Persona back = Persona.FromRunnable(original.ToRunnable());

        Assert.Equal(original.Version, back.Version);
        Assert.Equal(original.ModelOptions, back.ModelOptions! with { StopSequences = original.ModelOptions!.StopSequences });
        Assert.Equal(original.ModelOptions.StopSequences, back.ModelOptions!.StopSequences);
        Assert.Equal(original.OutputSchema?.GetRawText(), back.OutputSchema?.GetRawText());
        Assert.Equal(original with { ModelOptions = null, OutputSchema = null, Tools = [], Metadata = original.Metadata },
                     back with { ModelOptions = null, OutputSchema = null, Tools = [], Metadata = original.Metadata });
        Assert.Equal(original.Tools, back.Tools);

        RunnableAgent plain = new("plain");
        Persona fromPlain = Persona.FromRunnable(plain);
        Assert.Null(fromPlain.MaxIterations);
        RunnableAgent again = fromPlain.ToRunnable();
        Assert.Equal((plain.MaxIterations, plain.MaxConsecutiveToolErrors, plain.ChatOptions, plain.ResponseFormat), (again.MaxIterations, again.MaxConsecutiveToolErrors, again.ChatOptions, again.ResponseFormat));
    }

    [Fact]
    public void ToRunnable_uses_kernel_defaults_for_unset_limits_and_refuses_bad_ones()
    {
        RunnableAgent agent = new Persona("p").ToRunnable();
        Assert.Equal(RunnableAgent.DefaultMaxIterations, agent.MaxIterations);
        Assert.Null(agent.ChatOptions);
        Assert.Null(agent.ResponseFormat);

        Assert.Throws<ArgumentOutOfRangeException>(() => new Persona("p") { MaxIterations = 0 }.ToRunnable());
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("-lead")]
    [InlineData("x/y")]
    public void Bad_names_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => new Persona(name));

    [Fact]
    public void A_name_of_64_characters_is_the_limit()
    {
        _ = new Persona(new string('a', 64));
        Assert.Throws<ArgumentException>(() => new Persona(new string('a', 65)));
    }

    [Fact]
    public void Allowed_callers_need_any_role_and_every_scope()
    {
        Persona open = new("open");
        Persona guarded = new("guarded") { AllowedRoles = ["staff", "admin"], AllowedScopes = ["chat", "beta"] };

        Assert.True(open.Allows(CallerIdentity.Anonymous));
        Assert.False(guarded.Allows(CallerIdentity.Anonymous));
        Assert.True(guarded.Allows(new CallerIdentity("u", roles: ["ADMIN"], scopes: ["chat", "beta"])));
        Assert.False(guarded.Allows(new CallerIdentity("u", roles: ["admin"], scopes: ["chat"])));
        Assert.False(guarded.Allows(new CallerIdentity("u", roles: ["guest"], scopes: ["chat", "beta"])));
    }

    [Fact]
    public void HasTool_matches_names_exactly_or_a_star()
    {
        Assert.True(new Persona("a") { Tools = ["clock"] }.HasTool("clock"));
        Assert.False(new Persona("a") { Tools = ["clock"] }.HasTool("Clock"));
        Assert.True(new Persona("a") { Tools = ["*"] }.HasTool("anything"));
    }
}
