namespace Executus.Models;

/// <summary>
/// Decides which failures of a model call are worth trying the next candidate for (rate limits, overload, timeouts,
/// connection failures) and how long the server asked to be left alone. <see cref="ModelFailoverChatClient"/> consults it
/// only for failures that were not caused by the caller's own cancellation.
/// </summary>
public interface ITransientErrorClassifier
{
    /// <summary>Returns whether <paramref name="exception"/> is transient: another candidate may succeed.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns><see langword="true"/> to fail over; <see langword="false"/> to surface the failure at once.</returns>
    bool IsTransient(Exception exception);

    /// <summary>Returns how long the server asked callers to wait (its <c>Retry-After</c>), if it said.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="timeProvider">The clock, for <c>Retry-After</c> values written as an HTTP date.</param>
    /// <returns>The delay, or null.</returns>
    TimeSpan? GetRetryAfter(Exception exception, TimeProvider timeProvider);
}
