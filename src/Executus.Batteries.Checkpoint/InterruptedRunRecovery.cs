using System.Collections.Concurrent;
using System.Globalization;
using Executus.Deliver;
using Executus.Lanes;
using Executus.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Checkpoints;

/// <summary>
/// At host start-up, finds runs interrupted by a crash or shutdown (their checkpoints) and applies
/// <see cref="InterruptedRunRecoveryOptions.Policy"/> to each: resume it through the <see cref="Executor"/> on the
/// recovery lane (same run id and iteration count; audited by the kernel as <c>RunResumed</c>), abandon it (failed,
/// audited), or notify an operator. A run whose resume was begun <see cref="InterruptedRunRecoveryOptions.MaxResumeAttempts"/>
/// times is abandoned instead of retried forever. At shutdown it cancels the runs it resumed (they keep their
/// checkpoints) and flushes the checkpointer. Runs paused for a human (<see cref="CheckpointSummary.PausedReason"/>) are
/// not interrupted: whatever the policy, they are left alone (listed in <see cref="RecoveryReport.Paused"/>) until the host
/// resumes or abandons them through <see cref="CheckpointRecovery"/>.
/// </summary>
/// <remarks>
/// With run leases (<see cref="RunLeaseOptions.Enabled"/>: several hosts share the checkpoint store), the service does
/// not take every checkpoint it finds: at start-up and then every <see cref="RunLeaseOptions.ScanInterval"/> it claims
/// the runs whose lease is absent, released or expired (<see cref="RunLeaseKeeper.ClaimInterruptedAsync"/>: the store
/// gives each to one host) and applies the policy to those only (<see cref="ScanAsync"/>), so each interrupted run is
/// resumed or abandoned by exactly one host, including the runs of a host that died mid-run once its leases expire.
/// A run whose resume could not start gets its lease back after the pass (the next scan, here or elsewhere, retries
/// it until the attempt cap). Before the first pass a heartbeat releases leases held under this host's id that it
/// does not track (a predecessor with the same <see cref="RunLeaseOptions.HostId"/> crashed), so a host with a stable
/// id takes its own runs back at once. The <see cref="RecoveryPolicy.Notify"/> policy claims nothing and only reports
/// at start-up. At shutdown the service also gives back every lease of this host.
/// </remarks>
public sealed partial class InterruptedRunRecovery : IHostedLifecycleService, IDisposable
{
    private const int ScanBatchSize = 100;

