using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Executus.Auditing;

namespace Executus.Batteries.Audit;

/// <summary>
/// The default <see cref="IAuditRedactor"/>: masks every value whose key looks secret (key, token, password, secret,
/// authorization, credential, cookie… — in data entries and at any depth of the tool arguments
/// (<see cref="AuditEvent.Arguments"/>) or JSON-valued data) with
/// <see cref="Mask"/>, and truncates strings longer than <see cref="MaxValueLength"/> (inside JSON, each string on its own,
/// so JSON stays valid).
/// </summary>
public sealed class DefaultAuditRedactor : IAuditRedactor
{
    /// <summary>The text that replaces a secret value.</summary>
    public const string Mask = "***";

    private static readonly string[] SecretFragments =
    [
        "password", "passwd", "secret", "token", "authorization", "apikey", "privatekey", "accesskey", "credential", "cookie", "sessionid", "signature",
    ];

    private FrozenDictionary<string, string>? _lastCleanFrozen;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="maxValueLength">The longest string kept whole (default 2048 characters).</param>
    public DefaultAuditRedactor(int maxValueLength = 2048)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxValueLength, 16);
        MaxValueLength = maxValueLength;
    }

    /// <summary>Gets the longest string kept whole.</summary>
    public int MaxValueLength { get; }

    /// <summary>Returns whether <paramref name="key"/> looks like it names a secret.</summary>
    /// <param name="key">A data key or JSON property name.</param>
    /// <returns><see langword="true"/> when its value must be masked.</returns>
    public static bool IsSecretKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);

        // Why: called for every data key and argument name of every event; normalise on the stack, not in new strings.
        Span<char> buffer = key.Length <= 256 ? stackalloc char[key.Length] : new char[key.Length];
        int length = 0;
        foreach (char c in key)
        {
            if (c is not ('-' or '_'))
            {
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }

        ReadOnlySpan<char> normalized = buffer[..length];
        if (normalized.EndsWith("key", StringComparison.Ordinal) || normalized.SequenceEqual("pwd") || normalized.SequenceEqual("auth"))
        {
            return true;
        }

        foreach (string fragment in SecretFragments)
        {
            // Why: short names (i, id, url, path) are the common case; a fragment longer than the name cannot be in it.
            if (fragment.Length <= length && normalized.Contains(fragment, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public AuditEvent Redact(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        bool changed = false;
        Dictionary<string, string>? data = null;
        IReadOnlyDictionary<string, string> original = auditEvent.Data;

        // Why: most events carry no data, and the kernel's carry a Dictionary; neither needs a boxed enumerator.
        if (original is Dictionary<string, string> dictionary)
        {
            foreach (KeyValuePair<string, string> pair in dictionary)
            {
                RedactEntry(original, pair, ref data);
            }
        }
        else if (original is FrozenDictionary<string, string> frozen)
        {
            // The kernel's run-finished data: shared and immutable, so one found clean stays clean (remembered by
            // reference; a struct enumerator otherwise).
            if (!ReferenceEquals(frozen, Volatile.Read(ref _lastCleanFrozen)))
            {
                foreach (KeyValuePair<string, string> pair in frozen)
                {
                    RedactEntry(original, pair, ref data);
                }

                if (data is null)
                {
                    Volatile.Write(ref _lastCleanFrozen, frozen);
                }
            }
        }
        else if (original.Count > 0)
        {
            foreach (KeyValuePair<string, string> pair in original)
            {
                RedactEntry(original, pair, ref data);
            }
        }

        string? detail = auditEvent.Detail is null ? null : Truncate(auditEvent.Detail);
        JsonElement? redactedArguments = null;

        // Why: a tool call's argument pairs are checked as they are; their JSON is built only when one needs redaction.
        if ((auditEvent.ArgumentValues is not { } values || MayNeedRedaction(values))
            && auditEvent.Arguments is { } json
            && TryRedactJson(json, out JsonElement redacted))
        {
            redactedArguments = redacted;
            changed = true;
        }

        changed |= data is not null || !string.Equals(detail, auditEvent.Detail, StringComparison.Ordinal);
        if (!changed)
        {
            return auditEvent;
        }

        AuditEvent result = auditEvent with { Data = data ?? auditEvent.Data, Detail = detail };
        return redactedArguments is null ? result : result with { Arguments = redactedArguments };
    }

    private void RedactEntry(IReadOnlyDictionary<string, string> original, KeyValuePair<string, string> pair, ref Dictionary<string, string>? data)
    {
        string value = IsSecretKey(pair.Key) ? Mask : RedactText(pair.Value);
        if (!string.Equals(value, pair.Value, StringComparison.Ordinal))
        {
            data ??= new Dictionary<string, string>(original, StringComparer.Ordinal);
            data[pair.Key] = value;
        }
    }

    /// <summary>Redacts a JSON value: secret-keyed properties masked and long strings truncated, at any depth.</summary>
    /// <param name="json">The value.</param>
    /// <returns>The redacted value (the same value when nothing changed).</returns>
    public JsonElement RedactJson(JsonElement json) => TryRedactJson(json, out JsonElement redacted) ? redacted : json;

    private bool TryRedactJson(JsonElement json, out JsonElement redacted)
    {
        redacted = json;
        if (json.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.String) || !MayNeedRedaction(json, 0))
        {
            return false;
        }

        JsonNode? node = JsonNode.Parse(json.GetRawText());
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            string text = value.GetValue<string>();
            string truncated = Truncate(text);
            if (ReferenceEquals(text, truncated))
            {
                return false;
            }

            node = JsonValue.Create(truncated);
        }
        else if (node is null || !RedactNode(node))
        {
            return false;
        }

        using JsonDocument document = JsonDocument.Parse(node.ToJsonString());
        redacted = document.RootElement.Clone();
        return true;
    }

    private bool MayNeedRedaction(IReadOnlyCollection<KeyValuePair<string, object?>> values)
    {
        if (values is IReadOnlyList<KeyValuePair<string, object?>> list)
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (MayNeedRedaction(list[i]))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (KeyValuePair<string, object?> pair in values)
        {
            if (MayNeedRedaction(pair))
            {
                return true;
            }
        }

        return false;
    }

    private bool MayNeedRedaction(KeyValuePair<string, object?> pair) =>
        IsSecretKey(pair.Key) || pair.Value switch
        {
            null or bool or int or long or double or float or decimal or short or byte or sbyte or ushort or uint or ulong => false,
            string text => text.Length > MaxValueLength,
            JsonElement element => MayNeedRedaction(element, 1),
            _ => true,
        };

    // Why: most arguments hold no secret key and no long string; find that out by reading the element, without building
    // a mutable copy. True is conservative (the full pass decides), false is exact.
    private bool MayNeedRedaction(JsonElement json, int depth)
    {
        if (depth > 64)
        {
            return true;
        }

        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                return json.GetString()!.Length > MaxValueLength;
            case JsonValueKind.Object:
                foreach (JsonProperty property in json.EnumerateObject())
                {
                    if (IsSecretKey(property.Name) || MayNeedRedaction(property.Value, depth + 1))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.Array:
                foreach (JsonElement item in json.EnumerateArray())
                {
                    if (MayNeedRedaction(item, depth + 1))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private string RedactText(string value)
    {
        string trimmed = value.TrimStart();
        if (trimmed.Length > 1 && (trimmed[0] == '{' || trimmed[0] == '['))
        {
            try
            {
                // Why: JSON stays valid JSON; its long strings are truncated one by one instead of the whole text.
                JsonNode? node = JsonNode.Parse(value);
                if (node is not null)
                {
                    return RedactNode(node) ? node.ToJsonString() : value;
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: treat it as text.
            }
        }

        return Truncate(value);
    }

    private bool RedactNode(JsonNode node)
    {
        bool changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (string name in obj.Select(p => p.Key).ToList())
                {
                    JsonNode? child = obj[name];
                    if (IsSecretKey(name))
                    {
                        if (child is not JsonValue value || value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() != Mask)
                        {
                            obj[name] = Mask;
                            changed = true;
                        }
                    }
                    else if (child is not null)
                    {
                        changed |= RedactChild(child, replacement => obj[name] = replacement);
                    }
                }

                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item)
                    {
                        int index = i;
                        changed |= RedactChild(item, replacement => array[index] = replacement);
                    }
                }

                break;
        }

        return changed;
    }

    private bool RedactChild(JsonNode child, Action<JsonNode> replace)
    {
        if (child is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            string text = value.GetValue<string>();
            string truncated = Truncate(text);
            if (!ReferenceEquals(text, truncated))
            {
                replace(JsonValue.Create(truncated));
                return true;
            }

            return false;
        }

        return RedactNode(child);
    }

    private string Truncate(string value) =>
        value.Length <= MaxValueLength ? value : $"{value[..MaxValueLength]}…[truncated {value.Length - MaxValueLength} chars]";
}
