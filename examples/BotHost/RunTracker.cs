using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Executus.Auditing;
using Executus.Batteries.Audit;
using Executus.Identity;
using Executus.Runs;

namespace BotHost;

/// <summary>
/// Remembers every run this process saw (chat, resumed, scheduled) through the kernel's observer port: who it is for,
/// its events and how it ended, and wakes whoever watches a run (the console's event stream) at each new event. After a
/// restart the durable audit log answers for older runs. Tool arguments and results are kept redacted by the audit
/// battery's <see cref="IAuditRedactor"/> (results in plain text by their secret-named "name=value" pairs), so a
/// secret-keyed value never reaches a page.
/// </summary>
internal sealed partial class RunTracker : IRunObserver
{
    private const int MaxEventsPerRun = 500;
    private const int MaxRuns = 2000;
    private readonly ConcurrentDictionary<string, TrackedRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _starting = new(StringComparer.Ordinal);
    private readonly IAuditRedactor _redactor;
    private readonly TimeProvider _time;

    public RunTracker(IAuditRedactor redactor, TimeProvider time)
    {
        _redactor = redactor;
        _time = time;
    }

    public ValueTask OnEventAsync(RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        if (runEvent is RunStartedEvent started)
        {
            TrackedRun run = _runs.GetOrAdd(started.RunId, id => new TrackedRun(id, started.AgentName, started.Caller, _time.GetUtcNow()));
            run.Status = "running";
            run.FinishedAt = null;
            Forget();
            if (_starting.TryRemove(started.RunId, out TaskCompletionSource? waiter))
            {
                waiter.TrySetResult();
            }
        }

        if (RunEventView.From(runEvent) is { Type: not "text_delta" } view && _runs.TryGetValue(runEvent.RunId, out TrackedRun? tracked))
        {
            if (view.Arguments is { } arguments)
            {
                view = view with { Arguments = Redact(view.Tool, arguments) };
            }

            if (runEvent is ToolCallCompletedEvent { Result.Result: { } result })
            {
                view = view with { Result = RunEventView.Cap(RedactResult(view.Tool, result.ToString() ?? string.Empty)) };
            }

            if (runEvent is RunFinishedEvent finished)
            {
                tracked.Status = finished.Result.Outcome.ToString();
                tracked.Text = finished.Result.Text;
                tracked.Tokens = finished.Result.Usage.TotalTokenCount;
                tracked.FinishedAt = finished.Timestamp;
            }

            tracked.Append(view);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Gets a run of <paramref name="caller"/>'s, or any run when <paramref name="anyCaller"/> (an operator).</summary>
    public TrackedRun? Get(string runId, CallerIdentity caller, bool anyCaller = false) =>
        _runs.TryGetValue(runId, out TrackedRun? run) && (anyCaller || run.Caller.Id == caller.Id) ? run : null;

    public IReadOnlyList<TrackedRun> List(CallerIdentity caller) => [.. _runs.Values.Where(r => r.Caller.Id == caller.Id).OrderBy(r => r.StartedAt)];

    /// <summary>A task that completes when run <paramref name="runId"/> (re)starts (a resumed run keeps its id).</summary>
    public Task WhenStarted(string runId) =>
        _starting.GetOrAdd(runId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public IReadOnlyList<TrackedRun> ListAll() => [.. _runs.Values.OrderBy(r => r.StartedAt)];

    private string Redact(string? tool, string arguments)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(arguments);
            AuditEvent redacted = _redactor.Redact(new AuditEvent(AuditEventKind.ToolCall, _time.GetUtcNow()) { ToolName = tool, Arguments = document.RootElement.Clone() });
            return redacted.Arguments is { } json ? json.GetRawText() : "(redacted)";
        }
        catch (JsonException)
        {
            return "(arguments not shown: not JSON)";
        }
    }

    // Why: a tool result is shown to operators, so it is masked like arguments: a JSON result through the redactor
    // (secret-keyed properties at any depth), plain text by its "name=value" / "name: value" pairs whose name looks secret.
    private string RedactResult(string? tool, string result)
    {
        string trimmed = result.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(result);
                AuditEvent redacted = _redactor.Redact(new AuditEvent(AuditEventKind.ToolCall, _time.GetUtcNow()) { ToolName = tool, Arguments = document.RootElement.Clone() });
                return redacted.Arguments is { } json ? json.GetRawText() : "(redacted)";
            }
            catch (JsonException)
            {
                // Not JSON after all: masked as text below.
            }
        }

        return SecretPair().Replace(result, m => DefaultAuditRedactor.IsSecretKey(m.Groups["name"].Value)
            ? m.Groups["lead"].Value + DefaultAuditRedactor.Mask
            : m.Value);
    }

    [GeneratedRegex("""(?<lead>\b(?<name>[A-Za-z][A-Za-z0-9_.\-]{0,63})\s*[:=]\s*)(?<value>"[^"\r\n]*"|'[^'\r\n]*'|[^\s,;]+)""")]
    private static partial Regex SecretPair();

    private void Forget()
    {
        // Why: a long-lived bot must not keep every run forever; the oldest finished runs go first (the audit log keeps them).
        if (_runs.Count <= MaxRuns)
        {
            return;
        }

        foreach (TrackedRun old in _runs.Values.Where(r => r.Status != "running").OrderBy(r => r.StartedAt).Take(_runs.Count - MaxRuns))
        {
            _runs.TryRemove(old.RunId, out _);
        }
    }

    internal sealed class TrackedRun(string runId, string agent, CallerIdentity caller, DateTimeOffset startedAt)
    {
        private readonly List<RunEventView> _events = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string RunId { get; } = runId;
        public string Agent { get; } = agent;
        public CallerIdentity Caller { get; } = caller;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public DateTimeOffset? FinishedAt { get; set; }
        public string Status { get; set; } = "running";
        public string? Text { get; set; }
        public long? Tokens { get; set; }

        public bool IsRunning => Status == "running";

        public void Append(RunEventView view)
        {
            TaskCompletionSource changed;
            lock (_events)
            {
                if (_events.Count < MaxEventsPerRun)
                {
                    _events.Add(view);
                }

                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }

        /// <summary>Gets the events from <paramref name="from"/> on, and a task that completes at the next change.</summary>
        public (RunEventView[] Events, Task Changed) Read(int from)
        {
            lock (_events)
            {
                return (from >= _events.Count ? [] : [.. _events.Skip(from)], _changed.Task);
            }
        }

        public object ToSummary() => new
        {
            runId = RunId,
            agent = Agent,
            caller = Caller.Id,
            tenant = Caller.TenantKey,
            status = Status,
            startedAt = StartedAt,
            finishedAt = FinishedAt,
            tokens = Tokens,
        };

        public object ToView()
        {
            lock (_events)
            {
                return new { runId = RunId, agent = Agent, caller = Caller.Id, status = Status, text = Text, startedAt = StartedAt, events = _events.ToArray() };
            }
        }
    }
}
