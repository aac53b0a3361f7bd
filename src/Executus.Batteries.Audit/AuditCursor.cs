using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Executus.Batteries.Audit;

/// <summary>
/// A position in a newest-first listing: the last record returned (its observed time and id). Stores page with
/// "strictly older than the cursor", so records appended between pages neither repeat nor shift the listing.
/// </summary>
/// <param name="ObservedAt">The last returned record's observed time.</param>
/// <param name="Id">The last returned record's id.</param>
public readonly record struct AuditCursor(DateTimeOffset ObservedAt, string Id)
{
    /// <summary>Gets the cursor after <paramref name="record"/>.</summary>
    /// <param name="record">The last record of a page.</param>
    /// <returns>The cursor.</returns>
    public static AuditCursor After(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.ObservedAt, record.Id);
    }

    /// <summary>Reads a cursor produced by <see cref="ToString"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cursor">The cursor when well formed.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out AuditCursor cursor)
    {
        cursor = default;
        int dot = text?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0 || dot == text!.Length - 1
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        cursor = new AuditCursor(new DateTimeOffset(ticks, TimeSpan.Zero), text[(dot + 1)..]);
        return true;
    }

    /// <summary>Reads a cursor or throws.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The cursor.</returns>
    /// <exception cref="ArgumentException">The text is not a cursor.</exception>
    public static AuditCursor Parse(string text) =>
        TryParse(text, out AuditCursor cursor) ? cursor : throw new ArgumentException($"'{text}' is not an audit cursor.", nameof(text));

    /// <summary>Returns whether a record at (<paramref name="observedAt"/>, <paramref name="id"/>) comes after this cursor in newest-first order.</summary>
    /// <param name="observedAt">The record's observed time.</param>
    /// <param name="id">The record's id.</param>
    /// <returns><see langword="true"/> when the record is strictly older.</returns>
    public bool Precedes(DateTimeOffset observedAt, string id) =>
        observedAt < ObservedAt || (observedAt == ObservedAt && string.CompareOrdinal(id, Id) < 0);

    /// <summary>Formats the cursor as an opaque token (<c>ticks.id</c>).</summary>
    /// <returns>The token.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ObservedAt.UtcTicks}.{Id}");
}
