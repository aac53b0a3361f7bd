using System.Threading.Channels;
using Executus.Auditing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Batteries.Audit;

/// <summary>
/// The Audit battery's <see cref="IAudit"/>: events go into a bounded queue and a background loop redacts them and
/// writes them to an <see cref="IAuditStore"/> in batches. A run waits only when the queue is full, and then at most
/// <see cref="AuditWriterOptions.FullWait"/>; a failing store is retried, then its batch is dropped. Nothing is dropped
/// silently: every drop is counted in <see cref="Statistics"/> and the <c>executus.audit.events.dropped</c> metric, and
/// the first drop of each kind is logged. <see cref="FlushAsync"/> and dispose drain what is queued. With an
/// <see cref="InMemoryAuditStore"/> (and <see cref="AuditWriterOptions.WriteInline"/>, the default) an event is redacted
/// and stored on the recording thread instead when nothing is queued and the store is free at that moment.
/// </summary>
public sealed partial class AuditWriter : IAudit, IAsyncDisposable, IDisposable
{
    private readonly IAuditStore _store;
    private readonly AuditWriterOptions _options;
    private readonly IAuditRedactor _redactor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<AuditEvent> _channel;
    private readonly Task _loop;
    private readonly InMemoryAuditStore? _inline;
    private readonly bool _systemClock;
    private readonly Lock _waitersGate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
    private readonly long[] _dropped = new long[Enum.GetValues<AuditDropReason>().Length];
    private readonly int[] _dropLogged = new int[Enum.GetValues<AuditDropReason>().Length];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _received;
    private long _enqueued;
    private long _processed;
    private long _written;
    private long _storeFailures;
    private int _disposed;

    // Why: inline writes on the system clock read it at most once per tick of the coarse millisecond counter (the
    // pair is read without a lock; a torn read only gives a written time one tick older or newer).
    private long _writtenAtTick = long.MinValue;
    private long _writtenAtTicks;

    /// <summary>Initializes a new writer and starts its background loop.</summary>
    /// <param name="store">Where records go.</param>
    /// <param name="options">The settings; defaults when null.</param>
    /// <param name="redactor">The redactor; a <see cref="DefaultAuditRedactor"/> when null.</param>
    /// <param name="timeProvider">The clock for written times and retry pauses; the system clock when null.</param>
    /// <param name="logger">Logs drops and store failures; none when null.</param>
    public AuditWriter(IAuditStore store, AuditWriterOptions? options = null, IAuditRedactor? redactor = null, TimeProvider? timeProvider = null, ILogger<AuditWriter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _options = options ?? new AuditWriterOptions();
        _options.Validate();
        _store = store;
        _redactor = redactor ?? new DefaultAuditRedactor(_options.MaxValueLength);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _channel = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(_options.Capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _inline = _options.WriteInline ? store as InMemoryAuditStore : null;
        _systemClock = ReferenceEquals(_time, TimeProvider.System);
        _loop = Task.Run(RunLoopAsync);
    }

    /// <summary>Gets what the writer did with the events it was given.</summary>
    public AuditWriterStatistics Statistics
    {
        get
        {
            long received = Interlocked.Read(ref _received);
            long written = Interlocked.Read(ref _written);
            long[] dropped = new long[_dropped.Length];
            for (int i = 0; i < dropped.Length; i++)
            {
                dropped[i] = Interlocked.Read(ref _dropped[i]);
            }

            return new AuditWriterStatistics
            {
                Received = received,
                Written = written,
                DroppedQueueFull = dropped[(int)AuditDropReason.QueueFull],
                DroppedStoreFailed = dropped[(int)AuditDropReason.StoreFailed],
                DroppedRedactionFailed = dropped[(int)AuditDropReason.RedactionFailed],
                DroppedDisposed = dropped[(int)AuditDropReason.Disposed],
                DroppedCancelled = dropped[(int)AuditDropReason.Cancelled],
                Queued = received - written - dropped.Sum(),
                StoreFailures = Interlocked.Read(ref _storeFailures),
            };
        }
    }

    /// <inheritdoc />
    /// <remarks>Never throws for a full queue, a failing store or a cancelled token: such events are dropped and counted.</remarks>
    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        Interlocked.Increment(ref _received);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Drop(AuditDropReason.Disposed, 1);
            return ValueTask.CompletedTask;
        }

        // Why: only when nothing is queued, so a thread's events are never stored ahead of its own queued ones.
        if (_inline is { } memory && Interlocked.Read(ref _enqueued) == Interlocked.Read(ref _processed) && TryWriteInline(memory, auditEvent))
        {
            return ValueTask.CompletedTask;
        }

