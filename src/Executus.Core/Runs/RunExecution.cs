using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Executus.Auditing;
using Executus.Compaction;
using Executus.Dispatch;
using Executus.Identity;
using Executus.Models;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Executus.Runs;

/// <summary>
/// One run's state and loop. Created per run by <see cref="Executor"/>; ports are called through
/// <see cref="RunPortInvoker"/> and the end is written by <see cref="RunFinisher"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "An execution runs once; ExecuteAsync disposes the deadline when the run ends.")]
internal sealed partial class RunExecution
{
    private readonly Executor _executor;
    private readonly RunRequest _request;
    private readonly CancellationToken _callerToken;
    private List<ChatMessage> _messages;
    private readonly DateTimeOffset _startedAt;
    private readonly RunContext? _parent;
    private readonly RunDeadline _deadline;
    private readonly RunPortInvoker _ports;
    private RunContext? _context;
    private RunAccount? _account;
    private ModelCallContext? _callContext;
    private int _iteration;
    private int _maxOutputTokens;
    private PhaseDriver? _phases;
    private int _savedMessageCount;
    private bool _softDeadlineReviewed;
    private readonly TimeSpan _resumedAfter;
    private AgentSnapshot? _agentSnapshot;
    private List<FunctionCallContent>? _openCalls;
    private FunctionResultContent?[]? _openResults;
    private long _lastReading;

    // Why: true while _lastReading is the current moment: read, then nothing since waited (only synchronous kernel work
    // followed). The next moment that needs a time (a tool's dispatch, the next step's start) takes it instead of
    // reading the clock again. Set only after a reading by the run's own flow; anything that may wait clears it.
    private bool _readingIsNow;
    private bool _concurrentTools;

    public RunExecution(Executor executor, RunRequest request, ChannelWriter<RunEvent>? events, CancellationToken callerToken)
    {
        _executor = executor;
        _request = request;
        Agent = request.Agent;
        Options = executor.Options.ForRun();
        _callerToken = request.Detached ? CancellationToken.None : callerToken;
        _parent = RunContext.Current;
        Caller = request.Caller ?? _parent?.Caller ?? CallerIdentity.Anonymous;
        RunId = request.RunId ?? RunIds.New();
        _messages = [.. request.Messages];
        if (request.Attachments.Count > 0)
        {
            AddInputAttachments(request.Attachments);
        }

        _iteration = request.StartIteration;
        _savedMessageCount = request.ResumedFrom is null ? 0 : _messages.Count;
        _startedAt = executor.TimeProvider.GetUtcNow();
        _ports = new RunPortInvoker(executor, this, events);
        TimeSpan before = request.ResumedFrom?.Elapsed ?? TimeSpan.Zero;
        TimeSpan limit = Agent.Timeout ?? Options.DefaultTimeout;
        if (request.ResumedFrom?.PausedReason is not null)
        {
            // Why: a run paused for a human (often at its own deadline) is given a new time budget by the human who
            // resumes it; counting the old stretch would time it out again at once.
            _resumedAfter = before;
            limit = limit == Timeout.InfiniteTimeSpan || TimeSpan.MaxValue - limit <= before ? limit : limit + before;
        }

        _deadline = new RunDeadline(executor.TimeProvider, limit, before, _callerToken);
    }

    public string RunId { get; }

    public RunnableAgent Agent { get; }

    public CallerIdentity Caller { get; private set; }

    public int Iteration => _iteration;

    public ExecutorOptions Options { get; }

    public RunRequest Request => _request;

    public List<ChatMessage> Messages => _messages;

    public RunContext? Context => _context;

    public RunAccount? Account => _account;

    /// <summary>Gets whether another host took the run over (it ended here without delivery or checkpoint end).</summary>
    public bool Superseded { get; private set; }

    /// <summary>Gets the structured reason of a budget refusal that ended the run, if any.</summary>
    public BudgetLimitExceeded? BudgetExceeded { get; private set; }

    public DateTimeOffset StartedAt => _startedAt;

    public RunDeadline Deadline => _deadline;

    public RunPortInvoker Ports => _ports;

    public Executor Executor => _executor;

    public int SavedMessageCount => _savedMessageCount;

    public ModelCallContext? CallContext => _callContext;

    /// <summary>Gets the phases of a phased agent's run; null for an agent without phases.</summary>
    public PhaseDriver? Phases => _phases;

    /// <summary>Replaces the run's model-call context (a phase sets its name and tier).</summary>
    public void SetCallContext(ModelCallContext context) => _callContext = context;

    private TimeProvider Time => _executor.TimeProvider;

    /// <summary>
    /// Reads the clock once for a moment of the run: the timestamp, kept as the run's last reading, and the wall-clock
    /// time of it (the run's start plus the monotonic time since).
    /// </summary>
    /// <remarks>
    /// Why: every event, audit record and checkpoint carries a time, and a clock read costs tens of nanoseconds on a
    /// virtual machine (more than some ports' whole work); things that happen at the same moment share one reading.
    /// </remarks>
    private DateTimeOffset Now(out long timestamp)
    {
        timestamp = Time.GetTimestamp();
        _lastReading = timestamp;
        return At(timestamp);
    }

    private DateTimeOffset Now() => Now(out _);

