using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Executus.Batteries;
using Executus.Identity;
using Executus.Lanes;
using Executus.Personas;
using Executus.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BotHost;

/// <summary>
/// Runs chat turns for both channels: prepares the caller's persona (access, personalization, skills), runs it on the
/// <c>chat</c> lane keyed by the caller's tenant (fair share), and streams its events. At shutdown it waits up to
/// <see cref="BotOptions.DrainTimeout"/> for running turns, then interrupts the rest: the kernel checkpoints an
/// interrupted run, and the next start resumes it.
/// </summary>
internal sealed partial class ChatService : IHostedService, IDisposable
{
    public const string LaneName = "chat";

    private readonly Executor _executor;
    private readonly BatteryAgentFactory _agents;
    private readonly LaneRegistry _lanes;
    private readonly BotOptions _options;
    private readonly LiveRuns _live;
    private readonly ILogger<ChatService> _logger;
    private readonly CancellationTokenSource _interrupt = new();
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    private int _stopping;

    public ChatService(Executor executor, BatteryAgentFactory agents, LaneRegistry lanes, BotOptions options, LiveRuns live, ILogger<ChatService> logger)
    {
        _live = live;
        _executor = executor;
        _agents = agents;
        _lanes = lanes;
        _options = options;
        _logger = logger;
    }

    public Session GetSession(CallerIdentity caller) => _sessions.GetOrAdd(caller.Id, _ => new Session(_options.DefaultPersona));

    public async IAsyncEnumerable<RunEventView> ChatAsync(CallerIdentity caller, string text, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfStopping();
        Session session = GetSession(caller);
        RunnableAgent agent;
        try
        {
            agent = await _agents.CreateAsync(session.Persona, caller, session.Pins, cancellationToken)
                ?? throw new BotCommandException($"there is no persona named '{session.Persona}' (see /personas)");
        }
        catch (PersonaAccessDeniedException ex)
        {
            throw new BotCommandException(ex.Message, ex);
        }

        Channel<RunEventView> events = Channel.CreateUnbounded<RunEventView>(new UnboundedChannelOptions { SingleReader = true });
        // Why: the id is chosen here so the delivery knows this run is shown live before its first event is read.
        string runId = "run_" + Guid.NewGuid().ToString("N");
        var request = new RunRequest(agent, text) { Caller = caller, RunId = runId };
        _live.Add(runId);
        Task job = _lanes.Get(LaneName).RunAsync(
            caller.FairnessKey,
            async laneToken =>
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(laneToken, _interrupt.Token);
                try
                {
                    await foreach (RunEvent e in _executor.RunStreamingAsync(request, linked.Token))
                    {
                        if (RunEventView.From(e) is { } view)
                        {
                            events.Writer.TryWrite(view);
                        }
                    }

                    events.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    events.Writer.TryComplete(ex);
                    throw;
                }
                finally
                {
                    _live.Remove(runId);
                }
            },
            cancellationToken: _interrupt.Token);
        _running[job] = true;
        _ = job.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        // Why: the run belongs to the bot, not to the connection: a caller who stops reading does not stop the run.
        await foreach (RunEventView view in events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return view;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _stopping, 1);
        Task[] running = [.. _running.Keys];
        if (running.Length == 0)
        {
            return;
        }

        LogDraining(_logger, running.Length, _options.DrainTimeout);
        try
        {
            await Task.WhenAll(running).WaitAsync(_options.DrainTimeout, cancellationToken);
            return;
        }
        catch (TimeoutException)
        {
        }
        catch (Exception) when (running.All(t => t.IsCompleted))
        {
            return;
        }

        LogInterrupting(_logger, _running.Count);
        await _interrupt.CancelAsync();
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or LaneClosedException)
        {
        }
    }

    public void Dispose() => _interrupt.Dispose();

    private void ThrowIfStopping()
    {
        if (Volatile.Read(ref _stopping) != 0)
        {
            throw new BotCommandException("the bot is shutting down; try again when it is back");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: waiting up to {Timeout} for {Count} running run(s).")]
    private static partial void LogDraining(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Interrupting {Count} run(s) still running; they are checkpointed and resume at the next start.")]
    private static partial void LogInterrupting(ILogger logger, int count);

    internal sealed class Session(string persona)
    {
        public string Persona { get; set; } = persona;

        public ConcurrentDictionary<string, int> Pins { get; } = new(StringComparer.Ordinal);
    }
}
