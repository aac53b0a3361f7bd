using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// A model answered with nothing: no content and no finish reason. OpenAI-compatible servers and proxies send an error
/// event inside an HTTP 200 stream this way, so it is a model failure, not an empty answer: the failover client moves
/// to the next candidate (when nothing was streamed to the caller yet) and the run kernel never ends
/// <c>Completed</c> with it.
/// </summary>
public sealed class ModelEmptyResponseException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public ModelEmptyResponseException()
        : this("The model answered with an empty reply and no finish reason.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public ModelEmptyResponseException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelEmptyResponseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether a response is empty: no finish reason and no content but usage or empty text.</summary>
    internal static bool IsEmpty(ChatResponse response)
    {
        if (response.FinishReason is not null)
        {
            return false;
        }

        // Why: loops, not LINQ: this runs on every model call of the kernel's hot path.
        IList<ChatMessage> messages = response.Messages;
        for (int i = 0; i < messages.Count; i++)
        {
            IList<AIContent> contents = messages[i].Contents;
            for (int j = 0; j < contents.Count; j++)
            {
                if (IsMeaningful(contents[j]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Whether an update carries something a caller would see (content other than usage or empty text, or a finish reason).</summary>
    internal static bool IsMeaningful(ChatResponseUpdate update) =>
        update.FinishReason is not null || update.Contents.Any(IsMeaningful);

    private static bool IsMeaningful(AIContent content) => content switch
    {
        UsageContent => false,
        TextContent text => !string.IsNullOrEmpty(text.Text),
        TextReasoningContent reasoning => !string.IsNullOrEmpty(reasoning.Text) || reasoning.ProtectedData is not null,
        _ => true,
    };
}
