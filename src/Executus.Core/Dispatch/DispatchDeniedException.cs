namespace Executus.Dispatch;

/// <summary>Carried by the tool result of a call the dispatch guard refused (a loop), so the run counts it as a tool error.</summary>
public sealed class DispatchDeniedException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public DispatchDeniedException()
        : base("The dispatch guard refused the call.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public DispatchDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DispatchDeniedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a denial.</summary>
    /// <param name="denied">The guard's decision.</param>
    public DispatchDeniedException(DispatchDenied denied)
        : base((denied ?? throw new ArgumentNullException(nameof(denied))).Message)
    {
        Denied = denied;
    }

    /// <summary>Gets the guard's decision.</summary>
    public DispatchDenied? Denied { get; }
}
