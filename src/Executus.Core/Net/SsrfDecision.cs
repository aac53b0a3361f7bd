using System.Net;

namespace Executus.Net;

/// <summary>The outcome of an <see cref="SsrfGuard"/> check: allowed, or blocked with a typed reason and a readable detail.</summary>
public sealed record SsrfDecision
{
    private SsrfDecision(SsrfBlockReason reason, string? host, IPAddress? address, string detail, bool allowListed)
    {
        Reason = reason;
        Host = host;
        Address = address;
        Detail = detail;
        AllowListed = allowListed;
    }

    /// <summary>Gets whether the target may be contacted.</summary>
    public bool IsAllowed => Reason == SsrfBlockReason.None;

    /// <summary>Gets why the target was blocked, or <see cref="SsrfBlockReason.None"/>.</summary>
    public SsrfBlockReason Reason { get; }

    /// <summary>Gets the host that was checked, when known.</summary>
    public string? Host { get; }

    /// <summary>Gets the IP address that decided the outcome, when there was one.</summary>
    public IPAddress? Address { get; }

    /// <summary>Gets a readable explanation, suitable for a tool error shown to a model.</summary>
    public string Detail { get; }

    /// <summary>Gets whether the target was allowed only because of an allow-list entry.</summary>
    public bool AllowListed { get; }

    /// <summary>Creates an allowing decision.</summary>
    /// <param name="host">The host.</param>
    /// <param name="address">The address, if one was checked.</param>
    /// <param name="allowListed">Whether an allow-list entry decided it.</param>
    /// <returns>The decision.</returns>
    public static SsrfDecision Allow(string? host, IPAddress? address = null, bool allowListed = false) =>
        new(SsrfBlockReason.None, host, address, allowListed ? $"'{host ?? address?.ToString()}' is allow-listed" : "allowed", allowListed);

    /// <summary>Creates a blocking decision.</summary>
    /// <param name="reason">Why; must not be <see cref="SsrfBlockReason.None"/>.</param>
    /// <param name="detail">A readable explanation.</param>
    /// <param name="host">The host.</param>
    /// <param name="address">The address that was refused, if any.</param>
    /// <returns>The decision.</returns>
    public static SsrfDecision Block(SsrfBlockReason reason, string detail, string? host = null, IPAddress? address = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(detail);
        if (reason == SsrfBlockReason.None)
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "A blocking decision needs a reason other than None.");
        }

        return new(reason, host, address, detail, allowListed: false);
    }

    /// <inheritdoc />
    public override string ToString() => IsAllowed ? Detail : $"blocked ({Reason}): {Detail}";
}
