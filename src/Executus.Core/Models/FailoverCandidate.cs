using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// One candidate of a <see cref="ModelFailoverChatClient"/>: a named client plus its cool-down state. Candidates may be
/// shared by several failover clients (the <see cref="ModelTierResolver"/> does so), and then share the cool-down.
/// </summary>
/// <remarks>This type is thread-safe.</remarks>
public sealed class FailoverCandidate
{
    private readonly CooldownState _state;

    /// <summary>Initializes a new candidate.</summary>
    /// <param name="name">The candidate's name in errors and telemetry, typically its model reference.</param>
    /// <param name="client">The client.</param>
    public FailoverCandidate(string name, IChatClient client)
        : this(name, client, new CooldownState())
    {
    }

    /// <summary>Initializes a new candidate that shares its cool-down with <paramref name="sharesCooldownWith"/>.</summary>
    /// <param name="name">The candidate's name.</param>
    /// <param name="client">The client.</param>
    /// <param name="sharesCooldownWith">A candidate for the same model (e.g. in another tier).</param>
    public FailoverCandidate(string name, IChatClient client, FailoverCandidate sharesCooldownWith)
        : this(name, client, (sharesCooldownWith ?? throw new ArgumentNullException(nameof(sharesCooldownWith)))._state)
    {
    }

    private FailoverCandidate(string name, IChatClient client, CooldownState state)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(client);
        Name = name;
        Client = client;
        _state = state;
    }

    /// <summary>Gets the candidate's name.</summary>
    public string Name { get; }

    /// <summary>Gets the client.</summary>
    public IChatClient Client { get; }

    /// <summary>Gets when the candidate's cool-down ends, or null when it never failed transiently.</summary>
    public DateTimeOffset? CooldownUntil
    {
        get
        {
            long ticks = Interlocked.Read(ref _state.UntilTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Returns whether the candidate is cooling down at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when it should be skipped.</returns>
    public bool IsCoolingDown(DateTimeOffset now) => Interlocked.Read(ref _state.UntilTicks) > now.UtcTicks;

    /// <summary>Puts the candidate in cool-down until <paramref name="until"/> (never shortens a longer cool-down).</summary>
    /// <param name="until">The end of the cool-down.</param>
    public void StartCooldown(DateTimeOffset until) => StartCooldown(until, serverImposed: false);

    /// <summary>
    /// Puts the candidate in cool-down until <paramref name="until"/> (never shortens a longer cool-down). A
    /// server-imposed cool-down (the server's <c>Retry-After</c>) is never cut short by a probe.
    /// </summary>
    /// <param name="until">The end of the cool-down.</param>
    /// <param name="serverImposed">Whether the server asked for this wait.</param>
    public void StartCooldown(DateTimeOffset until, bool serverImposed)
    {
        Raise(ref _state.UntilTicks, until.UtcTicks);
        if (serverImposed)
        {
            Raise(ref _state.ServerUntilTicks, until.UtcTicks);
        }
    }

    /// <summary>Ends any cool-down at once.</summary>
    public void ResetCooldown()
    {
        Interlocked.Exchange(ref _state.UntilTicks, 0);
        Interlocked.Exchange(ref _state.ServerUntilTicks, 0);
    }

    /// <summary>
    /// Takes the right to probe this cooling candidate at <paramref name="now"/>: granted when no server-imposed
    /// cool-down is running and no probe was granted within <paramref name="interval"/> (across every failover client
    /// sharing this candidate's cool-down).
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="interval">The least time between two probes.</param>
    /// <returns><see langword="true"/> when the caller may try the candidate once.</returns>
    public bool TryTakeProbe(DateTimeOffset now, TimeSpan interval)
    {
        long nowTicks = now.UtcTicks;
        if (Interlocked.Read(ref _state.ServerUntilTicks) > nowTicks)
        {
            return false;
        }

        long last = Interlocked.Read(ref _state.LastProbeTicks);
        if (last != 0 && nowTicks - last < interval.Ticks)
        {
            return false;
        }

        return Interlocked.CompareExchange(ref _state.LastProbeTicks, nowTicks, last) == last;
    }

    private static void Raise(ref long field, long ticks)
    {
        long current = Interlocked.Read(ref field);
        while (ticks > current)
        {
            long seen = Interlocked.CompareExchange(ref field, ticks, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private sealed class CooldownState
    {
#pragma warning disable SA1401, CA1051 // Why: a field is needed for Interlocked.
        public long UntilTicks;

        public long ServerUntilTicks;

        public long LastProbeTicks;
#pragma warning restore SA1401, CA1051
    }
}
