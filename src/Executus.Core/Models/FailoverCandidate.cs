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
    public void StartCooldown(DateTimeOffset until)
    {
        long ticks = until.UtcTicks;
        long current = Interlocked.Read(ref _state.UntilTicks);
        while (ticks > current)
        {
            long seen = Interlocked.CompareExchange(ref _state.UntilTicks, ticks, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Ends any cool-down at once.</summary>
    public void ResetCooldown() => Interlocked.Exchange(ref _state.UntilTicks, 0);

    /// <inheritdoc />
    public override string ToString() => Name;

    private sealed class CooldownState
    {
#pragma warning disable SA1401, CA1051 // Why: a field is needed for Interlocked.
        public long UntilTicks;
#pragma warning restore SA1401, CA1051
    }
}
