namespace Executus.Runs;

/// <summary>How a phase ends.</summary>
public enum PhaseCompletion
{
    /// <summary>
    /// The model calls the built-in <see cref="AgentPhase.FinishPhaseToolName"/> tool (with a hand-off). An answer without
    /// tool calls gets a reminder to call it.
    /// </summary>
    FinishTool,

    /// <summary>The model answers without calling a tool; the answer's text is the hand-off.</summary>
    Answer,
}