    private readonly CheckpointRecovery _recovery;
    private readonly InterruptedRunRecoveryOptions _options;
    private readonly LaneRegistry? _lanes;
    private readonly IDelivery? _operator;
    private readonly StoreCheckpointer? _checkpointer;
    private readonly RunLeaseKeeper? _leases;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _scanning = new();
    private readonly SemaphoreSlim _scanGate = new(1, 1);
    private readonly ConcurrentDictionary<string, Task<RunResult>> _active = new(StringComparer.Ordinal);
    private Task _scans = Task.CompletedTask;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="recovery">Lists, resumes and abandons runs.</param>
    /// <param name="options">The policy; defaults when null.</param>
    /// <param name="lanes">Where the recovery lane comes from; resumed runs run directly when null.</param>
    /// <param name="operatorDelivery">Where notifications go when <see cref="InterruptedRunRecoveryOptions.OperatorDelivery"/> is null.</param>
    /// <param name="checkpointer">Flushed at shutdown, when given; its <see cref="StoreCheckpointer.Leases"/> turn on the lease mode.</param>
    /// <param name="timeProvider">The clock for pruning and scans; the system clock when null.</param>
    /// <param name="logger">Logs decisions; none when null.</param>
    public InterruptedRunRecovery(
        CheckpointRecovery recovery,
        InterruptedRunRecoveryOptions? options = null,
        LaneRegistry? lanes = null,
        IDelivery? operatorDelivery = null,
        StoreCheckpointer? checkpointer = null,
        TimeProvider? timeProvider = null,
        ILogger<InterruptedRunRecovery>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(recovery);
        options ??= new InterruptedRunRecoveryOptions();
        options.Validate();
        _recovery = recovery;
        _options = options;
        _lanes = lanes;
        _operator = options.OperatorDelivery ?? operatorDelivery;
        _checkpointer = checkpointer;
        _leases = checkpointer?.Leases;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets what the last start-up did (null before <see cref="StartAsync"/>).</summary>
    public RecoveryReport? LastReport { get; private set; }

    /// <summary>Gets what the last periodic scan that found something did (lease mode only; null until one did).</summary>
    public RecoveryReport? LastScanReport { get; private set; }

    /// <summary>Raised after each periodic scan (for tests and diagnostics).</summary>
    internal event Action<RecoveryReport>? Scanned;

    /// <summary>Gets the periodic scan loop (completed when not scanning).</summary>
    internal Task ScanLoop => _scans;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ICheckpointStore store = _recovery.Store;
        int pruned = 0;
        if (_options.MaxAge is { } maxAge)
        {
            pruned = await store.PruneAsync(_time.GetUtcNow() - maxAge, cancellationToken).ConfigureAwait(false);
        }

        if (_leases is not null && _options.Policy != RecoveryPolicy.Notify)
        {
            await _leases.HeartbeatAsync(cancellationToken).ConfigureAwait(false);
            RecoveryReport report = await ScanAsync(cancellationToken).ConfigureAwait(false);
            LastReport = report with { Pruned = pruned };
            _scans = RunScansAsync(_scanning.Token);
            return;
        }

        // Why: list everything first; resumed runs write to the store while the listing would still be paging it.
        var found = new List<CheckpointSummary>();
        string? cursor = null;
        do
        {
            CheckpointPage page = await _recovery.ListInterruptedAsync(1000, cursor, cancellationToken).ConfigureAwait(false);
            found.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var resumed = new Dictionary<string, Task<RunResult>>(StringComparer.Ordinal);
        var abandoned = new List<string>();
        var notified = new List<string>();
        var failed = new List<string>();
        var paused = new List<string>();
        foreach (CheckpointSummary run in found)
        {
            if (run.PausedReason is not null)
            {
                paused.Add(run.RunId);
                continue;
            }

            switch (_options.Policy)
            {
                case RecoveryPolicy.Abandon:
                    await _recovery.AbandonAsync(run.RunId, "abandoned at start-up (recovery policy Abandon)", cancellationToken).ConfigureAwait(false);
                    abandoned.Add(run.RunId);
                    break;
                case RecoveryPolicy.Notify:
                    await NotifyAsync(run, cancellationToken).ConfigureAwait(false);
                    notified.Add(run.RunId);
                    break;
                default:
                    if (run.ResumeAttempts >= _options.MaxResumeAttempts)
                    {
                        await AbandonAfterRetriesAsync(run.RunId, run.ResumeAttempts, cancellationToken).ConfigureAwait(false);
                        abandoned.Add(run.RunId);
                        break;
                    }

                    int attempts = await store.RecordResumeAttemptAsync(run.RunId, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        resumed.Add(run.RunId, await StartResumeAsync(run.RunId, cancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        LogResumeFailed(_logger, ex, run.RunId, attempts, _options.MaxResumeAttempts);
                        if (attempts >= _options.MaxResumeAttempts)
                        {
                            await AbandonAfterRetriesAsync(run.RunId, attempts, cancellationToken).ConfigureAwait(false);
                            abandoned.Add(run.RunId);
                        }
                        else
                        {
                            failed.Add(run.RunId);
                        }
                    }

                    break;
            }
        }

        LastReport = new RecoveryReport { Resumed = resumed, Abandoned = abandoned, Notified = notified, Failed = failed, Paused = paused, Pruned = pruned };
        LogRecovered(_logger, found.Count, resumed.Count, abandoned.Count, notified.Count, failed.Count);
    }

    /// <summary>
    /// Lease mode: claims every interrupted run no host holds (in batches) and applies the policy to each — what the
    /// service does at start-up and every <see cref="RunLeaseOptions.ScanInterval"/>. A run live in this process is
    /// kept leased and left alone.
    /// </summary>
    /// <param name="cancellationToken">A token to cancel the pass (resumed runs are not affected).</param>
    /// <returns>What the pass did.</returns>
    /// <exception cref="InvalidOperationException">Leases are off (<see cref="RunLeaseOptions.Enabled"/>).</exception>
    public async Task<RecoveryReport> ScanAsync(CancellationToken cancellationToken = default)
    {
        RunLeaseKeeper leases = _leases ?? throw new InvalidOperationException("Scanning for expired run leases needs Executus:Checkpoint:Lease:Enabled=true.");
        await _scanGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var resumed = new Dictionary<string, Task<RunResult>>(StringComparer.Ordinal);
        var abandoned = new List<string>();
        var failed = new List<string>();
        try
        {
            while (true)
            {
                IReadOnlyList<RunLease> batch = await leases.ClaimInterruptedAsync(ScanBatchSize, cancellationToken).ConfigureAwait(false);
                foreach (RunLease lease in batch)
                {
                    string runId = lease.RunId;
                    if (_checkpointer?.IsLive(runId) == true)
                    {
                        continue;
                    }

                    if (_options.Policy == RecoveryPolicy.Abandon)
                    {
                        await _recovery.AbandonAsync(runId, "abandoned by interrupted-run recovery (recovery policy Abandon)", cancellationToken).ConfigureAwait(false);
                        abandoned.Add(runId);
                        continue;
                    }

                    int attempts = await _recovery.Store.RecordResumeAttemptAsync(runId, cancellationToken).ConfigureAwait(false);
                    if (attempts == 0)
                    {
                        // Why: the checkpoint went between the claim and now (its run ended elsewhere); the lease went with it.
                        leases.Forget(runId);
                        continue;
                    }

                    if (attempts > _options.MaxResumeAttempts)
                    {
                        await AbandonAfterRetriesAsync(runId, attempts - 1, cancellationToken).ConfigureAwait(false);
                        abandoned.Add(runId);
                        continue;
                    }

                    try
                    {
                        resumed.Add(runId, await StartResumeAsync(runId, cancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        LogResumeFailed(_logger, ex, runId, attempts, _options.MaxResumeAttempts);
                        if (attempts >= _options.MaxResumeAttempts)
                        {
                            await AbandonAfterRetriesAsync(runId, attempts, cancellationToken).ConfigureAwait(false);
                            abandoned.Add(runId);
                        }
                        else
                        {
                            failed.Add(runId);
                        }
                    }
                }

                if (batch.Count < ScanBatchSize)
                {
                    break;
                }
            }
        }
        finally
        {
            // Why: released only after the pass, so this pass does not claim them again at once.
            foreach (string runId in failed)
            {
                try
                {
                    await leases.ReleaseAsync(runId, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    LogReleaseFailed(_logger, ex, runId);
                }
            }

            _scanGate.Release();
        }

        if (resumed.Count + abandoned.Count + failed.Count > 0)
        {
            LogScanned(_logger, resumed.Count, abandoned.Count, failed.Count, leases.HostId);
        }

        return new RecoveryReport { Resumed = resumed, Abandoned = abandoned, Failed = failed };
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The host begins to stop: periodic scans end at once, before any hosted service stops. Why: runs other services
    /// interrupt while they stop give their leases back, and this host must not claim and resume them on its way out
    /// (that would count as one more resume, and they would be interrupted again a moment later).
    /// </summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>A task.</returns>
    public async Task StoppingAsync(CancellationToken cancellationToken) => await _scanning.CancelAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _scanning.CancelAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _scans.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogStopWaitFailed(_logger, ex);
        }

        Task<RunResult>[] active = [.. _active.Values];
        if (active.Length > 0)
        {
            try
            {
                await Task.WhenAll(active).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogStopWaitFailed(_logger, ex);
            }
        }

        if (_checkpointer is not null)
        {
            await _checkpointer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_leases is not null)
        {
            try
            {
                await _leases.ReleaseAllAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogReleaseFailed(_logger, ex, "*");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        _scanning.Dispose();
        _scanGate.Dispose();
    }

    private async Task RunScansAsync(CancellationToken stopping)
    {
        TimeSpan interval = _leases!.Options.ScanInterval;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, stopping).ConfigureAwait(false);
                RecoveryReport report = await ScanAsync(stopping).ConfigureAwait(false);
                if (report.Resumed.Count + report.Abandoned.Count + report.Failed.Count > 0)
                {
                    LastScanReport = report;
                }

                Scanned?.Invoke(report);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogScanFailed(_logger, ex);
            }
        }
    }

    private async Task<Task<RunResult>> StartResumeAsync(string runId, CancellationToken cancellationToken)
    {
        RunRequest request = await _recovery.PrepareResumeAsync(runId, cancellationToken).ConfigureAwait(false);
        Executor executor = _recovery.Executor;
        CancellationToken stopping = _stopping.Token;
        Task<RunResult> task;
        if (_lanes is null)
        {
            task = executor.RunAsync(request, stopping);
        }
        else
        {
            Lane lane = _lanes.Get(_options.LaneName);
            task = await lane.SubmitAsync(request.ResumedFrom!.Caller.FairnessKey, ct => executor.RunAsync(request, ct), cancellationToken: stopping).ConfigureAwait(false);
        }

        Task<RunResult> watched = WatchAsync(runId, task);
        _active[runId] = watched;
        return watched;
    }

    private async Task<RunResult> WatchAsync(string runId, Task<RunResult> run)
    {
        RunResult result;
        try
        {
            result = await run.ConfigureAwait(false);
        }
        finally
        {
            _active.TryRemove(runId, out _);
        }

        if (result.Outcome == RunOutcome.Cancelled)
        {
            // Why: a resume cut short by a shutdown is not a failed resume; it must not count toward the cap.
            try
            {
                await _recovery.Store.ClearResumeAttemptsAsync(runId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogClearFailed(_logger, ex, runId);
            }
        }

        return result;
    }

    private async ValueTask AbandonAfterRetriesAsync(string runId, int attempts, CancellationToken cancellationToken) =>
        await _recovery.AbandonAsync(
            runId,
            string.Create(CultureInfo.InvariantCulture, $"abandoned at start-up after {attempts} resume attempt(s) (cap {_options.MaxResumeAttempts})"),
            cancellationToken).ConfigureAwait(false);

    private async ValueTask NotifyAsync(CheckpointSummary run, CancellationToken cancellationToken)
    {
        LogNotify(_logger, run.RunId, run.AgentName, run.Iteration, run.SavedAt);
        if (_operator is null or DiscardDelivery)
        {
            return;
        }

        string text = string.Create(
            CultureInfo.InvariantCulture,
            $"Run {run.RunId} (agent {run.AgentName}, caller {run.CallerId}) was interrupted at iteration {run.Iteration}; its checkpoint was saved {run.SavedAt:u}. Resume or abandon it with CheckpointRecovery.");
        try
        {
            await _operator.DeliverAsync(
                new Delivery(text)
                {
                    RunId = run.RunId,
                    Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["executus.checkpoint.event"] = "interrupted",
                        ["agent"] = run.AgentName,
                        ["iteration"] = run.Iteration.ToString(CultureInfo.InvariantCulture),
                    },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNotifyFailed(_logger, ex, run.RunId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Interrupted-run recovery: {Found} found, {Resumed} resumed, {Abandoned} abandoned, {Notified} notified, {Failed} failed to resume.")]
    private static partial void LogRecovered(ILogger logger, int found, int resumed, int abandoned, int notified, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: resume attempt {Attempt} of {Max} could not start.")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string runId, int attempt, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} (agent {Agent}) was interrupted at iteration {Iteration} (checkpoint saved {SavedAt}); an operator must resume or abandon it.")]
    private static partial void LogNotify(ILogger logger, string runId, string agent, int iteration, DateTimeOffset savedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: telling the operator failed.")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: resetting its resume attempts failed.")]
    private static partial void LogClearFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Interrupted-run recovery on host {HostId}: claimed runs with expired or released leases: {Resumed} resumed, {Abandoned} abandoned, {Failed} failed to resume.")]
    private static partial void LogScanned(ILogger logger, int resumed, int abandoned, int failed, string hostId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interrupted-run recovery: a scan for runs with expired leases failed; the next scan tries again.")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: giving its lease back failed; it is claimable again when the lease expires.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interrupted-run recovery: a resumed run failed while the host stopped.")]
    private static partial void LogStopWaitFailed(ILogger logger, Exception exception);
}
