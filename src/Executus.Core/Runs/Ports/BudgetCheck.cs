using Executus.Identity;

namespace Executus.Runs;

/// <summary>
/// What <see cref="IBudget.CheckAsync"/> is asked before one model call made on behalf of a run: who pays, for which run
/// and agent, on which model, and how much the call may spend at most (an estimate the budget can reserve).
/// </summary>
public sealed record BudgetCheck
{
    /// <summary>Gets the run the call is made for.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the agent being run.</summary>
    public required string AgentName { get; init; }

    /// <summary>Gets who pays.</summary>
    public required CallerIdentity Caller { get; init; }

    /// <summary>
    /// Gets the Executus model reference (<c>provider:model</c>) the call goes to — the key of a price table; not the
    /// id the provider reports in its answer (that is <see cref="BudgetCharge.ResponseModelId"/>).
    /// </summary>
    public required string Model { get; init; }

    /// <summary>Gets the 1-based number of the run's model call this belongs to (a meta call made during iteration 3 says 3).</summary>
    public int Iteration { get; init; }

    /// <summary>Gets what the call is for: <c>run</c> for the run's own calls, <c>llm-meta:summarize</c>, <c>critic</c>…</summary>
    public string? Purpose { get; init; }

    /// <summary>Gets the estimated input tokens of the request (counted with the host's <c>ITokenCounter</c>).</summary>
    public long EstimatedInputTokens { get; init; }

    /// <summary>Gets the most output tokens the call may produce (the request's <c>MaxOutputTokens</c>), when set.</summary>
    public long? MaxOutputTokens { get; init; }
}
