using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Executus.Auditing;
using Executus.Models;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>What the loop does after a phase hook.</summary>
internal enum PhaseStep
{
    /// <summary>Go on (maybe in a new phase: refresh the client, options and toolbox).</summary>
    Continue,

    /// <summary>The last phase ended: the run completed.</summary>
    Completed,

    /// <summary>A phase went over its limit and the run ends with <see cref="RunOutcome.PhaseLimit"/>.</summary>
    Limit,
}

/// <summary>
/// The phases of one run of a phased agent (<see cref="RunnableAgent.Phases"/>): which phase is current, its client,
/// options and toolbox, its bounds, the <c>finish_phase</c> tool, transitions (events, audit, <c>phase {name}</c> spans),
/// hand-offs, and the phase list written to checkpoints and the result. Created only for agents with phases, so a
/// phase-less run pays nothing.
/// </summary>
internal sealed class PhaseDriver
{
    private const string MarkerKey = "executus.phase";

    private readonly RunExecution _run;
    private readonly IReadOnlyList<AgentPhase> _phases;
    private readonly List<PhaseRun> _history = [];
    private readonly Dictionary<string, JsonElement> _handoffs = new(StringComparer.Ordinal);
    private readonly Activity? _parentActivity;
    private readonly Lock _lock = new();
    private int _index = -1;
    private int _startIteration;
    private UsageDetails _startUsage = new();
    private Activity? _activity;
    private int _handoffFailures;
    private bool _finished;
    private JsonElement? _finishedHandoff;
    private string? _limitReason;

    public PhaseDriver(RunExecution run)
    {
        _run = run;
        _phases = run.Agent.Phases;
        _parentActivity = Activity.Current;
    }

    public AgentPhase Current => _phases[_index];

    public IChatClient Client { get; private set; } = null!;

    public ChatOptions Options { get; private set; } = null!;

    public Toolbox? Toolbox { get; private set; }

    /// <summary>Gets the model calls made in the current phase.</summary>
    private int PhaseIterations => _run.Iteration - _startIteration;

    /// <summary>Enters the first phase (or, on resume, the saved one); false when every phase was skipped.</summary>
    public async ValueTask<bool> StartAsync(CancellationToken token)
    {
        if (_run.Request.ResumedFrom is { ActivePhase: { } active } checkpoint && checkpoint.Phases.Count > 0)
        {
            int index = IndexOf(active);
            if (index < 0)
            {
                throw new InvalidOperationException(
                    $"The checkpoint of run '{_run.RunId}' is in phase '{active}', which agent '{_run.Agent.Name}' does not have; resume it with the definition it started with.");
            }

            PhaseRun? running = null;
            foreach (PhaseRun phase in checkpoint.Phases)
            {
                if (phase.Status == PhaseStatus.Running && string.Equals(phase.Name, active, StringComparison.Ordinal))
                {
                    running = phase;
                    continue;
                }

                _history.Add(phase);
                if (phase.Status == PhaseStatus.Completed && phase.Handoff is { } handoff)
                {
                    _handoffs[phase.Name] = handoff;
                }
            }

            _index = index;
            _startIteration = running?.StartIteration ?? _run.Iteration;
            _startUsage = Subtract(_run.Account!.Usage, running?.Usage);
            await EnterAsync(resumed: true, token).ConfigureAwait(false);
            return true;
        }

        return await EnterNextAsync(token).ConfigureAwait(false);
    }

    /// <summary>Sets the ambient state of the current phase in the caller's flow (call it from the loop itself, not from an async helper).</summary>
    public void ApplyAmbient()
    {
        Activity.Current = _activity ?? _parentActivity;
        ModelCallContext.SetCurrent(_run.CallContext);
    }

    /// <summary>Before a model call: ends the phase when it reached its bound.</summary>
    public async ValueTask<(PhaseStep Step, string? Reason)> CheckLimitAsync(CancellationToken token)
    {
        if (Current.MaxIterations is { } max && PhaseIterations >= max)
        {
            return await OverLimitAsync(
                string.Create(CultureInfo.InvariantCulture, $"Phase '{Current.Name}' reached its limit of {max} model calls."), token).ConfigureAwait(false);
        }

        return (PhaseStep.Continue, null);
    }

    /// <summary>Handles a model answer without tool calls.</summary>
    public async ValueTask<PhaseStep> AfterAnswerAsync(ChatResponse response, CancellationToken token)
    {
        if (Current.CompletesWhen == PhaseCompletion.FinishTool)
        {
            // Why: the phase ends only through finish_phase; the model is reminded (the phase and run bounds still apply).
            _run.Messages.Add(Marked(new ChatMessage(
                ChatRole.User,
                $"Phase '{Current.Name}' is not finished yet. Continue its work, then call the {AgentPhase.FinishPhaseToolName} tool to end it."),
                "reminder"));
            return PhaseStep.Continue;
        }

        await EndAsync(PhaseStatus.Completed, JsonSerializer.SerializeToElement(response.Text, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(string))), null, token).ConfigureAwait(false);
        if (!await EnterNextAsync(token).ConfigureAwait(false))
        {
            return PhaseStep.Completed;
        }

