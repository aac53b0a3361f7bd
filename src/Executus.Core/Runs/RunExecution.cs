using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Executus.Attachments;
using Executus.Auditing;
using Executus.Compaction;
using Executus.Deliver;
using Executus.Dispatch;
using Executus.Identity;
using Executus.Models;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Executus.Runs;

/// <summary>One run's state and loop. Created per run by <see cref="Executor"/>.</summary>
internal sealed partial class RunExecution
{
    private readonly Executor _executor;
    private readonly RunRequest _request;
    private readonly RunnableAgent _agent;
    private readonly ChannelWriter<RunEvent>? _events;
    private readonly CancellationToken _callerToken;
    private readonly bool _emit;
    private readonly List<ChatMessage> _messages;
    private readonly UsageDetails _usage = new();
    private readonly DateTimeOffset _startedAt;
    private readonly long _startTimestamp;
    private readonly RunContext? _parent;
    private TimeSpan _timeout;
    private RunContext? _context;
    private int _iteration;

    public RunExecution(Executor executor, RunRequest request, ChannelWriter<RunEvent>? events, CancellationToken callerToken)
    {
        _executor = executor;
        _request = request;
        _agent = request.Agent;
        _events = events;
        _callerToken = request.Detached ? CancellationToken.None : callerToken;
        _emit = events is not null || executor.Ports.Observers.Count > 0;
        _parent = RunContext.Current;
        Caller = request.Caller ?? _parent?.Caller ?? CallerIdentity.Anonymous;
        RunId = request.RunId ?? string.Create(36, Guid.NewGuid(), static (span, guid) =>
        {
            "run_".CopyTo(span);
            guid.TryFormat(span[4..], out _, "N");
        });
        _messages = [.. request.Messages];
        if (request.Attachments.Count > 0)
        {
            AddInputAttachments(request.Attachments);
        }

        _iteration = request.StartIteration;
        _timeout = _agent.Timeout ?? executor.Options.DefaultTimeout;
        _startedAt = executor.TimeProvider.GetUtcNow();
        _startTimestamp = executor.TimeProvider.GetTimestamp();
    }

    public string RunId { get; }

    public CallerIdentity Caller { get; }

    private TimeProvider Time => _executor.TimeProvider;

    public async Task<RunResult> ExecuteAsync()
    {
        using Activity? activity = RunsTelemetry.Source.HasListeners()
            ? RunsTelemetry.Source.StartActivity($"invoke_agent {_agent.Name}", ActivityKind.Internal)
            : null;
        activity?.SetTag("gen_ai.operation.name", "invoke_agent");
        activity?.SetTag("gen_ai.agent.name", _agent.Name);
        activity?.SetTag("gen_ai.conversation.id", RunId);

        using var timeout = new CancellationTokenSource(_timeout, Time);
        using CancellationTokenSource? linked = _callerToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_callerToken, timeout.Token) : null;
        CancellationToken token = linked?.Token ?? timeout.Token;

        RunOutcome outcome;
        string? stopReason = null;
        Exception? error = null;
        RunContext? previousContext = RunContext.Current;
        DispatchEntry? dispatch = null;
        try
        {
            _context = new RunContext(RunId, _agent, Caller, _executor.Options.Attachments, _executor, _parent);
            RunContext.Current = _context;
            using IDisposable modelContext = ModelCallContext.Begin(new ModelCallContext { Caller = Caller, RunId = RunId, Tier = _agent.Model ?? _agent.Tier });
            if (_emit)
            {
                await EmitAsync(new RunStartedEvent(RunId, _iteration, Time.GetUtcNow(), _agent.Name, Caller), token).ConfigureAwait(false);
            }
            await AuditAsync(AuditEventKind.RunStarted, null, null, token).ConfigureAwait(false);

            dispatch = _executor.Guard?.Enter(_agent.Name, LastUserText());
            if (dispatch is { Denied: { } denied })
            {
                (outcome, stopReason) = (RunOutcome.GuardTripped, denied.Message);
            }
            else
            {
                (outcome, stopReason) = await LoopAsync(timeout, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_callerToken.IsCancellationRequested)
        {
            (outcome, stopReason) = (RunOutcome.TimedOut, string.Create(CultureInfo.InvariantCulture, $"The run exceeded its timeout of {_timeout}."));
        }
        catch (OperationCanceledException) when (_callerToken.IsCancellationRequested)
        {
            (outcome, stopReason) = (RunOutcome.Cancelled, "The run was cancelled.");
        }
        catch (Exception ex)
        {
            (outcome, stopReason, error) = (RunOutcome.Failed, ex.Message, ex);
        }
        finally
        {
            dispatch?.Dispose();
            RunContext.Current = previousContext;
        }

        RunResult result = await FinishAsync(outcome, stopReason, error).ConfigureAwait(false);
        activity?.SetTag("executus.run.outcome", result.Outcome.ToString());
        if (result.Outcome != RunOutcome.Completed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.StopReason);
            activity?.SetTag("error.type", result.Error?.GetType().FullName ?? result.Outcome.ToString());
        }

        return result;
    }

