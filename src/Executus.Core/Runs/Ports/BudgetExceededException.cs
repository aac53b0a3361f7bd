namespace Executus.Runs;

/// <summary>
/// Thrown by the accounting channel when <see cref="IBudget"/> refuses a model call: the call was not made. The run
/// kernel turns it into <see cref="RunOutcome.BudgetExceeded"/>; a meta call (compaction summary, critic) sees it raw.
/// </summary>
public sealed class BudgetExceededException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public BudgetExceededException()
        : this("The budget refused the model call.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The budget's reason.</param>
    public BudgetExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The budget's reason.</param>
    /// <param name="innerException">The cause.</param>
    public BudgetExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a refused check.</summary>
    /// <param name="check">The refused check.</param>
    /// <param name="reason">The budget's reason.</param>
    public BudgetExceededException(BudgetCheck check, string reason)
        : base(reason)
    {
        ArgumentNullException.ThrowIfNull(check);
        Check = check;
    }

    /// <summary>Gets the refused check, when known.</summary>
    public BudgetCheck? Check { get; }

    /// <summary>Gets the structured reason (account, limit, spend, retry-after), when the budget gave one.</summary>
    public BudgetLimitExceeded? Exceeded { get; init; }
}
