namespace Executus.Runs;

/// <summary>The answer of <see cref="ICritic.ReviewAsync"/>.</summary>
public sealed record CriticVerdict
{
    private CriticVerdict(CriticVerdictKind kind, string? reason, TimeSpan extension)
    {
        Kind = kind;
        Reason = reason;
        Extension = extension;
    }

    /// <summary>Gets the verdict that lets the run go on.</summary>
    public static CriticVerdict Continue { get; } = new(CriticVerdictKind.Continue, null, TimeSpan.Zero);

    /// <summary>Gets the kind of verdict.</summary>
    public CriticVerdictKind Kind { get; }

    /// <summary>Gets the critic's reason.</summary>
    public string? Reason { get; }

    /// <summary>Gets how much longer the run may take, for <see cref="CriticVerdictKind.Extend"/>.</summary>
    public TimeSpan Extension { get; }

    /// <summary>Creates a verdict that extends the run's timeout.</summary>
    /// <param name="extension">How much longer (positive).</param>
    /// <param name="reason">Why.</param>
    /// <returns>The verdict.</returns>
    public static CriticVerdict Extend(TimeSpan extension, string? reason = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(extension, TimeSpan.Zero);
        return new(CriticVerdictKind.Extend, reason, extension);
    }

    /// <summary>Creates a verdict that stops the run.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The verdict.</returns>
    public static CriticVerdict Stop(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(CriticVerdictKind.Stop, reason, TimeSpan.Zero);
    }

    /// <summary>Creates a verdict that stops the run as escalated.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The verdict.</returns>
    public static CriticVerdict Escalate(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(CriticVerdictKind.Escalate, reason, TimeSpan.Zero);
    }

    /// <summary>Creates a verdict that pauses the run for a human (<see cref="RunOutcome.Paused"/>; resumable from its checkpoint).</summary>
    /// <param name="reason">Why, and what the human is asked to decide.</param>
    /// <returns>The verdict.</returns>
    public static CriticVerdict Pause(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(CriticVerdictKind.Pause, reason, TimeSpan.Zero);
    }
}