    /// <summary>Gets the wall-clock time of a timestamp read during this run.</summary>
    public DateTimeOffset At(long timestamp) => _startedAt + Time.GetElapsedTime(_deadline.StartTimestamp, timestamp);

    /// <summary>Stops the run through its handle.</summary>
    public bool Stop(string reason) => _deadline.Stop(RunOutcome.Stopped, reason);

    public async Task<RunResult> ExecuteAsync()
    {
        using Activity? activity = RunsTelemetry.Source.HasListeners()
            ? RunsTelemetry.Source.StartActivity($"invoke_agent {Agent.Name}", ActivityKind.Internal)
            : null;
        activity?.SetTag("gen_ai.operation.name", "invoke_agent");
        activity?.SetTag("gen_ai.agent.name", Agent.Name);
        activity?.SetTag("gen_ai.conversation.id", RunId);

        RunOutcome outcome;
        string? stopReason = null;
        Exception? error = null;
        bool hardDeadline = false;
        RunContext? previousContext = RunContext.Current;
        DispatchEntry? dispatch = null;
        try
        {
            try
            {
                CancellationToken token = _deadline.Token;
                Caller = await _ports.ResolveCallerAsync(_request, _parent, Options.CallerResolver, token).ConfigureAwait(false);
                _account = new RunAccount(RunId, Agent.Name, Caller, _executor.Budget, Options.TokenCounter, _executor.Logger) { Iteration = _iteration };
                if (_ports.Audits || _ports.Emits)
                {
                    _account.DecisionObserver = _ports.OnBudgetDecisionAsync;
                }

                if (_request.ResumedFrom is { } resumed)
                {
                    _account.AddPrior(resumed.Usage);
                }

                _context = new RunContext(RunId, Agent, Caller, Options.Attachments, _executor, _parent) { ActivePhase = _request.ResumedFrom?.ActivePhase };
                RunContext.Current = _context;
                _callContext = new ModelCallContext { Caller = Caller, RunId = RunId, Tier = Agent.Model ?? Agent.Tier, Purpose = "run", Account = _account };
                using IDisposable modelContext = ModelCallContext.Begin(_callContext);
                // Why: the run started when it was created (RunResult.StartedAt); its event and record say so.
                if (_ports.Emits)
                {
                    await _ports.EmitAsync(new RunStartedEvent(RunId, _iteration, _startedAt, Agent.Name, Caller), token).ConfigureAwait(false);
                }

                await _ports.AuditAsync(AuditEventKind.RunStarted, token, at: _startedAt).ConfigureAwait(false);
                if (_request.ResumedFrom is { } from)
                {
                    // Why: the request's metadata is how a resumer says how it resumed (e.g. where the agent came from).
                    await _ports.AuditAsync(
                        AuditEventKind.RunResumed,
                        token,
                        detail: string.Create(CultureInfo.InvariantCulture, $"Resumed at iteration {from.Iteration} after {from.Elapsed:c}."),
                        usage: from.Usage,
                        data: new Dictionary<string, string>(_request.Metadata, StringComparer.Ordinal)).ConfigureAwait(false);
                }

                dispatch = _executor.Guard?.Enter(Agent.Name, LastUserText());
                if (dispatch is { Denied: { } denied })
                {
                    (outcome, stopReason) = (RunOutcome.GuardTripped, denied.Message);
                    await _ports.AuditAsync(AuditEventKind.DispatchGuardTripped, token, detail: denied.Message, data: GuardData(denied)).ConfigureAwait(false);
                }
                else
                {
                    (outcome, stopReason) = await LoopAsync().ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_deadline.IsStopped)
            {
                (outcome, stopReason) = _deadline.StopResult;
            }
            catch (OperationCanceledException) when (_deadline.IsExpired && !_callerToken.IsCancellationRequested)
            {
                (outcome, hardDeadline) = (RunOutcome.TimedOut, true);
                stopReason = _deadline.IsInfinite
                    ? "The run exceeded its timeout."
                    : string.Create(CultureInfo.InvariantCulture, $"The run exceeded its timeout of {_deadline.Limit}.");
            }
            catch (OperationCanceledException) when (_callerToken.IsCancellationRequested)
            {
                (outcome, stopReason) = (RunOutcome.Cancelled, "The run was cancelled.");
            }
            catch (RunOwnershipLostException ex)
            {
                (outcome, stopReason) = (RunOutcome.Stopped, ex.Message);
                Superseded = true;
            }
            catch (BudgetExceededException ex)
            {
                (outcome, stopReason) = (RunOutcome.BudgetExceeded, ex.Message);
                BudgetExceeded = ex.Exceeded;
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

            RunResult result = await RunFinisher.FinishAsync(this, outcome, stopReason, error, hardDeadline).ConfigureAwait(false);
            activity?.SetTag("executus.run.outcome", result.Outcome.ToString());
            if (result.Outcome != RunOutcome.Completed)
            {
                activity?.SetStatus(ActivityStatusCode.Error, result.StopReason);
                activity?.SetTag("error.type", result.Error?.GetType().FullName ?? result.Outcome.ToString());
            }

            return result;
        }
        finally
        {
            _deadline.Dispose();
        }
    }

    private async Task<(RunOutcome Outcome, string? Reason)> LoopAsync()
    {
        CancellationToken token = _deadline.Token;
        IChatClient client;
        Toolbox? toolbox = null;
        ChatOptions options;
        PhaseDriver? phases = null;
        if (Agent.Phases.Count == 0)
        {
            client = Accounted(_executor.Models.Resolve(Agent), Agent);
            if (_executor.Toolboxes is { } factory && Agent.Tools.Count > 0)
            {
                toolbox = await factory.CreateAsync(
                    new ToolboxRequest(Agent.Name, Agent.Tools, Caller) { RunId = RunId, Services = Options.Services, Audit = _ports.Audits ? _ports : null },
                    token).ConfigureAwait(false);
            }

            options = BuildOptions(toolbox);
        }
        else
        {
            _phases = phases = new PhaseDriver(this);
            if (!await phases.StartAsync(token).ConfigureAwait(false))
            {
                return (RunOutcome.Completed, null);
            }

            phases.ApplyAmbient();
            (client, options, toolbox) = (phases.Client, phases.Options, phases.Toolbox);
        }

        _maxOutputTokens = Math.Max(0, options.MaxOutputTokens ?? 0);
        int consecutiveToolErrors = 0;
        if (_request.ResumedFrom is not null && OpenCallsOf(_messages) is { } inFlight)
        {
            await AnswerInFlightCallsAsync(toolbox, inFlight, token).ConfigureAwait(false);
        }

        bool nothingSinceLastReading = false;
        while (true)
        {
            // Why: without audit or observers the step's start time is only wanted for the deadline; while the deadline
            // is clearly ahead by the coarse system tick, no precise reading is taken.
            bool read = nothingSinceLastReading || _ports.Audits || _ports.Emits || !_deadline.IsClearlyAhead();
            long stepStart = nothingSinceLastReading ? _lastReading : read ? Time.GetTimestamp() : 0;
            nothingSinceLastReading = false;
            _readingIsNow = false;
            if (read)
            {
                _deadline.ThrowIfPastDue(stepStart);
            }

            token = _deadline.Token;
            token.ThrowIfCancellationRequested();
            if (_iteration >= Agent.MaxIterations)
            {
                return (RunOutcome.MaxIterations, string.Create(CultureInfo.InvariantCulture, $"The agent reached its limit of {Agent.MaxIterations} model calls."));
            }

            if (phases is not null)
            {
                (PhaseStep step, string? reason) = await phases.CheckLimitAsync(token).ConfigureAwait(false);
                if (step != PhaseStep.Continue)
                {
                    return (step == PhaseStep.Limit ? RunOutcome.PhaseLimit : RunOutcome.Completed, reason);
                }

                if (phases.Options != options)
                {
                    // Why: the phase over its limit moved on; the next phase brings its own client, options and tools.
                    phases.ApplyAmbient();
                    (client, options, toolbox) = (phases.Client, phases.Options, phases.Toolbox);
                    _maxOutputTokens = Math.Max(0, options.MaxOutputTokens ?? 0);
                }
            }

            if (_ports.Critic is { } critic)
            {
                CriticVerdict verdict = await _ports.ReviewAsync(critic, Review(BoundaryTrigger()), token).ConfigureAwait(false);
                switch (verdict.Kind)
                {
                    case CriticVerdictKind.Stop:
                        return (RunOutcome.CriticStopped, verdict.Reason);
                    case CriticVerdictKind.Escalate:
                        return (RunOutcome.Escalated, verdict.Reason);
                    case CriticVerdictKind.Pause:
                        return (RunOutcome.Paused, verdict.Reason);
                    case CriticVerdictKind.Extend:
                        _deadline.Extend(verdict.Extension);
                        token = _deadline.Token;
                        token.ThrowIfCancellationRequested();
                        break;
                }
            }

            _iteration++;
            _account!.Iteration = _iteration;
            if (_ports.Critic is not null || phases is not null)
            {
                // Why: the critic and the phases may have waited since the iteration's first reading.
                stepStart = Time.GetTimestamp();
                read = true;
            }

            if (read)
            {
                _lastReading = stepStart;
            }

            if (_ports.Emits)
            {
                ValueTask told = _ports.EmitAsync(new StepStartedEvent(RunId, _iteration, At(stepStart)), token);
                if (!told.IsCompletedSuccessfully)
                {
                    // Why: an observer that waited is not part of the model call's latency.
                    await told.ConfigureAwait(false);
                    stepStart = Time.GetTimestamp();
                }
            }

            if (_executor.Compactor is not null)
            {
                await CompactAsync(token).ConfigureAwait(false);
                stepStart = Time.GetTimestamp();
            }

            ChatResponse response = await CallModelAsync(client, options, stepStart, token).ConfigureAwait(false);
            _messages.AddRange(response.Messages);

            // Why: indexed loops; foreach over the IList properties would box an enumerator per message per turn.
            List<FunctionCallContent>? calls = null;
            IList<ChatMessage> answered = response.Messages;
            for (int m = 0; m < answered.Count; m++)
            {
                IList<AIContent> contents = answered[m].Contents;
                for (int c = 0; c < contents.Count; c++)
                {
                    if (contents[c] is FunctionCallContent { InformationalOnly: false } call)
                    {
                        (calls ??= []).Add(call);
                    }
                }
            }

            if (calls is null)
            {
                if (_ports.Emits)
                {
                    // Why: nothing happened since the model call's end was read.
                    await _ports.EmitAsync(new StepFinishedEvent(RunId, _iteration, At(_lastReading)), token).ConfigureAwait(false);
                }

                if (phases is null || await phases.AfterAnswerAsync(response, token).ConfigureAwait(false) == PhaseStep.Completed)
                {
                    return (RunOutcome.Completed, null);
                }

                phases.ApplyAmbient();
                (client, options, toolbox) = (phases.Client, phases.Options, phases.Toolbox);
                _maxOutputTokens = Math.Max(0, options.MaxOutputTokens ?? 0);
                continue;
            }

            if (_ports.Checkpoints && HasSideEffects(toolbox, calls))
            {
                // Why: a crash during a call with side effects must leave a checkpoint that says the call was in
                // flight, so a resume does not silently run it again (see AnswerInFlightCallsAsync).
                ValueTask savedFirst = SaveCheckpointAsync(CheckpointBoundary.BeforeSideEffects, token);

                // Why: a checkpoint taken at once read the clock for this moment.
                _readingIsNow = savedFirst.IsCompletedSuccessfully;
                await savedFirst.ConfigureAwait(false);
            }

            FunctionResultContent[] results = await InvokeToolsAsync(toolbox, calls, token).ConfigureAwait(false);
            _messages.Add(new ChatMessage(ChatRole.Tool, [.. results]));
            (_openCalls, _openResults) = (null, null);
            consecutiveToolErrors = Array.Exists(results, r => r.Exception is not null) ? consecutiveToolErrors + 1 : 0;
            if (phases is not null)
            {
                (PhaseStep step, string? reason) = await phases.AfterToolsAsync(token).ConfigureAwait(false);
                if (step != PhaseStep.Continue)
                {
                    if (_ports.Emits)
                    {
                        await _ports.EmitAsync(new StepFinishedEvent(RunId, _iteration, Time.GetUtcNow()), token).ConfigureAwait(false);
                    }

                    return (step == PhaseStep.Limit ? RunOutcome.PhaseLimit : RunOutcome.Completed, reason);
                }

                phases.ApplyAmbient();
                (client, options, toolbox) = (phases.Client, phases.Options, phases.Toolbox);
                _maxOutputTokens = Math.Max(0, options.MaxOutputTokens ?? 0);
            }

            // Why: without phases nothing has waited since the last tool's end was read (when it was: with audit,
            // observers or tracing on), so without a checkpoint the next iteration starts at that moment.
            bool toolsEndedNow = phases is null && _readingIsNow;
            _readingIsNow = false;
            ValueTask saved = SaveCheckpointAsync(CheckpointBoundary.Turn, token);
            bool savedAtOnce = saved.IsCompletedSuccessfully;
            await saved.ConfigureAwait(false);

            // Why: a checkpoint that was taken at once read the clock for this same moment, and so did a step-finished
            // event that observers took at once; the next iteration starts at that moment too.
            nothingSinceLastReading = _ports.Checkpoints ? savedAtOnce : toolsEndedNow;
            if (_ports.Emits)
            {
                ValueTask told = _ports.EmitAsync(new StepFinishedEvent(RunId, _iteration, nothingSinceLastReading ? At(_lastReading) : Now()), token);
                nothingSinceLastReading = told.IsCompletedSuccessfully;
                await told.ConfigureAwait(false);
            }

            if (consecutiveToolErrors >= Agent.MaxConsecutiveToolErrors)
            {
                return (RunOutcome.ToolErrorLimit, string.Create(CultureInfo.InvariantCulture, $"Tool calls failed in {consecutiveToolErrors} consecutive model turns."));
            }
        }
    }

    /// <summary>Builds a critic review of the run's current state.</summary>
    public CriticReview Review(CriticTrigger trigger) =>
        new(RunId, Agent, Caller, _iteration, _deadline.Elapsed, _deadline.Limit, _messages.AsReadOnly())
        {
            Trigger = trigger,
            Usage = _account?.Usage ?? new UsageDetails(),
            Phase = _context?.ActivePhase,
            ResumedAfter = _resumedAfter,
        };

    /// <summary>Builds the checkpoint of the run's current state.</summary>
    public RunCheckpoint Checkpoint(CheckpointBoundary boundary)
    {
        // Why: one clock read for both times; the wall-clock time is the run's start plus the monotonic time since.
        long now = Time.GetTimestamp();
        _lastReading = now;
        TimeSpan sinceStart = Time.GetElapsedTime(_deadline.StartTimestamp, now);
        return new()
        {
            Boundary = boundary,
            RunId = RunId,
            Agent = _agentSnapshot ??= AgentSnapshot.From(Agent),
            Caller = Caller,
            Messages = new TranscriptView(_messages),
            Iteration = _iteration,
            Usage = _account?.UsageSnapshot() ?? new UsageDetails(),
            Elapsed = _deadline.Before + sinceStart,
            Metadata = _request.Metadata,
            Detached = _request.Detached,
            ActivePhase = _context?.ActivePhase,
            Phases = _phases?.Snapshot() ?? [],
            SavedAt = _startedAt + sinceStart,
        };
    }

    /// <summary>Saves a checkpoint with the append-friendly count; a save that fails keeps the old count.</summary>
    public ValueTask SaveCheckpointAsync(CheckpointBoundary boundary, CancellationToken token, string? pausedReason = null)
    {
        if (!_ports.Checkpoints)
        {
            return default;
        }

        RunCheckpoint checkpoint = pausedReason is null ? Checkpoint(boundary) : Checkpoint(boundary) with { PausedReason = pausedReason };
        ValueTask<bool> save = _ports.SaveAsync(checkpoint, Math.Min(_savedMessageCount, checkpoint.Messages.Count), token);
        if (!save.IsCompletedSuccessfully)
        {
            return SavedAsync(save, checkpoint.Messages.Count);
        }

        if (save.Result)
        {
            _savedMessageCount = checkpoint.Messages.Count;
        }

        return default;
    }

    private async ValueTask SavedAsync(ValueTask<bool> save, int count)
    {
        if (await save.ConfigureAwait(false))
        {
            _savedMessageCount = count;
        }
    }

    /// <summary>
    /// Answers every tool call the transcript left open (the run ended mid-tools) with an explicit result, keeping
    /// results that were already in; returns whether anything was added.
    /// </summary>
    public bool CloseOpenCalls(RunOutcome outcome, string? reason)
    {
        if (_openCalls is not { } calls)
        {
            return false;
        }

        string why = outcome switch
        {
            RunOutcome.TimedOut => "timed out",
            RunOutcome.Cancelled => "cancelled",
            _ => "stopped",
        };
        var results = new AIContent[calls.Count];
        for (int i = 0; i < calls.Count; i++)
        {
            results[i] = _openResults?[i] is { } done
                ? done
                : new FunctionResultContent(calls[i].CallId, $"Error: the tool call was {why} because the run ended ({reason ?? outcome.ToString()}); its effect is unknown.")
                {
                    Exception = new OperationCanceledException($"The tool call was {why}."),
                };
        }

        _messages.Add(new ChatMessage(ChatRole.Tool, results));
        (_openCalls, _openResults) = (null, null);
        return true;
    }

    /// <summary>
    /// The calls of the transcript's last assistant message that have no result yet (a checkpoint taken before tools
    /// with side effects ran), or null when every call was answered.
    /// </summary>
    internal static List<FunctionCallContent>? OpenCallsOf(List<ChatMessage> messages)
    {
        int last = messages.FindLastIndex(m => m.Role == ChatRole.Assistant);
        if (last < 0)
        {
            return null;
        }

        HashSet<string>? answered = null;
        for (int i = last + 1; i < messages.Count; i++)
        {
            foreach (AIContent content in messages[i].Contents)
            {
                if (content is FunctionResultContent result)
                {
                    (answered ??= new HashSet<string>(StringComparer.Ordinal)).Add(result.CallId);
                }
            }
        }

        List<FunctionCallContent>? open = null;
        foreach (AIContent content in messages[last].Contents)
        {
            if (content is FunctionCallContent { InformationalOnly: false } call && answered?.Contains(call.CallId) != true)
            {
                (open ??= []).Add(call);
            }
        }

        return open;
    }

    /// <summary>
    /// Answers the calls a resumed checkpoint left in flight: a tool safe to repeat (<see cref="ToolMetadata.IsSafeToRepeat"/>)
    /// is run again through the toolbox (all three permission stages, audited); any other gets a result saying it was
    /// interrupted and may or may not have taken effect (audited as a tool call with <c>interrupted</c> in the data),
    /// and the model decides what to do.
    /// </summary>
    private async ValueTask AnswerInFlightCallsAsync(Toolbox? toolbox, List<FunctionCallContent> calls, CancellationToken token)
    {
        var results = new FunctionResultContent[calls.Count];
        List<FunctionCallContent>? rerun = null;
        List<int>? rerunIndexes = null;
        for (int i = 0; i < calls.Count; i++)
        {
            FunctionCallContent call = calls[i];
            if (toolbox is not null && toolbox.TryGetTool(call.Name, out RegisteredTool? tool) && tool.Metadata.IsSafeToRepeat)
            {
                (rerun ??= []).Add(call);
                (rerunIndexes ??= []).Add(i);
                continue;
            }

            results[i] = new FunctionResultContent(
                call.CallId,
                $"Error: the call to tool '{ToolText.Echo(call.Name)}' was interrupted by a restart before its result was recorded; it may or may not have taken effect. Check before repeating it.");
            await _ports.AuditAsync(
                AuditEventKind.ToolCall,
                token,
                toolName: call.Name,
                detail: "Interrupted by a restart; not re-run (the tool is not safe to repeat).",
                arguments: ArgumentsOf(call),
                data: new Dictionary<string, string>(StringComparer.Ordinal) { ["interrupted"] = "true" }).ConfigureAwait(false);
        }

        if (rerun is not null)
        {
            FunctionResultContent[] rerunResults = await InvokeToolsAsync(toolbox, rerun, token).ConfigureAwait(false);
            for (int i = 0; i < rerunResults.Length; i++)
            {
                results[rerunIndexes![i]] = rerunResults[i];
            }
        }

        _messages.Add(new ChatMessage(ChatRole.Tool, [.. results]));
        (_openCalls, _openResults) = (null, null);
    }

    private static bool HasSideEffects(Toolbox? toolbox, List<FunctionCallContent> calls)
    {
        if (toolbox is null or { ReadOnly: true })
        {
            return false;
        }

        foreach (FunctionCallContent call in calls)
        {
            if (toolbox.TryGetTool(call.Name, out RegisteredTool? tool) && tool.Metadata.SideEffect != SideEffect.Read)
            {
                return true;
            }
        }

        return false;
    }

    private CriticTrigger BoundaryTrigger()
    {
        if (!_softDeadlineReviewed && Agent.SoftTimeout is { } soft && _deadline.Elapsed - _resumedAfter >= soft)
        {
            _softDeadlineReviewed = true;
            return CriticTrigger.SoftDeadline;
        }

        return CriticTrigger.Iteration;
    }

    /// <summary>Adds the accounting decorator to a resolved client that has none.</summary>
    public IChatClient Accounted(IChatClient client, RunnableAgent agent)
    {
        // Why: budgets and run usage are counted by the accounting decorator; a custom resolver's raw client gets one.
        if (client.GetService(typeof(UsageRecordingChatClient)) is not null)
        {
            return client;
        }

        return new UsageRecordingChatClient(client, NullUsageSink.Instance, FixedModelResolver.ReferenceOf(client, agent), timeProvider: Time);
    }

    /// <summary>Builds the chat options of the agent's model calls with <paramref name="toolbox"/>'s tools.</summary>
    public ChatOptions BuildOptions(Toolbox? toolbox)
    {
        ChatOptions options = Agent.ChatOptions?.Clone() ?? new ChatOptions();
        if (Agent.Instructions is { } instructions)
        {
            options.Instructions = options.Instructions is null ? instructions : instructions + "\n" + options.Instructions;
        }

        if (Agent.ResponseFormat is { } format)
        {
            options.ResponseFormat = format;
        }

        if (toolbox is { Functions.Count: > 0 })
        {
            options.Tools = [.. toolbox.Functions];
            options.AllowMultipleToolCalls ??= Agent.AllowConcurrentToolCalls ? true : null;
        }

        return options;
    }

    private ValueTask CompactAsync(CancellationToken token) =>
        _executor.Compactor is { } compactor ? CompactCoreAsync(compactor, token) : default;

    private async ValueTask CompactCoreAsync(ICompactor compactor, CancellationToken token)
    {
        CompactionResult compacted;
        using (ModelCallContext.Begin(_callContext! with { Purpose = "compaction" }))
        {
            // Why: the answer shares the window, so the request's max output tokens are reserved from it.
            compacted = await compactor.CompactAsync(_messages, null, _maxOutputTokens, token).ConfigureAwait(false);
        }

        if (compacted.Changed)
        {
            int before = _messages.Count;

            // Why: a new list, not Clear + AddRange, so the transcript views handed to checkpoints stay true.
            _messages = [.. compacted.Messages];
            _savedMessageCount = 0;
            await _ports.AuditAsync(
                AuditEventKind.Compaction,
                token,
                data: new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["messagesBefore"] = before.ToString(CultureInfo.InvariantCulture),
                    ["messagesAfter"] = _messages.Count.ToString(CultureInfo.InvariantCulture),
                }).ConfigureAwait(false);
            if (_ports.Emits)
            {
                await _ports.EmitAsync(new CompactionEvent(RunId, _iteration, Time.GetUtcNow(), before, _messages.Count), token).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<ChatResponse> CallModelAsync(IChatClient client, ChatOptions options, long started, CancellationToken token)
    {
        ChatResponse response;
        try
        {
            if (!_ports.Streams)
            {
                if (client is UsageRecordingChatClient recording && recording.PassThroughFor(_account) is { } inner)
                {
                    // Why: with no budget and no usage sink the decorator would only add the usage to the run's
                    // account; the kernel does that itself and saves a layer on every model call.
                    response = await inner.GetResponseAsync(_messages, options, token).ConfigureAwait(false);
                    await _account!.SettleAsync(null, response.Usage, response.ModelId).ConfigureAwait(false);
                }
                else if (client is UsageRecordingChatClient accounting && accounting.InnerWithoutSink is { } direct
                    && ModelCallContext.Current is { } context && ReferenceEquals(context.Account, _account))
                {
                    // Why: with no usage sink the decorator only reserves, settles or releases through the run's
                    // account; done here, as the decorator does it, a model call saves its layer of async state.
                    BudgetReservation? reservation = await _account!.ReserveAsync(accounting.Model, _messages, options, context.Purpose, token).ConfigureAwait(false);
                    try
                    {
                        response = await direct.GetResponseAsync(UsageRecordingChatClient.WithNotice(_messages, reservation), options, token).ConfigureAwait(false);
                    }
                    catch
                    {
                        await _account.ReleaseAsync(reservation).ConfigureAwait(false);
                        throw;
                    }

                    await _account.SettleAsync(reservation, response.Usage, response.ModelId).ConfigureAwait(false);
                }
                else
                {
                    response = await client.GetResponseAsync(_messages, options, token).ConfigureAwait(false);
                }
            }
            else
            {
                List<ChatResponseUpdate> updates = [];
                await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(_messages, options, token).ConfigureAwait(false))
                {
                    updates.Add(update);
                    if (update.Text is { Length: > 0 } text)
                    {
                        await _ports.EmitAsync(new ModelTextDeltaEvent(RunId, _iteration, Time.GetUtcNow(), text), token).ConfigureAwait(false);
                    }
                }

                response = updates.ToChatResponse();
            }
        }
        catch (Exception ex) when (ex is BudgetExceededException || (ex is OperationCanceledException && token.IsCancellationRequested))
        {
            // Why: a refused or interrupted call produced nothing; the run's count of model calls stays what it was,
            // so a checkpoint taken now resumes by making that call again.
            _iteration--;
            _account!.Iteration = _iteration;
            throw;
        }

        if (ModelEmptyResponseException.IsEmpty(response))
        {
            throw new ModelEmptyResponseException(
                $"The model answered agent '{Agent.Name}' with an empty reply and no finish reason (an error inside the stream?); treated as a model failure.");
        }

        if (_ports.Audits || _ports.Emits)
        {
            // Why: the latency is only told to audit and observers; without them the clock is not read.
            DateTimeOffset ended = Now(out long endedAt);
            TimeSpan latency = Time.GetElapsedTime(started, endedAt);
            ValueTask audited = _ports.AuditAsync(AuditEventKind.ModelCall, token, usage: UsageTotals.WithTotal(response.Usage), model: response.ModelId, at: ended, duration: latency);
            bool atOnce = audited.IsCompletedSuccessfully;
            await audited.ConfigureAwait(false);
            if (_ports.Emits)
            {
                ValueTask told = _ports.EmitAsync(new ModelCallCompletedEvent(RunId, _iteration, ended, response, latency), token);
                atOnce &= told.IsCompletedSuccessfully;
                await told.ConfigureAwait(false);
            }

            _readingIsNow = atOnce;
        }

        return response;
    }

    private async ValueTask<FunctionResultContent[]> InvokeToolsAsync(Toolbox? toolbox, List<FunctionCallContent> calls, CancellationToken token)
    {
        var results = new FunctionResultContent[calls.Count];
        (_openCalls, _openResults) = (calls, results);
        var context = new ToolInvocationContext { Caller = Caller, AgentName = Agent.Name, RunId = RunId, Iteration = _iteration, Services = Options.Services };
        if (Agent.AllowConcurrentToolCalls && calls.Count > 1)
        {
            // Why: calls that run side by side each read their own times.
            _readingIsNow = false;
            _concurrentTools = true;
            try
            {
                await Task.WhenAll(calls.Select(async (call, i) => results[i] = await InvokeWithGraceAsync(toolbox, call, context, token).ConfigureAwait(false))).ConfigureAwait(false);
            }
            finally
            {
                _concurrentTools = false;
                _readingIsNow = false;
            }
        }
        else
        {
            for (int i = 0; i < calls.Count; i++)
            {
                results[i] = await InvokeWithGraceAsync(toolbox, calls[i], context, token).ConfigureAwait(false);
            }
        }

        return results;
    }

    private ValueTask<FunctionResultContent> InvokeWithGraceAsync(Toolbox? toolbox, FunctionCallContent call, ToolInvocationContext context, CancellationToken token)
    {
        ValueTask<FunctionResultContent> invocation = InvokeToolAsync(toolbox, call, context, token);
        return invocation.IsCompleted ? invocation : new ValueTask<FunctionResultContent>(GraceAsync(invocation.AsTask(), call, token));
    }

    private async Task<FunctionResultContent> GraceAsync(Task<FunctionResultContent> invocation, FunctionCallContent call, CancellationToken token)
    {
        // Why: a tool that ignores its token must not hold the run hostage. The grace starts at the moment the run's
        // token is cancelled (the timer is created inside the cancellation), then the tool is left running detached
        // (its side effect may still happen) and the run ends.
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ITimer? timer = null;
        TimeSpan grace = Options.ToolGrace;
        using (token.Register(() => timer = Time.CreateTimer(static s => ((TaskCompletionSource)s!).TrySetResult(), expired, grace, Timeout.InfiniteTimeSpan)))
        {
            await Task.WhenAny(invocation, expired.Task).ConfigureAwait(false);
        }

        timer?.Dispose();
        if (invocation.IsCompleted)
        {
            return await invocation.ConfigureAwait(false);
        }

        RunsTelemetry.ToolsDetached.Add(1, new KeyValuePair<string, object?>("gen_ai.tool.name", call.Name));
        LogToolDetached(_executor.Logger, RunId, call.Name, grace);
        _ = invocation.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        throw new OperationCanceledException(token);
    }

    private ValueTask<FunctionResultContent> InvokeToolAsync(Toolbox? toolbox, FunctionCallContent call, ToolInvocationContext context, CancellationToken token)
    {
        // Why: with nothing to tell about a call (no observers, no audit, no tracing listener, no phases) it is the
        // dispatch guard's and the toolbox's alone; this skips a layer of async state on every tool call.
        if (toolbox is not null && !_ports.Emits && !_ports.Audits && _phases is null && !RunsTelemetry.Source.HasListeners())
        {
            return DispatchGuard.CheckToolCall(call) is { } denied
                ? new ValueTask<FunctionResultContent>(Error(call, denied.Message, new DispatchDeniedException(denied)))
                : toolbox.InvokeAsync(call, context, token);
        }

        return InvokeToolCoreAsync(toolbox, call, context, token);
    }

    private async ValueTask<FunctionResultContent> InvokeToolCoreAsync(Toolbox? toolbox, FunctionCallContent call, ToolInvocationContext context, CancellationToken token)
    {
        // Why: a call dispatched right after the model call's end (or the previous call's end) was read, with nothing
        // waited on since, starts at that reading.
        long started = _readingIsNow && !_concurrentTools ? _lastReading : Time.GetTimestamp();
        _readingIsNow = false;
        _lastReading = started;
        DateTimeOffset startedAt = At(started);
        if (_ports.Emits)
        {
            await _ports.EmitAsync(new ToolCallStartedEvent(RunId, _iteration, startedAt, call), token).ConfigureAwait(false);
        }

        using Activity? activity = RunsTelemetry.Source.HasListeners()
            ? RunsTelemetry.Source.StartActivity($"execute_tool {call.Name}", ActivityKind.Internal)
            : null;
        activity?.SetTag("gen_ai.operation.name", "execute_tool");
        activity?.SetTag("gen_ai.tool.name", call.Name);
        activity?.SetTag("gen_ai.tool.call.id", call.CallId);
        activity?.SetTag("gen_ai.tool.type", "function");

        FunctionResultContent result;
        AuditEventKind? audited = AuditEventKind.ToolCall;
        string? detail;
        IReadOnlyDictionary<string, string>? data = null;
        if (_phases is { } phases && phases.IsFinishCall(call))
        {
            // Why: the kernel's own tool; not a registry tool, so not subject to the dispatch guard's repeat count.
            result = phases.Finish(call);
            detail = result.Result as string;
        }
        else if (DispatchGuard.CheckToolCall(call) is { } denied)
        {
            result = Error(call, denied.Message, new DispatchDeniedException(denied));
            (audited, detail, data) = (AuditEventKind.DispatchGuardTripped, denied.Message, GuardData(denied));
        }
        else if (toolbox is null)
        {
            string message = $"Error: the tool '{ToolText.Echo(call.Name)}' is not available to agent '{Agent.Name}', which has no tools.";
            result = Error(call, message, new InvalidOperationException(message));
            (audited, detail) = (AuditEventKind.ToolDenied, message);
        }
        else
        {
            result = await toolbox.InvokeAsync(call, context, token).ConfigureAwait(false);
            detail = result.Exception?.Message;

            // Why: a toolbox denial was already audited (once) by the toolbox through this run's audit channel.
            if (result.Exception is ToolDeniedException)
            {
                audited = null;
            }
        }

        DateTimeOffset endedAt = Now(out long ended);
        bool atOnce = true;
        if (audited is { } kind)
        {
            ValueTask recorded = _ports.AuditAsync(
                kind,
                token,
                toolName: call.Name,
                detail: detail,
                arguments: ArgumentsOf(call),
                data: data,
                at: endedAt,
                duration: kind == AuditEventKind.ToolCall ? Time.GetElapsedTime(started, ended) : null);
            atOnce = recorded.IsCompletedSuccessfully;
            await recorded.ConfigureAwait(false);
        }

        if (result.Exception is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Exception.Message);
            activity?.SetTag("error.type", result.Exception.GetType().FullName);
        }

        if (_ports.Emits)
        {
            ValueTask told = _ports.EmitAsync(new ToolCallCompletedEvent(RunId, _iteration, endedAt, call, result, result.Exception is not null), token);
            atOnce &= told.IsCompletedSuccessfully;
            await told.ConfigureAwait(false);
        }

        _readingIsNow = atOnce && !_concurrentTools;
        return result;
    }

    private AuditArgumentValues? ArgumentsOf(FunctionCallContent call)
    {
        if (!_ports.Audits || call.Arguments is null)
        {
            return null;
        }

        try
        {
            // Why: a copy of the pairs; their JSON is built only if someone reads it (see AuditArgumentValues).
            return AuditArgumentValues.Create(call.Arguments);
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            LogArgumentsNotSerializable(_executor.Logger, ex, RunId, call.Name);
            return null;
        }
    }

    private static Dictionary<string, string> GuardData(DispatchDenied denied) =>
        new(StringComparer.Ordinal) { ["reason"] = denied.Reason.ToString() };

    private static FunctionResultContent Error(FunctionCallContent call, string message, Exception exception) =>
        new(call.CallId, message) { Exception = exception };

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: tool '{Tool}' ignored cancellation for {Grace}; it was left running detached and its side effect may still happen.")]
    private static partial void LogToolDetached(ILogger logger, string runId, string tool, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Run {RunId}: the arguments of tool '{Tool}' could not be serialized for audit.")]
    private static partial void LogArgumentsNotSerializable(ILogger logger, Exception exception, string runId, string tool);
}
