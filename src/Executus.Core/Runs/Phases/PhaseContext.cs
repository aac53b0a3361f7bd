using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>What a phase's <see cref="AgentPhase.SkipWhen"/> condition sees.</summary>
public sealed class PhaseContext
{
    internal PhaseContext(string runId, AgentPhase phase, IReadOnlyList<ChatMessage> messages, IReadOnlyDictionary<string, JsonElement> handoffs)
    {
        RunId = runId;
        Phase = phase;
        Messages = messages;
        Handoffs = handoffs;
    }

    /// <summary>Gets the run's id.</summary>
    public string RunId { get; }

    /// <summary>Gets the phase about to start.</summary>
    public AgentPhase Phase { get; }

    /// <summary>Gets the transcript so far (read-only).</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the hand-offs of the phases that completed so far, by phase name.</summary>
    public IReadOnlyDictionary<string, JsonElement> Handoffs { get; }
}
