using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>How a run ended, with everything it produced. Whatever the outcome, the conversation is kept.</summary>
public sealed record RunResult
{
    /// <summary>Gets the run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the agent's name.</summary>
    public required string AgentName { get; init; }

    /// <summary>Gets how the run ended.</summary>
    public required RunOutcome Outcome { get; init; }

    /// <summary>Gets the whole conversation: the input, every model answer and every tool result.</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Gets the text of the last assistant message (empty when there is none).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Gets the tokens used by every model call of the run.</summary>
    public UsageDetails Usage { get; init; } = new();

    /// <summary>Gets the number of model calls made (including those before a resume).</summary>
    public int Iterations { get; init; }

    /// <summary>Gets why a bound stopped the run (budget refusal, guard cap, critic's reason, error message).</summary>
    public string? StopReason { get; init; }

    /// <summary>Gets the structured reason of a <see cref="RunOutcome.BudgetExceeded"/> run (account, limit, spend, retry-after), when the budget gave one.</summary>
    public BudgetLimitExceeded? BudgetExceeded { get; init; }

    /// <summary>Gets the error that ended a <see cref="RunOutcome.Failed"/> run.</summary>
    public Exception? Error { get; init; }

    /// <summary>Gets what happened at delivery.</summary>
    public RunDeliveryStatus Delivery { get; init; }

    /// <summary>Gets the error delivery threw, if it failed.</summary>
    public Exception? DeliveryError { get; init; }

    /// <summary>Gets the attachments the run's tools produced (drained once, delivered with the text).</summary>
    public IReadOnlyList<DataContent> Attachments { get; init; } = [];

    /// <summary>Gets when the run started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets how long the run took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets the phases the run went through, in order, with their calls, usage and hand-offs; empty for an agent without phases.</summary>
    public IReadOnlyList<PhaseRun> Phases { get; init; } = [];

    /// <summary>Gets whether the run completed normally.</summary>
    public bool Succeeded => Outcome == RunOutcome.Completed;
}
