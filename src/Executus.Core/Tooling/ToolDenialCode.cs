namespace Executus.Tooling;

/// <summary>The specific rule behind a <see cref="ToolDenial"/>.</summary>
public enum ToolDenialCode
{
    /// <summary>Palette: the agent's allow-list does not name the tool.</summary>
    NotInAgentPalette,

    /// <summary>Palette: the agent names a tool the registry does not hold.</summary>
    NotRegistered,

    /// <summary>Palette: the <see cref="IPaletteSource"/> refused the tool.</summary>
    PaletteSourceDenied,

    /// <summary>Caller: the caller has none of the tool's required roles.</summary>
    MissingRole,

    /// <summary>Caller: the caller lacks a required scope.</summary>
    MissingScope,

    /// <summary>Invocation: the model called a tool name that does not exist.</summary>
    UnknownTool,

    /// <summary>Invocation: the call's arguments could not be parsed (not JSON, not an object).</summary>
    MalformedArguments,

    /// <summary>Invocation: the arguments do not satisfy the tool's JSON schema.</summary>
    SchemaViolation,

    /// <summary>Invocation: an <see cref="IToolArgumentValidator"/> refused an argument.</summary>
    ArgumentRejected,

    /// <summary>Invocation: the approval handler rejected the call.</summary>
    ApprovalDenied,

    /// <summary>Invocation: the tool needs approval and no <see cref="IToolApprovalHandler"/> is configured.</summary>
    ApprovalUnavailable,

    /// <summary>
    /// Invocation: the approval handler's response does not belong to the request (another request id or tool call,
    /// or arguments that differ from the ones approval was asked for), so it approves nothing.
    /// </summary>
    ApprovalMismatch,
}
