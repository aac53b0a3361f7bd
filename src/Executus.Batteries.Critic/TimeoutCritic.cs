using System.Collections.Concurrent;
using System.Globalization;
using Executus.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Critics;

/// <summary>
/// The Critic battery's <see cref="ICritic"/>: a two-tier timeout state machine per run.
/// </summary>
/// <remarks>
/// <para>States (<see cref="CriticPhase"/>) and transitions, all taken at iteration boundaries (the kernel never asks
/// mid tool call):</para>
/// <list type="bullet">
/// <item><b>Running</b> → Continue, no review, while elapsed &lt; the soft deadline (the agent's
/// <see cref="RunnableAgent.SoftTimeout"/>, else <see cref="CriticOptions.SoftDeadline"/>).</item>
/// <item><b>Running → UnderReview</b> at the first boundary past the soft deadline: the reviewer is asked at once, then
/// again whenever <see cref="CriticOptions.ReviewInterval"/> has passed since the last review (Continue in between).
/// Reviewer says Continue → Continue; Extend → Extend by at most what is left of <see cref="CriticOptions.MaxTotalExtension"/>
/// while fewer than <see cref="CriticOptions.MaxExtensions"/> were granted, else Continue (cap reached); Stop →
/// <b>Stopped</b>; Escalate → <b>Escalated</b>. A throwing reviewer counts as Continue (logged).</item>
/// <item><b>any → Escalated</b> at the hard deadline, whatever the reviewer would say: when the kernel reports it
/// (<see cref="CriticTrigger.HardDeadline"/>, the agent's own timeout), or at a boundary past
/// <see cref="CriticOptions.HardDeadline"/> + granted extensions for an agent without its own timeout.</item>
/// </list>
/// <para>Escalating tells the <see cref="IEscalator"/> (once per run) and answers <see cref="CriticVerdict.Escalate"/>,
/// so the run ends <see cref="RunOutcome.Escalated"/> — or, when the escalator decides
/// <see cref="EscalationDecision.PauseForHuman"/>, answers <see cref="CriticVerdict.Pause"/>: the run ends
/// <see cref="RunOutcome.Paused"/> with its checkpoint kept, and the critic forgets the run, so a run the human resumes
/// is reviewed afresh (it is past its soft deadline, so at its first boundary). The kernel audits every verdict other than Continue
/// (<c>CriticVerdict</c>) and emits a <see cref="CriticVerdictEvent"/>.</para>
/// </remarks>
public sealed partial class TimeoutCritic : ICritic
{
    private static readonly TimeSpan s_forgetAfter = TimeSpan.FromDays(1);