        if (_channel.Writer.TryWrite(auditEvent))
        {
            Enqueued();
            return ValueTask.CompletedTask;
        }

        return WaitForRoomAsync(auditEvent, cancellationToken);
    }

    /// <summary>Waits until every event given before this call has been written or dropped.</summary>
    /// <param name="cancellationToken">A token to stop waiting (the events stay queued).</param>
    /// <returns>A task that completes when the queue up to this call is drained.</returns>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        long target = Interlocked.Read(ref _enqueued);
        lock (_waitersGate)
        {
            if (Interlocked.Read(ref _processed) >= target || _loop.IsCompleted)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, done));
            Volatile.Read(ref _wake).TrySetResult();
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops taking events and waits for everything queued to be written or dropped.</summary>
    /// <returns>A task that completes when the queue is drained.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _channel.Writer.TryComplete();
            Volatile.Read(ref _wake).TrySetResult();
        }

        await _loop.ConfigureAwait(false);
    }

    /// <summary>Stops taking events and waits up to <see cref="AuditWriterOptions.DrainTimeout"/> for the queue to drain.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _channel.Writer.TryComplete();
            Volatile.Read(ref _wake).TrySetResult();
        }

        // Why: a synchronously disposed container must not hang on a stuck store; the bound is explicit.
        if (!_loop.Wait(_options.DrainTimeout))
        {
            LogDrainTimeout(_logger, _options.DrainTimeout, Statistics.Queued);
        }
    }

    /// <summary>Redacts and stores one event on the caller's thread; false (queue it) when the store is busy.</summary>
    private bool TryWriteInline(InMemoryAuditStore memory, AuditEvent auditEvent)
    {
        if (Redact(auditEvent) is not { } redacted)
        {
            return true;
        }

        try
        {
            if (!memory.TryAppend(redacted, AuditIds.NewGuid(redacted.Timestamp), InlineWrittenAt()))
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _storeFailures);
            AuditTelemetry.StoreFailures.Add(1);
            LogStoreFailure(_logger, ex, 1, 1);
            Drop(AuditDropReason.StoreFailed, 1);
            return true;
        }

        Interlocked.Increment(ref _written);
        AuditTelemetry.Written.Add(1);
        return true;
    }

    private DateTimeOffset InlineWrittenAt()
    {
        if (!_systemClock)
        {
            return _time.GetUtcNow();
        }

        long tick = Environment.TickCount64;
        if (tick != Volatile.Read(ref _writtenAtTick))
        {
            DateTimeOffset now = _time.GetUtcNow();
            Volatile.Write(ref _writtenAtTicks, now.UtcTicks);
            Volatile.Write(ref _writtenAtTick, tick);
            return now;
        }

        return new DateTimeOffset(Volatile.Read(ref _writtenAtTicks), TimeSpan.Zero);
    }

    private void Enqueued()
    {
        Interlocked.Increment(ref _enqueued);
        AuditTelemetry.Queued.Add(1);
    }

    private async ValueTask WaitForRoomAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.FullWait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            while (await _channel.Writer.WaitToWriteAsync(linked.Token).ConfigureAwait(false))
            {
                if (_channel.Writer.TryWrite(auditEvent))
                {
                    Enqueued();
                    return;
                }
            }

            Drop(AuditDropReason.Disposed, 1);
        }
        catch (OperationCanceledException)
        {
            Drop(cancellationToken.IsCancellationRequested ? AuditDropReason.Cancelled : AuditDropReason.QueueFull, 1);
        }
    }

    private async Task RunLoopAsync()
    {
        ChannelReader<AuditEvent> reader = _channel.Reader;

        // Why: the in-memory store takes events and ids directly; a record object per event would be built only to be
        // taken apart again.
        InMemoryAuditStore? memory = _store as InMemoryAuditStore;
        var batch = new List<AuditRecord>(memory is null ? _options.BatchSize : 0);
        (AuditEvent Event, Guid Id)[] events = memory is null ? [] : new (AuditEvent, Guid)[_options.BatchSize];
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                int taken = 0;
                int prepared = 0;
                DateTimeOffset writtenAt = _time.GetUtcNow();
                while (taken < _options.BatchSize && reader.TryRead(out AuditEvent? auditEvent))
                {
                    taken++;
                    if (Redact(auditEvent) is not { } redacted)
                    {
                        continue;
                    }

                    Guid id = AuditIds.NewGuid(redacted.Timestamp);
                    if (memory is null)
                    {
                        batch.Add(new AuditRecord(id, redacted, writtenAt));
                    }
                    else
                    {
                        events[prepared++] = (redacted, id);
                    }
                }

                if (batch.Count > 0)
                {
                    await WriteBatchAsync(batch).ConfigureAwait(false);
                }

                if (prepared > 0)
                {
                    WriteToMemory(memory!, events.AsSpan(0, prepared), writtenAt);
                    Array.Clear(events, 0, prepared);
                }

                batch.Clear();
                AuditTelemetry.Queued.Add(-taken);
                Processed(taken);
                if (taken < _options.BatchSize && _options.Linger > TimeSpan.Zero)
                {
                    await LingerAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ReleaseAllWaiters();
        }
    }

    private void WriteToMemory(InMemoryAuditStore memory, ReadOnlySpan<(AuditEvent Event, Guid Id)> events, DateTimeOffset writtenAt)
    {
        try
        {
            memory.Append(events, writtenAt);
            Interlocked.Add(ref _written, events.Length);
            AuditTelemetry.Written.Add(events.Length);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _storeFailures);
            AuditTelemetry.StoreFailures.Add(1);
            LogStoreFailure(_logger, ex, events.Length, 1);
            Drop(AuditDropReason.StoreFailed, events.Length);
        }
    }

    // Why: gather a burst of events for one wake instead of a thread hop per event; a flush or disposal ends it early.
    private async Task LingerAsync()
    {
        TaskCompletionSource wake = Volatile.Read(ref _wake);
        if (!wake.Task.IsCompleted)
        {
            await Task.WhenAny(Task.Delay(_options.Linger, TimeProvider.System), wake.Task).ConfigureAwait(false);
        }

        if (wake.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
        }
    }

    private AuditEvent? Redact(AuditEvent auditEvent)
    {
        try
        {
            return _redactor.Redact(auditEvent) ?? throw new InvalidOperationException($"The audit redactor {_redactor.GetType().Name} returned null.");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRedactionFailure(_logger, ex, auditEvent.Kind, auditEvent.RunId);
            Drop(AuditDropReason.RedactionFailed, 1);
            return null;
        }
    }

    private async Task WriteBatchAsync(List<AuditRecord> batch)
    {
        AuditRecord[] records = [.. batch];
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await _store.AppendAsync(records, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Add(ref _written, records.Length);
                AuditTelemetry.Written.Add(records.Length);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _storeFailures);
                AuditTelemetry.StoreFailures.Add(1);
                if (attempt >= _options.StoreRetries)
                {
                    LogStoreFailure(_logger, ex, records.Length, attempt + 1);
                    Drop(AuditDropReason.StoreFailed, records.Length);
                    return;
                }
            }

            if (_options.RetryDelay > TimeSpan.Zero)
            {
                await Task.Delay(_options.RetryDelay, _time).ConfigureAwait(false);
            }
        }
    }

    private void Processed(int count)
    {
        long processed = Interlocked.Add(ref _processed, count);
        lock (_waitersGate)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Target <= processed)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private void ReleaseAllWaiters()
    {
        lock (_waitersGate)
        {
            foreach ((long _, TaskCompletionSource done) in _waiters)
            {
                done.TrySetResult();
            }

            _waiters.Clear();
        }
    }

    private void Drop(AuditDropReason reason, int count)
    {
        Interlocked.Add(ref _dropped[(int)reason], count);
        AuditTelemetry.Dropped.Add(count, new KeyValuePair<string, object?>("reason", ReasonTag(reason)));
        if (Interlocked.Exchange(ref _dropLogged[(int)reason], 1) == 0)
        {
            LogFirstDrop(_logger, reason, count);
        }
    }

    private static string ReasonTag(AuditDropReason reason) => reason switch
    {
        AuditDropReason.QueueFull => "queue_full",
        AuditDropReason.StoreFailed => "store_failed",
        AuditDropReason.RedactionFailed => "redaction_failed",
        AuditDropReason.Disposed => "disposed",
        _ => "cancelled",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit events dropped ({Reason}, {Count} this time); further drops of this kind are only counted in executus.audit.events.dropped.")]
    private static partial void LogFirstDrop(ILogger logger, AuditDropReason reason, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit store failed a batch of {Count} events {Attempts} times; the batch is dropped.")]
    private static partial void LogStoreFailure(ILogger logger, Exception exception, int count, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit redactor failed on a {Kind} event of run {RunId}; the event is dropped rather than stored unredacted.")]
    private static partial void LogRedactionFailure(ILogger logger, Exception exception, AuditEventKind kind, string? runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit writer did not drain within {Timeout}; {Queued} events were still queued.")]
    private static partial void LogDrainTimeout(ILogger logger, TimeSpan timeout, long queued);
}