    private async Task<(RunOutcome Outcome, string? Reason)> LoopAsync(CancellationTokenSource timeout, CancellationToken token)
    {
        IChatClient client = _executor.Models.Resolve(_agent);
        Toolbox? toolbox = null;
        if (_executor.Toolboxes is { } factory && _agent.Tools.Count > 0)
        {
            toolbox = await factory.CreateAsync(
                new ToolboxRequest(_agent.Name, _agent.Tools, Caller) { RunId = RunId, Services = _executor.Options.Services },
                token).ConfigureAwait(false);
        }

        ChatOptions options = BuildOptions(toolbox);
        int consecutiveToolErrors = 0;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            if (_iteration >= _agent.MaxIterations)
            {
                return (RunOutcome.MaxIterations, string.Create(CultureInfo.InvariantCulture, $"The agent reached its limit of {_agent.MaxIterations} model calls."));
            }

            if (_executor.Budget is not NullBudget)
            {
                BudgetDecision budget = await _executor.Budget.CheckAsync(new BudgetCheck(RunId, _agent.Name, Caller, _iteration + 1), token).ConfigureAwait(false);
                if (!budget.Allowed)
                {
                    return (RunOutcome.BudgetExceeded, budget.Reason);
                }
            }

            if (_executor.Critic is { } critic)
            {
                CriticVerdict verdict = await critic.ReviewAsync(
                    new CriticReview(RunId, _agent, Caller, _iteration, Elapsed(), _timeout, _messages.AsReadOnly()), token).ConfigureAwait(false);
                switch (verdict.Kind)
                {
                    case CriticVerdictKind.Stop:
                        return (RunOutcome.CriticStopped, verdict.Reason);
                    case CriticVerdictKind.Escalate:
                        return (RunOutcome.Escalated, verdict.Reason);
                    case CriticVerdictKind.Extend:
                        _timeout += verdict.Extension;
                        timeout.CancelAfter(_timeout - Elapsed());
                        break;
                }
            }

            _iteration++;
            if (_emit)
            {
                await EmitAsync(new StepStartedEvent(RunId, _iteration, Time.GetUtcNow()), token).ConfigureAwait(false);
            }
            await CompactAsync(token).ConfigureAwait(false);

            ChatResponse response = await CallModelAsync(client, options, token).ConfigureAwait(false);
            _messages.AddRange(response.Messages);

            List<FunctionCallContent>? calls = null;
            foreach (ChatMessage message in response.Messages)
            {
                foreach (AIContent content in message.Contents)
                {
                    if (content is FunctionCallContent { InformationalOnly: false } call)
                    {
                        (calls ??= []).Add(call);
                    }
                }
            }

            if (calls is null)
            {
                if (_emit)
                {
                    await EmitAsync(new StepFinishedEvent(RunId, _iteration, Time.GetUtcNow()), token).ConfigureAwait(false);
                }
                return (RunOutcome.Completed, null);
            }

            FunctionResultContent[] results = await InvokeToolsAsync(toolbox, calls, token).ConfigureAwait(false);
            _messages.Add(new ChatMessage(ChatRole.Tool, [.. results]));
            consecutiveToolErrors = Array.Exists(results, r => r.Exception is not null) ? consecutiveToolErrors + 1 : 0;

            await SaveCheckpointAsync(token).ConfigureAwait(false);
            if (_emit)
            {
                await EmitAsync(new StepFinishedEvent(RunId, _iteration, Time.GetUtcNow()), token).ConfigureAwait(false);
            }
            if (consecutiveToolErrors >= _agent.MaxConsecutiveToolErrors)
            {
                return (RunOutcome.ToolErrorLimit, string.Create(CultureInfo.InvariantCulture, $"Tool calls failed in {consecutiveToolErrors} consecutive model turns."));
            }
        }
    }

    private ChatOptions BuildOptions(Toolbox? toolbox)
    {
        ChatOptions options = _agent.ChatOptions?.Clone() ?? new ChatOptions();
        if (_agent.Instructions is { } instructions)
        {
            options.Instructions = options.Instructions is null ? instructions : instructions + "\n" + options.Instructions;
        }

        if (_agent.ResponseFormat is { } format)
        {
            options.ResponseFormat = format;
        }

        if (toolbox is { Functions.Count: > 0 })
        {
            options.Tools = [.. toolbox.Functions];
            options.AllowMultipleToolCalls ??= _agent.AllowConcurrentToolCalls ? true : null;
        }

        return options;
    }

    private ValueTask CompactAsync(CancellationToken token) =>
        _executor.Compactor is { } compactor ? CompactCoreAsync(compactor, token) : default;

    private async ValueTask CompactCoreAsync(ICompactor compactor, CancellationToken token)
    {
        CompactionResult compacted = await compactor.CompactAsync(_messages, cancellationToken: token).ConfigureAwait(false);
        if (compacted.Changed)
        {
            int before = _messages.Count;
            _messages.Clear();
            _messages.AddRange(compacted.Messages);
            if (_emit)
            {
                await EmitAsync(new CompactionEvent(RunId, _iteration, Time.GetUtcNow(), before, _messages.Count), token).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<ChatResponse> CallModelAsync(IChatClient client, ChatOptions options, CancellationToken token)
    {
        long started = Time.GetTimestamp();
        ChatResponse response;
        if (_events is null)
        {
            response = await client.GetResponseAsync(_messages, options, token).ConfigureAwait(false);
        }
        else
        {
            List<ChatResponseUpdate> updates = [];
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(_messages, options, token).ConfigureAwait(false))
            {
                updates.Add(update);
                if (update.Text is { Length: > 0 } text)
                {
                    if (_emit)
                    {
                        await EmitAsync(new ModelTextDeltaEvent(RunId, _iteration, Time.GetUtcNow(), text), token).ConfigureAwait(false);
                    }
                }
            }

            response = updates.ToChatResponse();
        }

        if (response.Usage is { } usage)
        {
            _usage.Add(usage);
        }

        if (_executor.Budget is not NullBudget)
        {
            await _executor.Budget.RecordAsync(new BudgetCharge(RunId, _agent.Name, Caller, response.ModelId, response.Usage ?? new UsageDetails()), token).ConfigureAwait(false);
        }

        await AuditAsync(AuditEventKind.ModelCall, null, response.ModelId, token).ConfigureAwait(false);
        if (_emit)
        {
            await EmitAsync(new ModelCallCompletedEvent(RunId, _iteration, Time.GetUtcNow(), response, Time.GetElapsedTime(started)), token).ConfigureAwait(false);
        }
        return response;
    }

    private async ValueTask<FunctionResultContent[]> InvokeToolsAsync(Toolbox? toolbox, List<FunctionCallContent> calls, CancellationToken token)
    {
        var results = new FunctionResultContent[calls.Count];
        var context = new ToolInvocationContext { Caller = Caller, AgentName = _agent.Name, RunId = RunId, Iteration = _iteration, Services = _executor.Options.Services };
        if (_agent.AllowConcurrentToolCalls && calls.Count > 1)
        {
            await Task.WhenAll(calls.Select(async (call, i) => results[i] = await InvokeToolAsync(toolbox, call, context, token).ConfigureAwait(false))).ConfigureAwait(false);
        }
        else
        {
            for (int i = 0; i < calls.Count; i++)
            {
                results[i] = await InvokeToolAsync(toolbox, calls[i], context, token).ConfigureAwait(false);
            }
        }

        return results;
    }

    private async ValueTask<FunctionResultContent> InvokeToolAsync(Toolbox? toolbox, FunctionCallContent call, ToolInvocationContext context, CancellationToken token)
    {
        if (_emit)
        {
            await EmitAsync(new ToolCallStartedEvent(RunId, _iteration, Time.GetUtcNow(), call), token).ConfigureAwait(false);
        }
        using Activity? activity = RunsTelemetry.Source.HasListeners()
            ? RunsTelemetry.Source.StartActivity($"execute_tool {call.Name}", ActivityKind.Internal)
            : null;
        activity?.SetTag("gen_ai.operation.name", "execute_tool");
        activity?.SetTag("gen_ai.tool.name", call.Name);
        activity?.SetTag("gen_ai.tool.call.id", call.CallId);
        activity?.SetTag("gen_ai.tool.type", "function");

        FunctionResultContent result;
        if (DispatchGuard.CheckToolCall(call) is { } denied)
        {
            result = Error(call, denied.Message, new DispatchDeniedException(denied));
            await AuditAsync(AuditEventKind.ToolDenied, call.Name, denied.Message, token).ConfigureAwait(false);
        }
        else if (toolbox is null)
        {
            string message = $"Error: the tool '{ToolText.Echo(call.Name)}' is not available to agent '{_agent.Name}', which has no tools.";
            result = Error(call, message, new InvalidOperationException(message));
            await AuditAsync(AuditEventKind.ToolDenied, call.Name, message, token).ConfigureAwait(false);
        }
        else
        {
            result = await toolbox.InvokeAsync(call, context, token).ConfigureAwait(false);
            await AuditAsync(AuditEventKind.ToolCall, call.Name, result.Exception?.Message, token).ConfigureAwait(false);
        }

        if (result.Exception is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Exception.Message);
            activity?.SetTag("error.type", result.Exception.GetType().FullName);
        }

        if (_emit)
        {
            await EmitAsync(new ToolCallCompletedEvent(RunId, _iteration, Time.GetUtcNow(), call, result, result.Exception is not null), token).ConfigureAwait(false);
        }
        return result;
    }

    private static FunctionResultContent Error(FunctionCallContent call, string message, Exception exception) =>
        new(call.CallId, message) { Exception = exception };

    private ValueTask SaveCheckpointAsync(CancellationToken token) =>
        _executor.Checkpointer is NullCheckpointer ? default : SaveCheckpointCoreAsync(token);

    private async ValueTask SaveCheckpointCoreAsync(CancellationToken token)
    {
        try
        {
            await _executor.Checkpointer.SaveAsync(
                new RunCheckpoint(RunId, _agent, Caller, [.. _messages], _iteration, Time.GetUtcNow()), token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Why: a busy or broken checkpoint store must not end a healthy run; the next save tries again.
            LogPortFailure(_executor.Logger, ex, "checkpoint save", RunId);
        }
    }

    private async Task<RunResult> FinishAsync(RunOutcome outcome, string? stopReason, Exception? error)
    {
        // Why: the run's own token may be cancelled (timeout, caller); ending work gets its own bounded time. Only ports
        // that do I/O need it, so the timer is not created for a run with null ports.
        bool endWork = _executor.Ports.Delivery is not null || _executor.Checkpointer is not NullCheckpointer || _executor.Audit is not NullAudit;
        using CancellationTokenSource? endCts = endWork ? new CancellationTokenSource(_executor.Options.DeliveryTimeout, Time) : null;
        CancellationToken token = endCts?.Token ?? CancellationToken.None;
        string text = _messages.LastOrDefault(m => m.Role == ChatRole.Assistant)?.Text ?? string.Empty;
        IReadOnlyList<DataContent> attachments = _context?.DrainAttachments() ?? [];

        RunDeliveryStatus delivery = RunDeliveryStatus.NotDelivered;
        Exception? deliveryError = null;
        if (_executor.Ports.Delivery is { } port && outcome != RunOutcome.Cancelled && (text.Length > 0 || attachments.Count > 0))
        {
            try
            {
                var metadata = new Dictionary<string, string>(_agent.Metadata) { ["outcome"] = outcome.ToString(), ["agent"] = _agent.Name };
                foreach (KeyValuePair<string, string> pair in _request.Metadata)
                {
                    metadata[pair.Key] = pair.Value;
                }

                await port.DeliverAsync(new Delivery(text) { Attachments = attachments, RunId = RunId, Caller = Caller, Metadata = metadata }, token).ConfigureAwait(false);
                delivery = RunDeliveryStatus.Delivered;
            }
            catch (Exception ex)
            {
                (delivery, deliveryError) = (RunDeliveryStatus.Failed, ex);
                LogPortFailure(_executor.Logger, ex, "delivery", RunId);
            }
        }

        if (_executor.Checkpointer is not NullCheckpointer && outcome != RunOutcome.Cancelled)
        {
            try
            {
                // Why: a cancelled run (host shutdown) keeps its checkpoint: it is exactly what resume picks up.
                if (outcome == RunOutcome.Completed)
                {
                    await _executor.Checkpointer.CompleteAsync(RunId, token).ConfigureAwait(false);
                }
                else
                {
                    await _executor.Checkpointer.FailAsync(RunId, outcome, token).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                LogPortFailure(_executor.Logger, ex, "checkpoint completion", RunId);
            }
        }

        TimeSpan duration = Elapsed();
        var result = new RunResult
        {
            RunId = RunId,
            AgentName = _agent.Name,
            Outcome = outcome,
            Messages = _messages.AsReadOnly(),
            Text = text,
            Usage = _usage,
            Iterations = _iteration,
            StopReason = stopReason,
            Error = error,
            Delivery = delivery,
            DeliveryError = deliveryError,
            Attachments = attachments,
            StartedAt = _startedAt,
            Duration = duration,
        };

        await AuditAsync(AuditEventKind.RunFinished, null, stopReason ?? outcome.ToString(), token, outcome).ConfigureAwait(false);
        var outcomeTag = new KeyValuePair<string, object?>("executus.run.outcome", RunsTelemetry.OutcomeName(outcome));
        var agentTag = new KeyValuePair<string, object?>("gen_ai.agent.name", _agent.Name);
        RunsTelemetry.Runs.Add(1, outcomeTag, agentTag);
        RunsTelemetry.Duration.Record(duration.TotalSeconds, outcomeTag, agentTag);
        RunsTelemetry.Iterations.Record(_iteration, agentTag);

        if (_emit)
        {
            await EmitAsync(new RunFinishedEvent(RunId, _iteration, Time.GetUtcNow(), result), CancellationToken.None).ConfigureAwait(false);
        }
        _events?.TryComplete();
        return result;
    }

    private async ValueTask EmitAsync(RunEvent runEvent, CancellationToken token)
    {
        if (!_emit)
        {
            return;
        }

        _events?.TryWrite(runEvent);
        foreach (IRunObserver observer in _executor.Ports.Observers)
        {
            try
            {
                await observer.OnEventAsync(runEvent, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                LogPortFailure(_executor.Logger, ex, "observer", RunId);
            }
        }
    }

    private ValueTask AuditAsync(AuditEventKind kind, string? toolName, string? detail, CancellationToken token, RunOutcome? outcome = null) =>
        _executor.Audit is NullAudit ? default : AuditCoreAsync(kind, toolName, detail, outcome, token);

    private async ValueTask AuditCoreAsync(AuditEventKind kind, string? toolName, string? detail, RunOutcome? outcome, CancellationToken token)
    {
        try
        {
            var data = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["iteration"] = _iteration.ToString(CultureInfo.InvariantCulture),
            };
            if (outcome is { } o)
            {
                data["outcome"] = o.ToString();
            }

            await _executor.Audit.RecordAsync(
                new AuditEvent(kind, Time.GetUtcNow()) { RunId = RunId, AgentName = _agent.Name, Caller = Caller, ToolName = toolName, Detail = detail, Data = data },
                token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPortFailure(_executor.Logger, ex, "audit", RunId);
        }
    }

    private void AddInputAttachments(IReadOnlyList<AIContent> attachments)
    {
        int last = _messages.FindLastIndex(m => m.Role == ChatRole.User);
        if (last < 0)
        {
            _messages.Add(new ChatMessage(ChatRole.User, [.. attachments]));
            return;
        }

        ChatMessage original = _messages[last];
        _messages[last] = new ChatMessage(original.Role, [.. original.Contents, .. attachments]) { AuthorName = original.AuthorName, MessageId = original.MessageId };
    }

    private string? LastUserText() => _request.Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text;

    private TimeSpan Elapsed() => Time.GetElapsedTime(_startTimestamp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the {Port} failed; the run goes on.")]
    private static partial void LogPortFailure(ILogger logger, Exception exception, string port, string runId);
}
