using System.Collections.Concurrent;
using Executus.Configuration;

namespace Executus.Lanes;

/// <summary>
/// The process's named lanes, created on first use with limits read from configuration
/// (<c>Executus:Lanes:{name}:MaxConcurrency</c>, <c>:MaxQueued</c>, <c>:MaxPerKey</c>, <c>:SubmitMode</c>,
/// <c>:ShutdownMode</c>). A lane's limits are fixed once it exists; disposing the registry shuts every lane down.
/// </summary>
public sealed class LaneRegistry : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _createLock = new();
    private readonly IConfigSource _config;
    private readonly TimeProvider _timeProvider;
    private readonly LaneOptions _defaults;
    private bool _disposed;

    /// <summary>Initializes a new registry.</summary>
    /// <param name="config">Where lane limits are read from.</param>
    /// <param name="timeProvider">The lanes' clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="defaults">Limits for keys missing from configuration; <see langword="null"/> for the built-in defaults.</param>
    public LaneRegistry(IConfigSource config, TimeProvider? timeProvider = null, LaneOptions? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _defaults = defaults?.Clone() ?? new LaneOptions();
    }

    /// <summary>Gets the lanes created so far.</summary>
    public IReadOnlyCollection<Lane> Lanes => [.. _lanes.Values];

    /// <summary>Returns the lane named <paramref name="name"/> (case-insensitive), creating it from configuration on first use.</summary>
    /// <param name="name">The lane's name, e.g. <c>interactive</c>; letters, digits, '-', '_' and '.'.</param>
    /// <returns>The lane.</returns>
    /// <exception cref="ArgumentException">The name is empty or has other characters.</exception>
    /// <exception cref="ConfigException">The lane's configuration is malformed.</exception>
    /// <exception cref="ObjectDisposedException">The registry was disposed.</exception>
    public Lane Get(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_lanes.TryGetValue(name, out Lane? lane))
        {
            return lane;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                throw new ArgumentException($"Lane name '{name}' may only contain letters, digits, '-', '_' and '.'.", nameof(name));
            }
        }

        lock (_createLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_lanes.TryGetValue(name, out lane))
            {
                lane = new Lane(name, LaneOptions.FromConfig(_config, name, _defaults), _timeProvider);
                _lanes[name] = lane;
            }

            return lane;
        }
    }

    /// <summary>Shuts every lane down (each with its configured shutdown mode) and waits for them to go idle.</summary>
    /// <returns>A task that completes when every lane is idle.</returns>
    public async ValueTask DisposeAsync()
    {
        MarkDisposed();

        foreach (Lane lane in _lanes.Values)
        {
            await lane.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Begins shutting every lane down (each with its configured shutdown mode) without waiting: lanes stop accepting
    /// jobs at once, running jobs finish on their own. Prefer <see cref="DisposeAsync"/>, which waits.
    /// </summary>
    public void Dispose()
    {
        MarkDisposed();
        foreach (Lane lane in _lanes.Values)
        {
            _ = lane.ShutdownAsync();
        }
    }

    private void MarkDisposed()
    {
        lock (_createLock)
        {
            _disposed = true;
        }
    }
}
