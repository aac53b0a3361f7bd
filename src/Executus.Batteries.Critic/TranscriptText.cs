using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Executus.Configuration;
using Microsoft.Extensions.AI;

namespace Executus.Critics;

/// <summary>
/// Renders messages as short text for reviewers and operators with the audit battery's secret rule applied: any
/// value under a secret-looking key (in tool arguments or JSON tool results, at any depth) is masked.
/// </summary>
internal static class TranscriptText
{
    public const string Mask = "***";

    private static readonly string[] s_secretFragments =
    [
        "password", "passwd", "secret", "token", "authorization", "apikey", "privatekey", "accesskey", "credential", "cookie", "sessionid", "signature",
    ];

    /// <summary>The audit battery's rule (DefaultAuditRedactor.IsSecretKey) joined with Core's config rule.</summary>
    public static bool IsSecretKey(string key)
    {
        string normalized = key.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        if (normalized is "key" or "pwd" or "auth" || normalized.EndsWith("key", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (string fragment in s_secretFragments)
        {
            if (normalized.Contains(fragment, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return ConfigException.IsSecretKey(key);
    }

    public static string Render(IReadOnlyList<ChatMessage> messages, int last, int maxChars)
    {
        var text = new StringBuilder();
        for (int i = Math.Max(0, messages.Count - last); i < messages.Count; i++)
        {
            ChatMessage message = messages[i];
            foreach (AIContent content in message.Contents)
            {
                string line = content switch
                {
                    TextContent { Text.Length: > 0 } t => $"{message.Role}: {Cut(t.Text, maxChars)}",
                    FunctionCallContent call => $"{message.Role}: call {call.Name}({Arguments(call.Arguments, maxChars)})",
                    FunctionResultContent result => $"{message.Role}: result of {result.CallId}: {(result.Exception is null ? string.Empty : "ERROR ")}{Cut(Redact(result.Result?.ToString() ?? string.Empty), maxChars)}",
                    _ => string.Empty,
                };
                if (line.Length > 0)
                {
                    text.AppendLine(line);
                }
            }
        }

        return text.ToString().TrimEnd();
    }

    public static string Arguments(IDictionary<string, object?>? arguments, int maxChars)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return string.Empty;
        }

        var node = new JsonObject();
        foreach (KeyValuePair<string, object?> pair in arguments.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            node[pair.Key] = IsSecretKey(pair.Key) ? Mask : ToNode(pair.Value);
        }

        MaskNode(node);
        return Cut(node.ToJsonString(), maxChars);
    }

    /// <summary>A canonical form of a call's arguments (sorted keys) for repetition checks.</summary>
    public static string Fingerprint(FunctionCallContent call)
    {
        var node = new JsonObject();
        foreach (KeyValuePair<string, object?> pair in (call.Arguments ?? new Dictionary<string, object?>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            node[pair.Key] = ToNode(pair.Value);
        }

        return call.Name + " " + node.ToJsonString();
    }

    private static string Redact(string text)
    {
        string trimmed = text.TrimStart();
        if (trimmed.Length > 1 && (trimmed[0] == '{' || trimmed[0] == '['))
        {
            try
            {
                if (JsonNode.Parse(text) is { } node)
                {
                    MaskNode(node);
                    return node.ToJsonString();
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: kept as text.
            }
        }

        return text;
    }

    private static JsonNode? ToNode(object? value)
    {
        try
        {
            return value switch
            {
                null => null,
                JsonElement element => JsonNode.Parse(element.GetRawText()),
                JsonNode n => n.DeepClone(),
                string s => JsonValue.Create(s),
                _ => JsonSerializer.SerializeToNode(value, AIJsonUtilities.DefaultOptions),
            };
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
    }

    private static void MaskNode(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (string key in obj.Select(p => p.Key).ToList())
                {
                    if (IsSecretKey(key))
                    {
                        obj[key] = Mask;
                    }
                    else if (obj[key] is { } child)
                    {
                        MaskNode(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                {
                    if (item is not null)
                    {
                        MaskNode(item);
                    }
                }

                break;
        }
    }

    private static string Cut(string text, int maxChars) =>
        text.Length <= maxChars ? text : string.Concat(text.AsSpan(0, maxChars), "…");
}
