using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Executus.Mcp;

/// <summary>Turns an MCP tool result into the text the model sees, capped with a visible note.</summary>
internal static class McpResultText
{
    public static string Format(CallToolResult result)
    {
        StringBuilder text = new();
        foreach (ContentBlock block in result.Content)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(block switch
            {
                TextContentBlock t => t.Text,
                ImageContentBlock i => $"[image: {i.MimeType}, {i.Data.Length} base64 bytes]",
                AudioContentBlock a => $"[audio: {a.MimeType}, {a.Data.Length} base64 bytes]",
                EmbeddedResourceBlock { Resource: TextResourceContents r } => $"[resource {r.Uri}]\n{r.Text}",
                EmbeddedResourceBlock { Resource: BlobResourceContents b } => $"[resource {b.Uri}: {b.MimeType}, {b.Blob.Length} base64 bytes]",
                ResourceLinkBlock l => $"[resource link: {l.Name} {l.Uri}]",
                _ => JsonSerializer.Serialize(block, McpJsonUtilities.DefaultOptions),
            });
        }

        if (text.Length == 0 && result.StructuredContent is { } structured)
        {
            text.Append(structured.GetRawText());
        }

        return text.ToString();
    }

    public static string Cap(string text, int maxChars)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        int cut = maxChars;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{text.AsSpan(0, cut)}\n…[truncated: showing {cut:N0} of {text.Length:N0} characters]");
    }
}