        // Why: the transcript ends with the model's answer; the next call must not read as a continuation of it.
        _run.Messages.Add(Marked(new ChatMessage(ChatRole.User, $"Phase '{Current.Name}' begins."), "transition"));
        return PhaseStep.Continue;
    }

    /// <summary>Whether <paramref name="call"/> is this phase's <c>finish_phase</c> call (handled by <see cref="Finish"/>).</summary>
    public bool IsFinishCall(FunctionCallContent call) =>
        Current.CompletesWhen == PhaseCompletion.FinishTool && string.Equals(call.Name, AgentPhase.FinishPhaseToolName, StringComparison.Ordinal);

    /// <summary>Answers a <c>finish_phase</c> call: checks the hand-off against the phase's schema and records it.</summary>
    public FunctionResultContent Finish(FunctionCallContent call)
    {
        AgentPhase phase = Current;
        Dictionary<string, object?> arguments = call.Arguments is null
            ? new Dictionary<string, object?>()
            : new Dictionary<string, object?>(call.Arguments, StringComparer.Ordinal);
        List<string> errors = phase.HandoffSchema is null ? [] : ToolSchemaValidator.Validate(FinishSchema(phase), arguments);
        lock (_lock)
        {
            if (_finished)
            {
                return new FunctionResultContent(call.CallId, $"Phase '{phase.Name}' is already finished.");
            }

            if (errors.Count > 0)
            {
                _handoffFailures++;
                string problems = ToolText.Echo(string.Join("; ", errors), ToolText.MaxMessage);
                if (_handoffFailures >= phase.MaxHandoffAttempts)
                {
                    _limitReason = string.Create(
                        CultureInfo.InvariantCulture, $"Phase '{phase.Name}' got no valid hand-off in {_handoffFailures} attempts; last error: {problems}");
                }

                return new FunctionResultContent(
                    call.CallId,
                    $"Error: the hand-off does not match the phase's schema: {problems}. Call {AgentPhase.FinishPhaseToolName} again with a corrected 'handoff'.");
            }

            _finished = true;
            _finishedHandoff = arguments.TryGetValue("handoff", out object? handoff) && handoff is not null ? Compact(ToolArguments.ToJsonElement(handoff)) : null;
            return new FunctionResultContent(call.CallId, $"Phase '{phase.Name}' finished.");
        }
    }

    /// <summary>After a tool turn: moves to the next phase when <c>finish_phase</c> succeeded, or applies the hand-off limit.</summary>
    public async ValueTask<(PhaseStep Step, string? Reason)> AfterToolsAsync(CancellationToken token)
    {
        if (_finished)
        {
            await EndAsync(PhaseStatus.Completed, _finishedHandoff, null, token).ConfigureAwait(false);
            return (await EnterNextAsync(token).ConfigureAwait(false) ? PhaseStep.Continue : PhaseStep.Completed, null);
        }

        if (_limitReason is { } reason)
        {
            return await OverLimitAsync(reason, token).ConfigureAwait(false);
        }

        return (PhaseStep.Continue, null);
    }

    /// <summary>Gets the phases so far for a checkpoint or the result (the current one as <see cref="PhaseStatus.Running"/>).</summary>
    public IReadOnlyList<PhaseRun> Snapshot()
    {
        if (_index < 0 || _index >= _phases.Count || (_history.Count > 0 && _history[^1].Name == Current.Name && _history[^1].Status != PhaseStatus.Running))
        {
            return [.. _history];
        }

        return [.. _history, Running()];
    }

    /// <summary>Ends the current phase's span when the run ends inside it.</summary>
    public void EndRun(RunOutcome outcome)
    {
        if (_activity is { } activity)
        {
            activity.SetTag("executus.phase.status", nameof(PhaseStatus.Running));
            activity.SetTag("executus.run.outcome", outcome.ToString());
            activity.Stop();
            _activity = null;
        }
    }

    private PhaseRun Running() => new()
    {
        Name = Current.Name,
        Status = PhaseStatus.Running,
        StartIteration = _startIteration,
        Iterations = PhaseIterations,
        Usage = Subtract(_run.Account?.Usage ?? new UsageDetails(), _startUsage),
    };

    private async ValueTask<(PhaseStep Step, string? Reason)> OverLimitAsync(string reason, CancellationToken token)
    {
        AgentPhase phase = Current;
        await EndAsync(PhaseStatus.OverLimit, null, reason, token).ConfigureAwait(false);
        if (phase.OnLimit == PhaseLimitAction.MoveOn && await EnterNextAsync(token).ConfigureAwait(false))
        {
            return (PhaseStep.Continue, null);
        }

        return (PhaseStep.Limit, reason);
    }

    private async ValueTask<bool> EnterNextAsync(CancellationToken token)
    {
        while (++_index < _phases.Count)
        {
            AgentPhase phase = _phases[_index];
            if (phase.SkipWhen is { } skip && skip(new PhaseContext(_run.RunId, phase, [.. _run.Messages], new Dictionary<string, JsonElement>(_handoffs, StringComparer.Ordinal))))
            {
                var skipped = new PhaseRun { Name = phase.Name, Status = PhaseStatus.Skipped, StartIteration = _run.Iteration };
                _history.Add(skipped);
                await ReportEndAsync(skipped, token).ConfigureAwait(false);
                continue;
            }

            _startIteration = _run.Iteration;
            _startUsage = _run.Account?.Usage ?? new UsageDetails();
            await EnterAsync(resumed: false, token).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private async ValueTask EnterAsync(bool resumed, CancellationToken token)
    {
        AgentPhase phase = Current;
        (_handoffFailures, _finished, _finishedHandoff, _limitReason) = (0, false, null, null);
        _run.Context!.ActivePhase = phase.Name;
        _run.Context.Handoffs = new Dictionary<string, JsonElement>(_handoffs, StringComparer.Ordinal);
        _run.SetCallContext(_run.CallContext! with { Phase = phase.Name, Tier = phase.Model ?? phase.Tier ?? _run.Agent.Model ?? _run.Agent.Tier });

        if (RunsTelemetry.Source.HasListeners())
        {
            _activity = RunsTelemetry.Source.StartActivity($"phase {phase.Name}", ActivityKind.Internal, _parentActivity?.Context ?? default);
            _activity?.SetTag("executus.phase.name", phase.Name);
            _activity?.SetTag("executus.phase.index", _index);
            _activity?.SetTag("executus.phase.resumed", resumed);
        }

        RunnableAgent agent = _run.Agent;
        RunnableAgent phaseAgent = phase.Tier is null && phase.Model is null
            ? agent
            : agent with { Tier = phase.Tier ?? agent.Tier, Model = phase.Model ?? (phase.Tier is null ? agent.Model : null) };
        Client = _run.Accounted(_run.Executor.Models.Resolve(phaseAgent), phaseAgent);

        IReadOnlyList<string> tools = phase.Tools ?? agent.Tools;
        Toolbox = null;
        if (_run.Executor.Toolboxes is { } factory && tools.Count > 0)
        {
            Toolbox = await factory.CreateAsync(
                new ToolboxRequest(agent.Name, tools, _run.Caller)
                {
                    RunId = _run.RunId,
                    Services = _run.Options.Services,
                    Audit = _run.Ports.Audits ? _run.Ports : null,
                    Phase = phase.Name,
                },
                token).ConfigureAwait(false);
        }

        Options = BuildOptions(phase);

        if (_run.Ports.Emits)
        {
            await _run.Ports.EmitAsync(new PhaseStartedEvent(_run.RunId, _run.Iteration, _run.Executor.TimeProvider.GetUtcNow(), phase.Name, _index, resumed), token).ConfigureAwait(false);
        }

        await _run.Ports.AuditAsync(
            AuditEventKind.PhaseStarted,
            token,
            detail: resumed ? $"Phase '{phase.Name}' resumed." : $"Phase '{phase.Name}' started.",
            data: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["phase"] = phase.Name,
                ["index"] = _index.ToString(CultureInfo.InvariantCulture),
                ["resumed"] = resumed ? "true" : "false",
            }).ConfigureAwait(false);
    }

    private async ValueTask EndAsync(PhaseStatus status, JsonElement? handoff, string? reason, CancellationToken token)
    {
        PhaseRun ended = Running() with { Status = status, Handoff = handoff, Reason = reason };
        _history.Add(ended);
        if (status == PhaseStatus.Completed && handoff is { } value)
        {
            _handoffs[ended.Name] = value;
        }

        if (_activity is { } activity)
        {
            activity.SetTag("executus.phase.status", status.ToString());
            activity.SetTag("executus.phase.iterations", ended.Iterations);
            if (status == PhaseStatus.OverLimit)
            {
                activity.SetStatus(ActivityStatusCode.Error, reason);
            }

            activity.Stop();
            _activity = null;
        }

        _run.Context!.Handoffs = new Dictionary<string, JsonElement>(_handoffs, StringComparer.Ordinal);
        await ReportEndAsync(ended, token).ConfigureAwait(false);
    }

    private async ValueTask ReportEndAsync(PhaseRun ended, CancellationToken token)
    {
        if (_run.Ports.Emits)
        {
            await _run.Ports.EmitAsync(new PhaseEndedEvent(_run.RunId, _run.Iteration, _run.Executor.TimeProvider.GetUtcNow(), ended), token).ConfigureAwait(false);
        }

        await _run.Ports.AuditAsync(
            AuditEventKind.PhaseEnded,
            token,
            detail: ended.Reason ?? $"Phase '{ended.Name}' {ended.Status.ToString().ToLowerInvariant()}.",
            usage: ended.Usage,
            arguments: ended.Handoff,
            data: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["phase"] = ended.Name,
                ["status"] = ended.Status.ToString(),
                ["iterations"] = ended.Iterations.ToString(CultureInfo.InvariantCulture),
            }).ConfigureAwait(false);
    }

    private ChatOptions BuildOptions(AgentPhase phase)
    {
        ChatOptions options = _run.BuildOptions(Toolbox);
        string phaseText = PhaseInstructions(phase);
        options.Instructions = phase.InstructionsMode == PhaseInstructionsMode.Replace || string.IsNullOrEmpty(options.Instructions)
            ? phaseText
            : options.Instructions + "\n\n" + phaseText;
        if (phase.CompletesWhen == PhaseCompletion.FinishTool)
        {
            options.Tools = [.. options.Tools ?? [], AIFunctionFactory.CreateDeclaration(
                AgentPhase.FinishPhaseToolName,
                $"Ends the current phase ('{phase.Name}') when its work is done" + (phase.HandoffSchema is null ? ", optionally with a hand-off for the next phase." : ", with the structured hand-off the schema describes."),
                FinishSchema(phase))];
        }

        return options;
    }

    private string PhaseInstructions(AgentPhase phase)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Current phase: '{phase.Name}' ({_index + 1} of {_phases.Count}).");
        if (phase.Instructions is { Length: > 0 } instructions)
        {
            text.Append('\n').Append(instructions);
        }

        if (_handoffs.Count > 0)
        {
            text.Append("\nHand-offs from earlier phases:");
            foreach (PhaseRun done in _history)
            {
                if (_handoffs.TryGetValue(done.Name, out JsonElement handoff))
                {
                    text.Append("\n- ").Append(done.Name).Append(": ").Append(handoff.GetRawText());
                }
            }
        }

        text.Append('\n').Append(phase.CompletesWhen == PhaseCompletion.FinishTool
            ? $"When this phase's work is done, call the {AgentPhase.FinishPhaseToolName} tool" + (phase.HandoffSchema is null ? " (its optional 'handoff' is passed to the next phase)." : " with a 'handoff' matching its schema.")
            : "When this phase's work is done, answer without calling a tool; your answer is passed to the next phase.");
        return text.ToString();
    }

    private static JsonElement FinishSchema(AgentPhase phase)
    {
        JsonNode handoff = phase.HandoffSchema is { } schema
            ? JsonNode.Parse(schema.GetRawText())!
            : new JsonObject { ["type"] = "string", ["description"] = "What the next phase needs to know." };
        var root = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["handoff"] = handoff },
        };
        if (phase.HandoffSchema is not null)
        {
            root["required"] = new JsonArray("handoff");
        }

        return JsonSerializer.SerializeToElement(root, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonObject)));
    }

    /// <summary>The hand-off without indentation: it is repeated in every later phase's instructions.</summary>
    private static JsonElement Compact(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            value.WriteTo(writer);
        }

        using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private int IndexOf(string name)
    {
        for (int i = 0; i < _phases.Count; i++)
        {
            if (string.Equals(_phases[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static ChatMessage Marked(ChatMessage message, string kind)
    {
        message.AdditionalProperties = new AdditionalPropertiesDictionary { [MarkerKey] = kind };
        return message;
    }

    private static UsageDetails Subtract(UsageDetails total, UsageDetails? part)
    {
        if (part is null)
        {
            return total;
        }

        static long? Minus(long? a, long? b) => a is null && b is null ? null : Math.Max(0, (a ?? 0) - (b ?? 0));
        return new UsageDetails
        {
            InputTokenCount = Minus(total.InputTokenCount, part.InputTokenCount),
            OutputTokenCount = Minus(total.OutputTokenCount, part.OutputTokenCount),
            TotalTokenCount = Minus(total.TotalTokenCount, part.TotalTokenCount),
            CachedInputTokenCount = Minus(total.CachedInputTokenCount, part.CachedInputTokenCount),
            ReasoningTokenCount = Minus(total.ReasoningTokenCount, part.ReasoningTokenCount),
        };
    }
}
