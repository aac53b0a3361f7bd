namespace Executus.Runs;

/// <summary>
/// The structured reason of a budget refusal: which account's limit a call would pass, the limit, what is spent, and
/// when the rolling window frees enough. Carried by <see cref="BudgetDecision.Exceeded"/>,
/// <see cref="BudgetExceededException.Exceeded"/> and <see cref="RunResult.BudgetExceeded"/>.
/// </summary>
public sealed record BudgetLimitExceeded
{
    /// <summary>Gets the account whose limit would be passed (<c>global</c>, <c>tenant:acme</c>, <c>caller:alice</c>, <c>agent:writer</c>).</summary>
    public required string Scope { get; init; }

    /// <summary>Gets which limit: <c>tokens</c> or <c>money</c>.</summary>
    public required string Metric { get; init; }

    /// <summary>Gets the limit, in tokens or money.</summary>
    public required decimal Limit { get; init; }

    /// <summary>Gets what is spent and held in the window, in the limit's unit.</summary>
    public required decimal Spent { get; init; }

    /// <summary>Gets what the refused call was estimated to need, in the limit's unit.</summary>
    public decimal Requested { get; init; }

    /// <summary>Gets the rolling window the limit applies to.</summary>
    public TimeSpan Window { get; init; }

    /// <summary>Gets how long until enough spend leaves the window for the call to fit, or null when it never will.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets the refusal in words a user can read.</summary>
    public required string Message { get; init; }
}
