namespace Executus.Auditing;

/// <summary>The kind of an <see cref="AuditEvent"/>.</summary>
public enum AuditEventKind
{
    /// <summary>A run started.</summary>
    RunStarted,

    /// <summary>A model was called (<see cref="AuditEvent.Usage"/> and <see cref="AuditEvent.Model"/> are set).</summary>
    ModelCall,

    /// <summary>A tool was invoked (its arguments are in <see cref="AuditEvent.Arguments"/>; an error in the detail).</summary>
    ToolCall,

    /// <summary>A tool call was denied by a permission stage, a validator or an approval (stage and code in the data).</summary>
    ToolDenied,

    /// <summary>A run finished (its outcome is in the event's data, its usage in <see cref="AuditEvent.Usage"/>).</summary>
    RunFinished,

    /// <summary>A skill changed: a version saved, its active version moved, its lifecycle state changed, or it was deleted.</summary>
    SkillChanged,

    /// <summary>A run loaded a skill's body or resource (the skill version is in the event's data).</summary>
    SkillLoaded,

    /// <summary>The budget allowed a call with a warning (the warning is the detail).</summary>
    BudgetWarning,

    /// <summary>The budget refused a call (the reason is the detail; the model reference in <see cref="AuditEvent.Model"/>).</summary>
    BudgetRefused,

    /// <summary>The critic gave a verdict other than continue (kind, trigger and extension in the data).</summary>
    CriticVerdict,

    /// <summary>The conversation was compacted (message counts before and after in the data).</summary>
    Compaction,

    /// <summary>The dispatch guard refused a run or a tool call (depth, fan-out or loop; the reason in the data).</summary>
    DispatchGuardTripped,

    /// <summary>A run resumed from a checkpoint (iteration, usage and elapsed time restored).</summary>
    RunResumed,

    /// <summary>A phase of a phased agent started (phase, index and whether it resumed in the data).</summary>
    PhaseStarted,

    /// <summary>A phase ended (phase, status and calls in the data; its usage in <see cref="AuditEvent.Usage"/>; the hand-off in <see cref="AuditEvent.Arguments"/>).</summary>
    PhaseEnded,

    /// <summary>
    /// An operator changed something outside any run (a host's console: a skill's active version or state, a schedule
    /// enabled, disabled or run now); <see cref="AuditEvent.Caller"/> is the operator, the action and target in the data.
    /// </summary>
    OperatorAction,
}
