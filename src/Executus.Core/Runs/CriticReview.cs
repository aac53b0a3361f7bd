using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>What <see cref="ICritic.ReviewAsync"/> is shown.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Agent">The agent.</param>
/// <param name="Caller">Who asked.</param>
/// <param name="Iteration">Model calls made so far.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="Timeout">The run's current timeout (extensions included).</param>
/// <param name="Messages">The conversation so far (read-only).</param>
public sealed record CriticReview(
    string RunId,
    RunnableAgent Agent,
    CallerIdentity Caller,
    int Iteration,
    TimeSpan Elapsed,
    TimeSpan Timeout,
    IReadOnlyList<ChatMessage> Messages);
