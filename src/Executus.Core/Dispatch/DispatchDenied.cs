namespace Executus.Dispatch;

/// <summary>
/// The typed outcome of a tripped dispatch cap. <see cref="Message"/> is written for the model: the run kernel feeds
/// it back as the tool's error so the model can change course.
/// </summary>
public sealed class DispatchDenied
{
    internal DispatchDenied(DispatchDeniedReason reason, string target, int limit, string message)
    {
        Reason = reason;
        Target = target;
        Limit = limit;
        Message = message;
    }

    /// <summary>Gets which cap tripped.</summary>
    public DispatchDeniedReason Reason { get; }

    /// <summary>Gets the agent or tool that was refused.</summary>
    public string Target { get; }

    /// <summary>Gets the limit that would have been exceeded.</summary>
    public int Limit { get; }

    /// <summary>Gets a human-readable explanation, suitable to return to the model as a tool error.</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => Message;
}
