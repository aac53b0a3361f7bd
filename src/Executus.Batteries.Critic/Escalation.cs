using Executus.Identity;
using Executus.Runs;

namespace Executus.Critics;

/// <summary>A run the critic escalates, as told to the <see cref="IEscalator"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="AgentName">The agent.</param>
/// <param name="Caller">Who asked for the run.</param>
/// <param name="Elapsed">Run time used so far.</param>
/// <param name="Iteration">Model calls made so far.</param>
/// <param name="Trigger">When it happened (a review after the soft deadline, or the hard deadline).</param>
/// <param name="Reason">Why it is escalated.</param>
/// <param name="LastMessages">A short summary of the last messages (tool arguments with secret keys masked).</param>
public sealed record Escalation(
    string RunId,
    string AgentName,
    CallerIdentity Caller,
    TimeSpan Elapsed,
    int Iteration,
    CriticTrigger Trigger,
    string Reason,
    string LastMessages);
