using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Compaction;

/// <summary>
/// The default <see cref="ITokenCounter"/>: an estimate with no tokenizer. Text counts one token per
/// <see cref="CharsPerToken"/> characters (rounded up), which is close for English prose and code with BPE tokenizers
/// and errs high for most other text; each message adds <see cref="MessageOverheadTokens"/> for role and framing;
/// a function call counts its name and its arguments as JSON text; a function result counts its result as text (or JSON);
/// binary data (images, files) counts a flat <see cref="DataContentTokens"/>.
/// </summary>
public sealed class EstimatingTokenCounter : ITokenCounter
{
    /// <summary>Characters per token assumed for text.</summary>
    public const int CharsPerToken = 4;

    /// <summary>Tokens added per message for its role and framing.</summary>
    public const int MessageOverheadTokens = 4;

    /// <summary>Tokens counted for one binary attachment.</summary>
    public const int DataContentTokens = 512;

    private EstimatingTokenCounter()
    {
    }

    /// <summary>Gets the single instance.</summary>
    public static EstimatingTokenCounter Instance { get; } = new();

    /// <summary>Estimates the tokens of <paramref name="text"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The estimate.</returns>
    public static int EstimateText(string? text) => string.IsNullOrEmpty(text) ? 0 : (text.Length + CharsPerToken - 1) / CharsPerToken;

    /// <inheritdoc />
    public int CountTokens(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        long chars = 0;
        long tokens = MessageOverheadTokens;
        IList<AIContent> contents = message.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent text:
                    chars += text.Text?.Length ?? 0;
                    break;
                case TextReasoningContent reasoning:
                    chars += reasoning.Text?.Length ?? 0;
                    break;
                case FunctionCallContent call:
                    chars += call.Name.Length + call.CallId.Length;
                    if (call.Arguments is Dictionary<string, object?> dictionary)
                    {
                        // Why: providers hand a Dictionary; its struct enumerator avoids a boxed one per call.
                        foreach (KeyValuePair<string, object?> argument in dictionary)
                        {
                            chars += argument.Key.Length + 4 + ValueLength(argument.Value);
                        }
                    }
                    else if (call.Arguments is not null)
                    {
                        foreach (KeyValuePair<string, object?> argument in call.Arguments)
                        {
                            chars += argument.Key.Length + 4 + ValueLength(argument.Value);
                        }
                    }

                    break;
                case FunctionResultContent result:
                    chars += result.CallId.Length + ValueLength(result.Result);
                    break;
                case DataContent:
                    tokens += DataContentTokens;
                    break;
                default:
                    break;
            }
        }

        tokens += (chars + CharsPerToken - 1) / CharsPerToken;
        return tokens > int.MaxValue ? int.MaxValue : (int)tokens;
    }

    internal static long ValueLength(object? value) => value switch
    {
        null => 4,
        string s => s.Length,
        JsonElement element => element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!.Length,

            // Why: a number or literal is ASCII, so its UTF-8 length is its length; read it without making a string.
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element).Length,
            _ => element.GetRawText().Length,
        },
        bool or int or long or double or float or decimal => 8,
        Exception ex => ex.Message.Length,
        _ => JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())).Length,
    };
}
