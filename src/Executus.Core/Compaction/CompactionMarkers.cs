using Microsoft.Extensions.AI;

namespace Executus.Compaction;

/// <summary>
/// How <see cref="TokenBudgetCompactor"/> marks what it wrote: the <see cref="Key"/> entry of a message's or a tool
/// result's <see cref="AIContent.AdditionalProperties"/> (or <see cref="ChatMessage.AdditionalProperties"/>) holds one of
/// the values below. Markers are recognised by this property, never by their (human-readable) text.
/// </summary>
public static class CompactionMarkers
{
    /// <summary>The <c>AdditionalProperties</c> key: <c>executus.compaction</c>.</summary>
    public const string Key = "executus.compaction";

    /// <summary>A message that summarizes earlier turns.</summary>
    public const string Summary = "summary";

    /// <summary>A message standing for earlier turns that were dropped.</summary>
    public const string Removed = "removed";

    /// <summary>A tool result replaced by an eviction notice.</summary>
    public const string Evicted = "evicted";

    /// <summary>A tool result whose middle was trimmed.</summary>
    public const string TrimmedResult = "trimmed-result";

    /// <summary>A pinned message (system or first user message) whose middle was trimmed.</summary>
    public const string TrimmedPinned = "trimmed-pinned";

    /// <summary>Gets the marker of <paramref name="message"/>, or null when compaction did not write or change it.</summary>
    /// <param name="message">The message.</param>
    /// <returns>One of the marker values, or null.</returns>
    public static string? Of(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.AdditionalProperties?.TryGetValue(Key, out object? value) == true ? value as string : null;
    }

    /// <summary>Gets the marker of <paramref name="content"/>, or null.</summary>
    /// <param name="content">The content.</param>
    /// <returns>One of the marker values, or null.</returns>
    public static string? Of(AIContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return content.AdditionalProperties?.TryGetValue(Key, out object? value) == true ? value as string : null;
    }

    internal static AdditionalPropertiesDictionary With(AdditionalPropertiesDictionary? existing, string marker)
    {
        AdditionalPropertiesDictionary copy = existing is null ? [] : new AdditionalPropertiesDictionary(existing);
        copy[Key] = marker;
        return copy;
    }
}
