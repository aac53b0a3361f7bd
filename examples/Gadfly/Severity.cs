namespace Gadfly;

/// <summary>How serious a finding is, in increasing order.</summary>
public enum Severity
{
    /// <summary>Worth knowing; nothing to fix.</summary>
    Info,

    /// <summary>A minor issue.</summary>
    Low,

    /// <summary>Should be fixed.</summary>
    Medium,

    /// <summary>Must be fixed before merging.</summary>
    High,

    /// <summary>A severe defect or vulnerability.</summary>
    Critical,
}
