using System.Diagnostics;
using Executus.Lanes;

namespace Executus.Fanout;

/// <summary>The state of one fan-out while it runs.</summary>
internal sealed class FanOutRun<TRow, TColumn, T> : IDisposable
{
    private readonly IReadOnlyList<TRow> _rows;
    private readonly IReadOnlyList<TColumn> _columns;
    private readonly Func<TRow, TColumn, CancellationToken, Task<FanOutValue<T>>> _cell;
    private readonly FanOutOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _stop;
    private readonly FanOutCell<T>[] _cells;
    private int _next = -1;
    private int _succeeded;
    private int _quorumReached;
    private int _failedFast;

    public FanOutRun(
        IReadOnlyList<TRow> rows,
        IReadOnlyList<TColumn> columns,
        Func<TRow, TColumn, CancellationToken, Task<FanOutValue<T>>> cell,
        FanOutOptions options,
        CancellationToken cancellationToken)
    {
        _rows = rows;
        _columns = columns;
        _cell = cell;
        _options = options;
        _timeProvider = options.TimeProvider ?? TimeProvider.System;
        _callerToken = cancellationToken;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _cells = new FanOutCell<T>[rows.Count * columns.Count];
    }

    public async Task<FanOutResult<T>> RunAsync()
    {
        long started = _timeProvider.GetTimestamp();
        using Activity? activity = FanOutTelemetry.Source.StartActivity("fan_out");
        if (activity is not null)
        {
            activity.SetTag("executus.fanout.rows", _rows.Count);
            activity.SetTag("executus.fanout.columns", _columns.Count);
            activity.SetTag("executus.fanout.max_concurrency", _options.MaxConcurrency);
        }

        int loops = Math.Min(_options.MaxConcurrency, _cells.Length);
        var tasks = new Task[loops];
        for (int i = 0; i < loops; i++)
        {
            tasks[i] = LoopAsync();
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        string outcome = _callerToken.IsCancellationRequested ? "cancelled"
            : _quorumReached != 0 ? "quorum"
            : _failedFast != 0 ? "failed_fast"
            : "completed";
        if (FanOutTelemetry.Duration.Enabled)
        {
            FanOutTelemetry.Duration.Record(_timeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(FanOutTelemetry.OutcomeTag, outcome));
        }

        if (activity is not null)
        {
            activity.SetTag(FanOutTelemetry.OutcomeTag, outcome);
            foreach (FanOutCellStatus status in Enum.GetValues<FanOutCellStatus>())
            {
                activity.SetTag("executus.fanout.cells." + FanOutTelemetry.StatusName(status).ToLowerInvariant(), _cells.Count(c => c?.Status == status));
            }

            if (outcome is "cancelled" or "failed_fast")
            {
                activity.SetStatus(ActivityStatusCode.Error, outcome);
            }
        }

        _callerToken.ThrowIfCancellationRequested();
        return new FanOutResult<T>(_rows.Count, _columns.Count, _cells, _quorumReached != 0, _failedFast != 0);
    }

    public void Dispose() => _stop.Dispose();

    private async Task LoopAsync()
    {
        // Why: yield first so the loops start in parallel and the caller's thread is not held by the first cell.
        await Task.Yield();
        while (true)
        {
            int index = Interlocked.Increment(ref _next);
            if (index >= _cells.Length)
            {
                return;
            }

            int row = index / _columns.Count;
            int column = index % _columns.Count;
            if (_stop.IsCancellationRequested)
            {
                _cells[index] = new FanOutCell<T>(row, column, FanOutCellStatus.Cancelled, default, new OperationCanceledException(_stop.Token), null, TimeSpan.Zero);
                FanOutTelemetry.RecordCell(FanOutCellStatus.Cancelled, TimeSpan.Zero, started: false);
                continue;
            }

            FanOutCell<T> result = await RunCellAsync(row, column).ConfigureAwait(false);
            _cells[index] = result;
            FanOutTelemetry.RecordCell(result.Status, result.Duration, started: true);
            if (result.Succeeded)
            {
                if (_options.Quorum is { } quorum && Interlocked.Increment(ref _succeeded) == quorum)
                {
                    Interlocked.Exchange(ref _quorumReached, 1);
                    await _stop.CancelAsync().ConfigureAwait(false);
                }
            }
            else if (_options.FailFast && result.Status is FanOutCellStatus.Failed or FanOutCellStatus.TimedOut
                && Interlocked.Exchange(ref _failedFast, 1) == 0)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<FanOutCell<T>> RunCellAsync(int row, int column)
    {
        TimeSpan? timeout = _options.CellTimeout == Timeout.InfiniteTimeSpan ? null : _options.CellTimeout;
        long started = _timeProvider.GetTimestamp();
        using CancellationTokenSource? timeoutSource = timeout is { } t ? new CancellationTokenSource(t, _timeProvider) : null;
        using CancellationTokenSource? linked = timeoutSource is null
            ? null
            : CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, timeoutSource.Token);
        CancellationToken token = linked?.Token ?? _stop.Token;
        try
        {
            TRow rowItem = _rows[row];
            TColumn columnItem = _columns[column];
            Lane? lane = _options.Lane;
            Task<FanOutValue<T>> work = lane is null
                ? _cell(rowItem, columnItem, token)
                : lane.RunAsync(_options.LaneKey, ct => _cell(rowItem, columnItem, ct), LaneSubmitMode.Wait, token);

            // Why: WaitAsync abandons a cell that ignores its token, so one stuck cell cannot hold the grid past its timeout.
            FanOutValue<T> value = await work.WaitAsync(token).ConfigureAwait(false);
            return new FanOutCell<T>(row, column, FanOutCellStatus.Succeeded, value.Value, null, value.Usage, Elapsed(started));
        }
        catch (OperationCanceledException ex) when (_stop.IsCancellationRequested)
        {
            return new FanOutCell<T>(row, column, FanOutCellStatus.Cancelled, default, ex, null, Elapsed(started));
        }
        catch (OperationCanceledException ex) when (timeoutSource?.IsCancellationRequested == true)
        {
            var error = new TimeoutException($"Fan-out cell ({row},{column}) did not finish within {timeout}.", ex);
            return new FanOutCell<T>(row, column, FanOutCellStatus.TimedOut, default, error, null, Elapsed(started));
        }
#pragma warning disable CA1031 // Why: every cell ends as a value or a captured error; that is the fan-out's contract.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new FanOutCell<T>(row, column, FanOutCellStatus.Failed, default, ex, null, Elapsed(started));
        }
    }

    private TimeSpan Elapsed(long started) => _timeProvider.GetElapsedTime(started);
}
