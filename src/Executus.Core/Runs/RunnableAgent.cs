using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>
/// What the run kernel executes: a plain description of an agent. Batteries turn their nouns into it
/// (<c>persona.ToRunnable()</c>, <c>skill.ToRunnable()</c>); a light host writes one by hand.
/// </summary>
public sealed record RunnableAgent
{
    /// <summary>The default bound on model calls per run.</summary>
    public const int DefaultMaxIterations = 10;

    /// <summary>The default bound on consecutive model turns whose tool calls all failed.</summary>
    public const int DefaultMaxConsecutiveToolErrors = 3;

    /// <summary>Initializes a new agent.</summary>
    /// <param name="name">The agent's name (used in telemetry, audit, and loop detection).</param>
    public RunnableAgent(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The longest finite timeout: one timer period of the platform (about 49.7 days). Longer spans are kept by re-arming.</summary>
    public static readonly TimeSpan MaxFiniteTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Gets the agent's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Gets the definition's version (a store's revision, a content hash…), or <see langword="null"/> when the agent
    /// is not versioned. An <see cref="IAgentCatalog"/> finds a given version by it, so a resumed run can run on the
    /// definition it started with.
    /// </summary>
    public string? Version { get; init; }

    /// <summary>Gets a short description (shown to a parent agent that may call this one).</summary>
    public string? Description { get; init; }

    /// <summary>Gets the system instructions, sent as <see cref="ChatOptions.Instructions"/>.</summary>
    public string? Instructions { get; init; }

    /// <summary>Gets the model tier ("fast", "smart"…) to resolve, when <see cref="Model"/> is not set.</summary>
    public string? Tier { get; init; }

    /// <summary>Gets an explicit model reference (<c>provider:model</c>), which wins over <see cref="Tier"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the names of the registry tools this agent may see (stage 1 of the permission stages).</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Gets the maximum number of model calls in one run.</summary>
    public int MaxIterations { get; init; } = DefaultMaxIterations;

    /// <summary>Gets the maximum number of consecutive model turns whose tool calls all failed before the run stops.</summary>
    public int MaxConsecutiveToolErrors { get; init; } = DefaultMaxConsecutiveToolErrors;

    /// <summary>
    /// Gets the run's own timeout (the hard deadline); the executor's default when null. <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>
    /// means no limit; any positive span is honoured, including spans longer than one platform timer period (the
    /// deadline timer is re-armed).
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Gets the soft deadline: once this much time has passed, the critic's next review is marked
    /// <see cref="CriticTrigger.SoftDeadline"/> (judge progress: continue, extend, stop). Null for none.
    /// </summary>
    public TimeSpan? SoftTimeout { get; init; }

    /// <summary>Gets whether several tool calls of one model turn may run concurrently.</summary>
    public bool AllowConcurrentToolCalls { get; init; }

    /// <summary>Gets the response format (e.g. a JSON schema) for the model's answers, if any.</summary>
    public ChatResponseFormat? ResponseFormat { get; init; }

    /// <summary>Gets further chat options (temperature, max output tokens…) applied to every model call; cloned per call.</summary>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Gets free-form metadata carried into audit and delivery.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Gets the agent's phases, run in order inside one run (one transcript, budget, audit trail and checkpoint); empty
    /// (the default) for an agent that runs as one loop.
    /// </summary>
    public IReadOnlyList<AgentPhase> Phases { get; init; } = [];

    /// <summary>Checks the bounds, throwing an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not positive (or the soft deadline is not before the hard one).</exception>
    public void Validate()
    {
        if (MaxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, $"Agent '{Name}': MaxIterations must be at least 1.");
        }

        if (MaxConsecutiveToolErrors < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConsecutiveToolErrors), MaxConsecutiveToolErrors, $"Agent '{Name}': MaxConsecutiveToolErrors must be at least 1.");
        }

        if (Timeout is { } timeout && timeout <= TimeSpan.Zero && timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), timeout, $"Agent '{Name}': Timeout must be positive, or Timeout.InfiniteTimeSpan for no limit.");
        }

        if (SoftTimeout is { } soft && (soft <= TimeSpan.Zero || (Timeout is { } hard && hard != System.Threading.Timeout.InfiniteTimeSpan && soft >= hard)))
        {
            throw new ArgumentOutOfRangeException(nameof(SoftTimeout), soft, $"Agent '{Name}': SoftTimeout must be positive and shorter than Timeout.");
        }

        if (Phases.Count > 0)
        {
            ValidatePhases();
        }
    }

    private void ValidatePhases()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool allTools = Tools.Contains("*", StringComparer.Ordinal);
        for (int i = 0; i < Phases.Count; i++)
        {
            AgentPhase phase = Phases[i] ?? throw new ArgumentException($"Agent '{Name}': phase {i} is null.", nameof(Phases));
            if (!names.Add(phase.Name))
            {
                throw new ArgumentException($"Agent '{Name}': two phases are named '{phase.Name}'; phase names must be unique.", nameof(Phases));
            }

            if (phase.MaxIterations is < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(Phases), phase.MaxIterations, $"Agent '{Name}', phase '{phase.Name}': MaxIterations must be at least 1 (or null for no phase bound).");
            }

            if (phase.MaxHandoffAttempts < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(Phases), phase.MaxHandoffAttempts, $"Agent '{Name}', phase '{phase.Name}': MaxHandoffAttempts must be at least 1.");
            }

            if (phase.HandoffSchema is { } schema && schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True))
            {
                throw new ArgumentException($"Agent '{Name}', phase '{phase.Name}': HandoffSchema must be a JSON schema object, not {schema.ValueKind}.", nameof(Phases));
            }

            if (phase.Tools is { } tools && !allTools)
            {
                foreach (string tool in tools)
                {
                    if (!Tools.Contains(tool, StringComparer.Ordinal))
                    {
                        throw new ArgumentException(
                            $"Agent '{Name}', phase '{phase.Name}': tool '{tool}' is not among the agent's tools; a phase's tools are a subset of the agent's.",
                            nameof(Phases));
                    }
                }
            }

            if (phase.CompletesWhen == PhaseCompletion.Answer && phase.HandoffSchema is not null)
            {
                throw new ArgumentException(
                    $"Agent '{Name}', phase '{phase.Name}': a HandoffSchema needs CompletesWhen = FinishTool (an answer's hand-off is its text).",
                    nameof(Phases));
            }
        }
    }
}
