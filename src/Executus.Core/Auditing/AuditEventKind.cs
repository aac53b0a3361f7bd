namespace Executus.Auditing;

/// <summary>The kind of an <see cref="AuditEvent"/>.</summary>
public enum AuditEventKind
{
    /// <summary>A run started.</summary>
    RunStarted,

    /// <summary>A model was called (usage is in the event's data).</summary>
    ModelCall,

    /// <summary>A tool was invoked.</summary>
    ToolCall,

    /// <summary>A tool call was denied by a permission stage, a validator, an approval or the dispatch guard.</summary>
    ToolDenied,

    /// <summary>A run finished (its outcome is in the event's data).</summary>
    RunFinished,

    /// <summary>A skill changed: a version saved, its active version moved, its lifecycle state changed, or it was deleted.</summary>
    SkillChanged,

    /// <summary>A run loaded a skill's body or resource (the skill version is in the event's data).</summary>
    SkillLoaded,
}
