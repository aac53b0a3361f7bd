using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Personas;

/// <summary>
/// An agent definition a host keeps in files or a store: who the agent is (name, description, instructions), which
/// model it runs on, which tools it may use, its limits, and who may call it. <see cref="ToRunnable"/> turns it into
/// the kernel's <see cref="RunnableAgent"/>.
/// </summary>
public sealed partial record Persona
{
    /// <summary>The longest name a persona may have.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Initializes a persona.</summary>
    /// <param name="name">
    /// The persona's name, also its agent name: 1–64 letters, digits, <c>_</c>, <c>-</c> or <c>.</c>, starting with a
    /// letter or digit.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="name"/> does not follow the rule.</exception>
    public Persona(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"Persona name '{name}' is invalid: use 1-{MaxNameLength} letters, digits, '_', '-' or '.', starting with a letter or digit.",
                nameof(name));
        }

        Name = name;
    }

    /// <summary>Gets the persona's name (its agent name; compared case-insensitively by stores).</summary>
    public string Name { get; }

    /// <summary>Gets the version a store assigned when the persona was saved, or <see langword="null"/> before that.</summary>
    public string? Version { get; init; }

    /// <summary>Gets a short description, shown to a parent agent that may call this one.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the system instructions.</summary>
    public string? Instructions { get; init; }

    /// <summary>Gets the model tier ("fast", "smart"…) to resolve when <see cref="Model"/> is not set.</summary>
    public string? Tier { get; init; }

    /// <summary>Gets an explicit model reference (<c>provider:model</c>), which wins over <see cref="Tier"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the names of the registry tools the persona may use: its palette (<c>*</c> means every tool).</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Gets the maximum number of model calls per run; the kernel's default when null.</summary>
    public int? MaxIterations { get; init; }

    /// <summary>Gets the cap on consecutive failed tool turns; the kernel's default when null.</summary>
    public int? MaxConsecutiveToolErrors { get; init; }

    /// <summary>Gets the run timeout; the executor's default when null.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the model options (temperature, top-p, max output tokens…), if any.</summary>
    public PersonaModelOptions? ModelOptions { get; init; }

    /// <summary>Gets the JSON schema the persona's answers must follow, if any.</summary>
    public JsonElement? OutputSchema { get; init; }

    /// <summary>Gets the roles of which a caller needs any one to use the persona (none: no role needed).</summary>
    public IReadOnlyList<string> AllowedRoles { get; init; } = [];

    /// <summary>Gets the scopes a caller needs all of to use the persona (none: no scope needed).</summary>
    public IReadOnlyList<string> AllowedScopes { get; init; } = [];

    /// <summary>Gets free-form metadata, carried into the agent's metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the file the persona was loaded from, if any (for error messages).</summary>
    public string? SourcePath { get; init; }

    /// <summary>Returns whether a persona name follows the naming rule.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>
    /// Returns whether <paramref name="caller"/> may use the persona: any one of <see cref="AllowedRoles"/> (when
    /// there are any) and all of <see cref="AllowedScopes"/>.
    /// </summary>
    /// <param name="caller">The caller.</param>
    /// <returns><see langword="true"/> when allowed.</returns>
    public bool Allows(CallerIdentity caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return (AllowedRoles.Count == 0 || AllowedRoles.Any(caller.HasRole)) && AllowedScopes.All(caller.HasScope);
    }

    /// <summary>Returns whether the persona's palette holds <paramref name="toolName"/>.</summary>
    /// <param name="toolName">The tool's name (compared ordinally, as the registry does).</param>
    /// <returns><see langword="true"/> when the persona lists the tool or <c>*</c>.</returns>
    public bool HasTool(string toolName)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        foreach (string tool in Tools)
        {
            if (tool == toolName || tool == "*")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Turns the persona into the kernel's agent description.</summary>
    /// <returns>The agent.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public RunnableAgent ToRunnable()
    {
        RunnableAgent agent = new(Name)
        {
            Version = Version,
            Description = Description,
            Instructions = Instructions,
            Tier = Tier,
            Model = Model,
            Tools = Tools,
            MaxIterations = MaxIterations ?? RunnableAgent.DefaultMaxIterations,
            MaxConsecutiveToolErrors = MaxConsecutiveToolErrors ?? RunnableAgent.DefaultMaxConsecutiveToolErrors,
            Timeout = Timeout,
            ChatOptions = ModelOptions?.ToChatOptions(),
            ResponseFormat = OutputSchema is { } schema ? ChatResponseFormat.ForJsonSchema(schema, SchemaName(Name), Description) : null,
            Metadata = Metadata,
        };
        agent.Validate();
        return agent;
    }

    /// <summary>
    /// Makes a persona from a hand-written agent (e.g. to save it in a store): the inverse of <see cref="ToRunnable"/>
    /// for every field a persona has.
    /// </summary>
    /// <param name="agent">The agent.</param>
    /// <returns>The persona.</returns>
    public static Persona FromRunnable(RunnableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return new Persona(agent.Name)
        {
            Version = agent.Version,
            Description = agent.Description,
            Instructions = agent.Instructions,
            Tier = agent.Tier,
            Model = agent.Model,
            Tools = [.. agent.Tools],
            MaxIterations = agent.MaxIterations == RunnableAgent.DefaultMaxIterations ? null : agent.MaxIterations,
            MaxConsecutiveToolErrors = agent.MaxConsecutiveToolErrors == RunnableAgent.DefaultMaxConsecutiveToolErrors ? null : agent.MaxConsecutiveToolErrors,
            Timeout = agent.Timeout,
            ModelOptions = agent.ChatOptions is { } options ? PersonaModelOptions.FromChatOptions(options) : null,
            OutputSchema = agent.ResponseFormat is ChatResponseFormatJson { Schema: { } schema } ? schema : null,
            Metadata = agent.Metadata,
        };
    }

    // Why: providers restrict JSON schema names (OpenAI: [a-zA-Z0-9_-]{1,64}); persona names may hold dots.
    private static string SchemaName(string name)
    {
        StringBuilder builder = new(name.Length);
        foreach (char c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return builder.ToString();
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
