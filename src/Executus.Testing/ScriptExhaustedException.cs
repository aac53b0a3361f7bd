namespace Executus.Testing;

/// <summary>Thrown by <see cref="ScriptedChatClient"/> when it receives a request after its script ran out.</summary>
public sealed class ScriptExhaustedException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    public ScriptExhaustedException()
        : base("The scripted chat client has no more turns.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public ScriptExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ScriptExhaustedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for the request that found the script empty.</summary>
    /// <param name="request">The unanswered request.</param>
    public ScriptExhaustedException(ScriptedRequest request)
        : base(FormatMessage(request))
    {
        ArgumentNullException.ThrowIfNull(request);
        Request = request;
    }

    /// <summary>Gets the request that found the script empty.</summary>
    public ScriptedRequest? Request { get; }

    private static string FormatMessage(ScriptedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string last = request.LastUserText;
        if (last.Length > 80)
        {
            last = string.Concat(last.AsSpan(0, 80), "…");
        }

        return $"The scripted chat client ran out of turns: request #{request.Index + 1} " +
               $"({request.Messages.Count} messages, last user text '{last}') has no scripted answer. " +
               "Enqueue another turn or set a fallback with WhenExhausted.";
    }
}
