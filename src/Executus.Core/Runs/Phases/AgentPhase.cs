using System.Text.Json;

namespace Executus.Runs;

/// <summary>
/// One step of a phased agent (<see cref="RunnableAgent.Phases"/>): its own instructions, tool palette, model, iteration
/// bound and way of ending, inside the run's one transcript, budget, audit trail and checkpoint.
/// </summary>
/// <remarks>
/// A phase ends when the model calls the built-in <see cref="FinishPhaseToolName"/> tool (with a hand-off checked against
/// <see cref="HandoffSchema"/> when one is set; a hand-off that does not match is sent back with the errors, like
/// <c>StructuredOutput.GenerateAsync</c>'s repair) or, for <see cref="PhaseCompletion.Answer"/>, when the model answers
/// without calling a tool. The run completes when its last phase ends. <see cref="SkipWhen"/> is code and is not part of
/// a checkpoint's <see cref="AgentSnapshot"/>: resume a phased run with the live definition
/// (<see cref="RunRequest.Resume(RunCheckpoint, RunnableAgent)"/>).
/// </remarks>
public sealed record AgentPhase
{
    /// <summary>The name of the built-in tool that ends a <see cref="PhaseCompletion.FinishTool"/> phase: <c>finish_phase</c>.</summary>
    public const string FinishPhaseToolName = "finish_phase";

    /// <summary>The default number of <see cref="FinishPhaseToolName"/> calls with an invalid hand-off a phase allows.</summary>
    public const int DefaultMaxHandoffAttempts = 3;

    /// <summary>Initializes a new phase.</summary>
    /// <param name="name">The phase's name (in events, audit, spans, checkpoints and <see cref="RunResult.Phases"/>).</param>
    public AgentPhase(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>Gets the phase's name.</summary>
    public string Name { get; }

    /// <summary>Gets the phase's instructions, added to the agent's or replacing them (<see cref="InstructionsMode"/>).</summary>
    public string? Instructions { get; init; }

    /// <summary>Gets whether <see cref="Instructions"/> are added to the agent's (the default) or replace them.</summary>
    public PhaseInstructionsMode InstructionsMode { get; init; }

    /// <summary>
    /// Gets the tools the phase may use: a subset of <see cref="RunnableAgent.Tools"/> that stage 1 of the permissions
    /// enforces for this phase (a call to another tool is denied and audited). Null: every tool of the agent.
    /// </summary>
    public IReadOnlyList<string>? Tools { get; init; }

    /// <summary>Gets the model tier for this phase; the agent's when null and <see cref="Model"/> is not set either.</summary>
    public string? Tier { get; init; }

    /// <summary>Gets an explicit model reference (<c>provider:model</c>) for this phase, which wins over <see cref="Tier"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the most model calls this phase may make; null for no phase bound (the run's still applies).</summary>
    public int? MaxIterations { get; init; }

    /// <summary>Gets how the phase ends (default: the model calls <see cref="FinishPhaseToolName"/>).</summary>
    public PhaseCompletion CompletesWhen { get; init; }

    /// <summary>
    /// Gets the JSON schema of the structured hand-off the model passes to <see cref="FinishPhaseToolName"/> (its
    /// <c>handoff</c> argument, then required); null for a free-text hand-off (optional).
    /// </summary>
    public JsonElement? HandoffSchema { get; init; }

    /// <summary>Gets how many <see cref="FinishPhaseToolName"/> calls with an invalid hand-off end the phase as over its limit.</summary>
    public int MaxHandoffAttempts { get; init; } = DefaultMaxHandoffAttempts;

    /// <summary>Gets what happens when the phase goes over <see cref="MaxIterations"/> or <see cref="MaxHandoffAttempts"/>.</summary>
    public PhaseLimitAction OnLimit { get; init; }

    /// <summary>
    /// Gets a condition evaluated when the phase would start, on the transcript and hand-offs so far: true skips the
    /// phase. Null: never skipped.
    /// </summary>
    public Func<PhaseContext, bool>? SkipWhen { get; init; }
}
