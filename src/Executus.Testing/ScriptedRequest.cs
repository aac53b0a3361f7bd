using Microsoft.Extensions.AI;

namespace Executus.Testing;

/// <summary>One request a <see cref="ScriptedChatClient"/> received, kept for assertions.</summary>
/// <param name="Index">The zero-based position of the request among all requests the client received.</param>
/// <param name="Messages">A copy of the messages sent.</param>
/// <param name="Options">A clone of the options sent, or null.</param>
/// <param name="Streaming">Whether the request was a streaming one.</param>
public sealed record ScriptedRequest(int Index, IReadOnlyList<ChatMessage> Messages, ChatOptions? Options, bool Streaming)
{
    /// <summary>Gets the text of the last user message, or an empty string.</summary>
    public string LastUserText => Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;

    /// <summary>Gets the function results in the request's messages (what the tools answered).</summary>
    public IReadOnlyList<FunctionResultContent> FunctionResults =>
        [.. Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()];
}
