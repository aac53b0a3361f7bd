using System.Globalization;
using Executus.Auditing;
using Executus.Deliver;
using Executus.Models;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>
/// Ends a run: tells the critic at the hard deadline, closes tool calls left open, saves the last checkpoint of an
/// interrupted run, delivers, completes or fails the checkpoint, audits the end, records metrics and builds the result.
/// </summary>
internal static class RunFinisher
{
    public static async Task<RunResult> FinishAsync(RunExecution run, RunOutcome outcome, string? stopReason, Exception? error, bool hardDeadline)
    {
        RunPortInvoker ports = run.Ports;
        ExecutorOptions options = run.Options;

        // Why: the run's own token may be cancelled (timeout, caller, stop); ending work gets its own bounded time.
        // Only ports that do I/O need it, so nothing is created for a run with null ports.
        using EndWorkDeadline? end = ports.HasEndWork ? new EndWorkDeadline(run.Executor.TimeProvider, options.DeliveryTimeout) : null;
        CancellationToken token = end?.Token ?? CancellationToken.None;
        using IDisposable? modelContext = run.CallContext is { } callContext ? ModelCallContext.Begin(callContext) : null;

        if (hardDeadline && ports.Critic is { } critic)
        {
            // Why: the critic (or the escalator it wraps) is told before the run ends, and may escalate it.
            CriticVerdict verdict = await Bound(end, ports.ReviewAsync(critic, run.Review(CriticTrigger.HardDeadline), token)).ConfigureAwait(false);
            if (verdict.Kind == CriticVerdictKind.Escalate)
            {
                (outcome, stopReason) = (RunOutcome.Escalated, verdict.Reason ?? stopReason);
            }
            else if (verdict.Kind == CriticVerdictKind.Stop)
            {
                (outcome, stopReason) = (RunOutcome.CriticStopped, verdict.Reason ?? stopReason);
            }
            else if (verdict.Kind == CriticVerdictKind.Pause)
            {
                (outcome, stopReason) = (RunOutcome.Paused, verdict.Reason ?? stopReason);
            }
        }

        // Why: a cancelled or paused run is not over: it keeps its checkpoint and is neither delivered nor ended.
        // Why: a run another host took over is that host's to deliver and to end; this host only stops.
        bool keepsCheckpoint = outcome is RunOutcome.Cancelled or RunOutcome.Paused || run.Superseded;
        bool closed = outcome != RunOutcome.Completed && run.CloseOpenCalls(outcome, stopReason);
        if (ports.Checkpoints && run.Account is not null && !run.Superseded && (keepsCheckpoint || (closed && outcome != RunOutcome.Completed)))
        {
            // Why: a cancelled or paused run keeps its checkpoint for resume: save its last state (elapsed, usage,
            // closed calls; a paused one marked with its reason). Another interrupted run saves its closed transcript
            // before it is failed, so the store never holds an unanswered tool call.
            await Bound(end, run.SaveCheckpointAsync(CheckpointBoundary.RunEnd, token, outcome == RunOutcome.Paused ? stopReason ?? "Paused for a human." : null)).ConfigureAwait(false);
        }

        run.Phases?.EndRun(outcome);
        List<ChatMessage> messages = run.Messages;
        string text = messages.LastOrDefault(m => m.Role == ChatRole.Assistant)?.Text ?? string.Empty;
        IReadOnlyList<DataContent> attachments = run.Context?.DrainAttachments() ?? [];

        RunDeliveryStatus delivery = RunDeliveryStatus.NotDelivered;
        Exception? deliveryError = null;
        if (run.Executor.Ports.Delivery is { } port && !keepsCheckpoint && (text.Length > 0 || attachments.Count > 0))
        {
            var metadata = new Dictionary<string, string>(run.Agent.Metadata) { ["outcome"] = outcome.ToString(), ["agent"] = run.Agent.Name };
            foreach (KeyValuePair<string, string> pair in run.Request.Metadata)
            {
                metadata[pair.Key] = pair.Value;
            }

            (delivery, deliveryError) = await Bound(end, ports.DeliverAsync(
                port, new Delivery(text) { Attachments = attachments, RunId = run.RunId, Caller = run.Caller, Metadata = metadata }, token)).ConfigureAwait(false);
        }

        if (ports.Checkpoints && !keepsCheckpoint)
        {
            // Why: a cancelled run (host shutdown) or a paused one keeps its checkpoint: it is exactly what resume picks up.
            await Bound(end, ports.EndCheckpointAsync(outcome, token)).ConfigureAwait(false);
        }

        UsageDetails usage = UsageTotals.WithTotal(run.Account?.Usage) ?? new UsageDetails();
        // Why: one reading for the run's duration and the time of its finished event and audit record.
        long finishedAt = run.Executor.TimeProvider.GetTimestamp();
        TimeSpan duration = run.Deadline.ElapsedAt(finishedAt);
        var result = new RunResult
        {
            RunId = run.RunId,
            AgentName = run.Agent.Name,
            Outcome = outcome,
            Messages = messages.AsReadOnly(),
            Text = text,
            Usage = usage,
            Iterations = run.Iteration,
            StopReason = stopReason,
            BudgetExceeded = run.BudgetExceeded,
            Error = error,
            Delivery = delivery,
            DeliveryError = deliveryError,
            Attachments = attachments,
            StartedAt = run.StartedAt,
            Duration = duration,
            Phases = run.Phases?.Snapshot() ?? [],
        };

        if (ports.Audits)
        {
            // Why: inside the check, so a run without an audit port builds none of this.
            await Bound(end, ports.AuditAsync(
                AuditEventKind.RunFinished,
                token,
                detail: stopReason ?? RunsTelemetry.OutcomeName(outcome), // Why: one string per outcome; an audit store keeps it for days
                usage: usage,
                data: RunFinishedAuditData.For(outcome, run.Iteration, delivery),
                at: run.At(finishedAt))).ConfigureAwait(false);
        }
        var outcomeTag = new KeyValuePair<string, object?>("executus.run.outcome", RunsTelemetry.OutcomeName(outcome));
        var agentTag = new KeyValuePair<string, object?>("gen_ai.agent.name", run.Agent.Name);
        RunsTelemetry.Runs.Add(1, outcomeTag, agentTag);
        RunsTelemetry.Duration.Record(duration.TotalSeconds, outcomeTag, agentTag);
        RunsTelemetry.Iterations.Record(run.Iteration, agentTag);

        if (ports.Emits)
        {
            await ports.EmitAsync(new RunFinishedEvent(run.RunId, run.Iteration, run.At(finishedAt), result), CancellationToken.None).ConfigureAwait(false);
        }

        ports.CompleteEvents();
        return result;
    }

    private static ValueTask Bound(EndWorkDeadline? end, ValueTask work) => end is null ? work : end.Bound(work);

    private static ValueTask<T> Bound<T>(EndWorkDeadline? end, ValueTask<T> work) => end is null ? work : end.Bound(work);
}