    private readonly IProgressReviewer _reviewer;
    private readonly IEscalator? _escalator;
    private readonly CriticOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, RunState> _runs = new(StringComparer.Ordinal);
    private long _lastSweepTicks;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="reviewer">Judges progress after the soft deadline.</param>
    /// <param name="escalator">Told about escalations; none when null (the run still ends escalated).</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="timeProvider">The clock that ages out the state of runs that ended; the system clock when null.</param>
    /// <param name="logger">Logs transitions and failures; none when null.</param>
    public TimeoutCritic(
        IProgressReviewer reviewer,
        IEscalator? escalator = null,
        CriticOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<TimeoutCritic>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        options ??= new CriticOptions();
        options.Validate();
        _reviewer = reviewer;
        _escalator = escalator;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the settings.</summary>
    public CriticOptions Options => _options;

    /// <summary>Gets a run's state, or null when the critic has not seen it (or forgot it a day after it was last reviewed).</summary>
    /// <param name="runId">The run.</param>
    /// <returns>The state.</returns>
    public CriticRunState? GetState(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _runs.TryGetValue(runId, out RunState? state)
            ? new CriticRunState(state.Phase, state.Reviews, state.Extensions, state.TotalExtension)
            : null;
    }

    /// <inheritdoc />
    public async ValueTask<CriticVerdict> ReviewAsync(CriticReview review, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(review);
        DateTimeOffset now = _time.GetUtcNow();
        Sweep(now);
        RunState state = _runs.GetOrAdd(review.RunId, static _ => new RunState());
        await state.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            state.LastSeen = now;
            switch (state.Phase)
            {
                case CriticPhase.Stopped:
                    return CriticVerdict.Stop(state.FinalReason!);
                case CriticPhase.Escalated:
                    return CriticVerdict.Escalate(state.FinalReason!);
            }

            if (review.Trigger == CriticTrigger.HardDeadline)
            {
                return await EscalateAsync(state, review, string.Create(CultureInfo.InvariantCulture, $"The hard deadline ({review.Timeout:c}) was reached."), cancellationToken).ConfigureAwait(false);
            }

            // Why: a run resumed after a pause for a human starts a new stretch; its deadlines count from the resume.
            TimeSpan elapsed = review.Elapsed - review.ResumedAfter;
            if (review.Agent.Timeout is null && _options.HardDeadline is { } hard && elapsed >= hard + state.TotalExtension)
            {
                return await EscalateAsync(state, review, string.Create(CultureInfo.InvariantCulture, $"The hard deadline ({hard + state.TotalExtension:c}) was reached."), cancellationToken).ConfigureAwait(false);
            }

            TimeSpan soft = review.Agent.SoftTimeout ?? _options.SoftDeadline;
            if (elapsed < soft)
            {
                return CriticVerdict.Continue;
            }

            if (state.Phase == CriticPhase.Running)
            {
                state.Phase = CriticPhase.UnderReview;
                LogSoftDeadline(_logger, review.RunId, elapsed);
            }
            else if (elapsed - state.LastReviewAt < _options.ReviewInterval)
            {
                return CriticVerdict.Continue;
            }

            state.LastReviewAt = elapsed;
            state.Reviews++;
            TimeSpan left = state.Extensions < _options.MaxExtensions ? _options.MaxTotalExtension - state.TotalExtension : TimeSpan.Zero;
            CriticVerdict verdict;
            try
            {
                verdict = await _reviewer.ReviewAsync(new ProgressReview(review, state.Reviews, state.Extensions, left), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogReviewerFailed(_logger, ex, review.RunId);
                return CriticVerdict.Continue;
            }

            switch (verdict.Kind)
            {
                case CriticVerdictKind.Extend:
                    if (left <= TimeSpan.Zero)
                    {
                        LogExtensionCapped(_logger, review.RunId, state.Extensions, state.TotalExtension);
                        return CriticVerdict.Continue;
                    }

                    TimeSpan granted = verdict.Extension < left ? verdict.Extension : left;
                    state.Extensions++;
                    state.TotalExtension += granted;
                    return CriticVerdict.Extend(granted, verdict.Reason);
                case CriticVerdictKind.Stop:
                    state.Phase = CriticPhase.Stopped;
                    state.FinalReason = verdict.Reason ?? "Stopped by the critic.";
                    return CriticVerdict.Stop(state.FinalReason);
                case CriticVerdictKind.Escalate:
                    return await EscalateAsync(state, review, verdict.Reason ?? "Escalated by the reviewer.", cancellationToken).ConfigureAwait(false);
                default:
                    return CriticVerdict.Continue;
            }
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private async ValueTask<CriticVerdict> EscalateAsync(RunState state, CriticReview review, string reason, CancellationToken cancellationToken)
    {
        state.Phase = CriticPhase.Escalated;
        state.FinalReason = reason;
        LogEscalated(_logger, review.RunId, reason);
        EscalationDecision decision = EscalationDecision.Escalate;
        if (_escalator is not null)
        {
            var escalation = new Escalation(
                review.RunId,
                review.Agent.Name,
                review.Caller,
                review.Elapsed,
                review.Iteration,
                review.Trigger,
                reason,
                TranscriptText.Render(review.Messages, _options.EscalationLastMessages, 300));
            try
            {
                decision = await _escalator.EscalateAsync(escalation, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Why: the run must still end escalated; a broken operator channel is logged, not fatal.
                LogEscalatorFailed(_logger, ex, review.RunId);
            }
        }

        if (decision == EscalationDecision.PauseForHuman)
        {
            // Why: the run ends here; a resumed run (same id) must not meet this terminal state again.
            _runs.TryRemove(review.RunId, out _);
            LogPaused(_logger, review.RunId);
            return CriticVerdict.Pause(reason);
        }

        return CriticVerdict.Escalate(reason);
    }

    private void Sweep(DateTimeOffset now)
    {
        // Why: the kernel does not tell the critic when a run ends; states of runs not reviewed for a day are dropped
        // (at most one sweep per hour).
        long last = Interlocked.Read(ref _lastSweepTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerHour || Interlocked.CompareExchange(ref _lastSweepTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (KeyValuePair<string, RunState> pair in _runs)
        {
            if (now - pair.Value.LastSeen > s_forgetAfter)
            {
                _runs.TryRemove(pair);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} passed its soft deadline after {Elapsed}; reviewing its progress.")]
    private static partial void LogSoftDeadline(ILogger logger, string runId, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId}: the reviewer asked for more time, but its {Count} extension(s) ({Total}) reached the cap.")]
    private static partial void LogExtensionCapped(ILogger logger, string runId, int count, TimeSpan total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} escalated: {Reason}")]
    private static partial void LogEscalated(ILogger logger, string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} is paused for a human; it keeps its checkpoint until resumed or abandoned.")]
    private static partial void LogPaused(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the progress reviewer failed; the run continues.")]
    private static partial void LogReviewerFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId}: telling the escalator failed; the run still ends escalated.")]
    private static partial void LogEscalatorFailed(ILogger logger, Exception exception, string runId);

    private sealed class RunState
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public CriticPhase Phase { get; set; }

        public int Reviews { get; set; }

        public int Extensions { get; set; }

        public TimeSpan TotalExtension { get; set; }

        public TimeSpan LastReviewAt { get; set; }

        public DateTimeOffset LastSeen { get; set; }

        public string? FinalReason { get; set; }
    }
}
