using System.Collections.Concurrent;
using System.Text.Json;
using Executus.Auditing;
using Executus.Checkpoints;
using Executus.Deliver;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Executus.Batteries.Checkpoint.Tests;

/// <summary>
/// A scripted model whose answer is a pure function of the conversation (how many tool turns it holds), so an
/// interrupted-and-resumed run and an uninterrupted one get the same answers. It can block once at a given step.
/// </summary>
internal sealed class DeterministicModel : IChatClient
{
    private readonly Func<int, IReadOnlyList<ChatMessage>, ChatMessage> _respond;
    private readonly int? _blockAtStep;
    private int _blocked;
    private int _calls;

    public DeterministicModel(int steps, string tool = "add", int? blockAtStep = null)
        : this((done, _) => done < steps
            ? new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{done}", tool, new Dictionary<string, object?> { ["a"] = done, ["b"] = 1 })]) { MessageId = $"m{done}" }
            : new ChatMessage(ChatRole.Assistant, $"done after {done} steps") { MessageId = $"m{done}" },
            blockAtStep)
    {
    }

    public DeterministicModel(Func<int, IReadOnlyList<ChatMessage>, ChatMessage> respond, int? blockAtStep = null)
    {
        _respond = respond;
        _blockAtStep = blockAtStep;
    }

    public TaskCompletionSource Blocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<string?> Instructions { get; } = new();

    public static int ToolTurns(IEnumerable<ChatMessage> messages) => messages.Count(m => m.Role == ChatRole.Tool);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        Instructions.Enqueue(options?.Instructions);
        List<ChatMessage> list = [.. messages];
        int done = ToolTurns(list);
        if (done == _blockAtStep && Interlocked.Exchange(ref _blocked, 1) == 0)
        {
            Blocked.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        ChatMessage reply = _respond(done, list);
        return new ChatResponse(reply)
        {
            FinishReason = reply.Contents.OfType<FunctionCallContent>().Any() ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1, TotalTokenCount = 2 },
        };
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>A store that can "die with its process": after <see cref="Kill"/> every call does nothing.</summary>
internal sealed class KillableStore(ICheckpointStore inner) : ICheckpointStore
{
    private volatile bool _killed;

    public void Kill() => _killed = true;

    public ValueTask SaveAsync(RunCheckpoint checkpoint, int unchangedMessageCount, CancellationToken cancellationToken = default) =>
        _killed ? default : inner.SaveAsync(checkpoint, unchangedMessageCount, cancellationToken);

    public ValueTask<RunCheckpoint?> GetAsync(string runId, CancellationToken cancellationToken = default) =>
        _killed ? ValueTask.FromResult<RunCheckpoint?>(null) : inner.GetAsync(runId, cancellationToken);

    public ValueTask<CheckpointPage> ListInterruptedAsync(int limit, string? cursor = null, CancellationToken cancellationToken = default) =>
        _killed ? ValueTask.FromResult(new CheckpointPage([], null)) : inner.ListInterruptedAsync(limit, cursor, cancellationToken);

    public ValueTask<int> RecordResumeAttemptAsync(string runId, CancellationToken cancellationToken = default) =>
        _killed ? ValueTask.FromResult(0) : inner.RecordResumeAttemptAsync(runId, cancellationToken);

    public ValueTask<bool> ClearResumeAttemptsAsync(string runId, CancellationToken cancellationToken = default) =>
        _killed ? ValueTask.FromResult(false) : inner.ClearResumeAttemptsAsync(runId, cancellationToken);

    public ValueTask<bool> DeleteAsync(string runId, CancellationToken cancellationToken = default) =>
        _killed ? ValueTask.FromResult(false) : inner.DeleteAsync(runId, cancellationToken);

    public ValueTask<int> PruneAsync(DateTimeOffset savedBefore, CancellationToken cancellationToken = default) =>
        _killed ? ValueTask.FromResult(0) : inner.PruneAsync(savedBefore, cancellationToken);
}

/// <summary>A store whose saves and deletes throw for the first <c>failures</c> calls (all when null).</summary>
internal sealed class FailingStore(ICheckpointStore inner, int? failures = null) : ICheckpointStore
{
    private int _calls;

    public int Attempts => Volatile.Read(ref _calls);

    public ValueTask SaveAsync(RunCheckpoint checkpoint, int unchangedMessageCount, CancellationToken cancellationToken = default)
    {
        Fail();
        return inner.SaveAsync(checkpoint, unchangedMessageCount, cancellationToken);
    }

    public ValueTask<RunCheckpoint?> GetAsync(string runId, CancellationToken cancellationToken = default) => inner.GetAsync(runId, cancellationToken);

    public ValueTask<CheckpointPage> ListInterruptedAsync(int limit, string? cursor = null, CancellationToken cancellationToken = default) => inner.ListInterruptedAsync(limit, cursor, cancellationToken);

    public ValueTask<int> RecordResumeAttemptAsync(string runId, CancellationToken cancellationToken = default) => inner.RecordResumeAttemptAsync(runId, cancellationToken);

    public ValueTask<bool> ClearResumeAttemptsAsync(string runId, CancellationToken cancellationToken = default) => inner.ClearResumeAttemptsAsync(runId, cancellationToken);

    public ValueTask<bool> DeleteAsync(string runId, CancellationToken cancellationToken = default)
    {
        Fail();
        return inner.DeleteAsync(runId, cancellationToken);
    }

    public ValueTask<int> PruneAsync(DateTimeOffset savedBefore, CancellationToken cancellationToken = default) => inner.PruneAsync(savedBefore, cancellationToken);

    private void Fail()
    {
        int call = Interlocked.Increment(ref _calls);
        if (failures is null || call <= failures)
        {
            throw new InvalidOperationException("database is locked");
        }
    }
}

internal sealed class RecordingAudit : IAudit
{
    public ConcurrentQueue<AuditEvent> Events { get; } = new();

    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }
}

internal sealed class RecordingDelivery : IDelivery
{
    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    public ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default)
    {
        Deliveries.Enqueue(delivery);
        return ValueTask.CompletedTask;
    }
}

internal sealed class CapturingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message, Exception? Error)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception), exception));
}

internal static class TestRuns
{
    public static ToolRegistry Tools(Action<int>? onAdd = null)
    {
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create(
            (int a, int b) =>
            {
                onAdd?.Invoke(a);
                return a + b;
            },
            "add"));
        return tools;
    }

    public static Executor Executor(IChatClient model, IToolRegistry tools, ICheckpointer? checkpointer, IAudit? audit = null, TimeProvider? time = null) =>
        new(new FixedModelResolver(model), tools, new RunPorts { Checkpointer = checkpointer, Audit = audit }, timeProvider: time);

    public static RunnableAgent Agent(string name = "calc", params string[] tools) =>
        new(name) { Tools = tools.Length == 0 ? ["add"] : tools, MaxIterations = 500 };

    public static string Json(ChatMessage message) => JsonSerializer.Serialize(message, AIJsonUtilities.DefaultOptions);

    public static void AssertSameTranscript(IReadOnlyList<ChatMessage> expected, IReadOnlyList<ChatMessage> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Json(expected[i]), Json(actual[i]));
        }
    }
}
