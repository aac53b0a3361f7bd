using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>Renders messages as plain text for a summarizing model.</summary>
internal static class TranscriptRenderer
{
    public static string Render(IEnumerable<ChatMessage> messages, int maxCharsPerContent = 2_000)
    {
        var builder = new StringBuilder();
        foreach (ChatMessage message in messages)
        {
            foreach (AIContent content in message.Contents)
            {
                string? line = content switch
                {
                    TextContent text when !string.IsNullOrWhiteSpace(text.Text) => text.Text,
                    FunctionCallContent call => $"[calls tool {call.Name}({Serialize(call.Arguments)})]",
                    FunctionResultContent result => $"[tool result {result.CallId}: {Serialize(result.Result)}]",
                    DataContent data => $"[attachment {data.MediaType}]",
                    _ => null,
                };
                if (line is null)
                {
                    continue;
                }

                if (line.Length > maxCharsPerContent)
                {
                    line = string.Concat(line.AsSpan(0, maxCharsPerContent), "…");
                }

                builder.Append(message.Role.Value).Append(": ").Append(line).Append('\n');
            }
        }

        return builder.ToString();
    }

    public static string Serialize(object? value) => value switch
    {
        null => "null",
        string s => s,
        JsonElement element => element.GetRawText(),
        _ => JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
    };
}
