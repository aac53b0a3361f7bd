using Microsoft.Extensions.AI;

namespace Executus.Testing;

/// <summary>
/// One scripted answer of a <see cref="ScriptedChatClient"/>: a response (fixed or computed from the request),
/// explicit streaming updates, or an exception, optionally after a delay.
/// </summary>
public sealed record ScriptedTurn
{
    /// <summary>Gets the fixed response, if any.</summary>
    public ChatResponse? Response { get; init; }

    /// <summary>Gets a function that computes the response from the request, if any.</summary>
    public Func<ScriptedRequest, ChatResponse>? Responder { get; init; }

    /// <summary>Gets explicit streaming updates, if any. A non-streaming request gets them combined into one response.</summary>
    public IReadOnlyList<ChatResponseUpdate>? Updates { get; init; }

    /// <summary>Gets the exception to throw, if any. With <see cref="ThrowAfterUpdates"/> it is thrown mid-stream.</summary>
    public Exception? Exception { get; init; }

    /// <summary>
    /// Gets how many updates a streaming request receives before <see cref="Exception"/> is thrown (0: before any).
    /// A non-streaming request gets the exception at once.
    /// </summary>
    public int ThrowAfterUpdates { get; init; }

    /// <summary>Gets how long the client waits (on its <see cref="TimeProvider"/>, honouring cancellation) before answering.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Creates a turn that answers with <paramref name="response"/>.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The turn.</returns>
    public static ScriptedTurn FromResponse(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new() { Response = response };
    }

    /// <summary>Creates a turn that throws <paramref name="exception"/>.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The turn.</returns>
    public static ScriptedTurn FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new() { Exception = exception };
    }
}
