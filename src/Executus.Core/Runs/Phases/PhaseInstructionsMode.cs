namespace Executus.Runs;

/// <summary>How a phase's instructions combine with the agent's.</summary>
public enum PhaseInstructionsMode
{
    /// <summary>The phase's instructions are added after the agent's.</summary>
    Append,

    /// <summary>The phase's instructions replace the agent's (and the agent's <c>ChatOptions.Instructions</c>).</summary>
    Replace,
}
