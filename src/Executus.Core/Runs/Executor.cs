using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Executus.Compaction;
using Executus.Dispatch;
using Executus.Tooling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Runs;

/// <summary>
/// The run kernel: runs a <see cref="RunnableAgent"/> to an outcome. Per iteration it asks the budget and the critic,
/// compacts the conversation, calls the model, records usage, runs the requested tools through the three permission
/// stages and the dispatch guard (concurrently when the agent allows), checkpoints, and tells observers; it stops on
/// the first bound that trips and always returns the conversation.
/// </summary>
/// <remarks>
/// Why its own loop rather than M.E.AI's <c>FunctionInvokingChatClient</c>: FICC has no per-iteration hook in 10.11
/// (usage is summed only at the end), and the budget gate, checkpoint, critic, compaction, stage-3 permissions and
/// the dispatch guard all need one; the loop is short, and the resolved client must not invoke functions itself.
/// </remarks>
public sealed class Executor
{
    private readonly IAgentModelResolver _models;
    private readonly ToolboxFactory? _toolboxes;
    private readonly ICompactor? _compactor;
    private readonly DispatchGuard? _guard;

    /// <summary>Initializes a new executor.</summary>
    /// <param name="models">Resolves each agent's chat client.</param>
    /// <param name="tools">The tool registry; agents see no tools when null.</param>
    /// <param name="ports">The battery ports; null objects when null.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="compactor">Keeps long runs inside the context window; no compaction when null.</param>
    /// <param name="guard">The dispatch guard (depth, fan-out and loop caps); no caps when null.</param>
    /// <param name="timeProvider">The clock for timeouts and timestamps; the system clock when null.</param>
    /// <param name="loggerFactory">Logs observer, audit, checkpoint and delivery failures; none when null.</param>
    public Executor(
        IAgentModelResolver models,
        IToolRegistry? tools = null,
        RunPorts? ports = null,
        ExecutorOptions? options = null,
        ICompactor? compactor = null,
        DispatchGuard? guard = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
        : this(models, tools, toolboxes: null, ports, options, compactor, guard, timeProvider, loggerFactory)
    {
    }

    /// <summary>Initializes a new executor with the container's <see cref="ToolboxFactory"/> (one factory per container).</summary>
    internal Executor(
        IAgentModelResolver models,
        IToolRegistry? tools,
        ToolboxFactory? toolboxes,
        RunPorts? ports,
        ExecutorOptions? options,
        ICompactor? compactor,
        DispatchGuard? guard,
        TimeProvider? timeProvider,
        ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(models);
        _models = models;
        Ports = ports ?? RunPorts.None;
        Options = options ?? new ExecutorOptions();
        Options.Validate();
        TimeProvider = timeProvider ?? TimeProvider.System;
        _compactor = compactor;
        _guard = guard;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<Executor>();
        Budget = Ports.Budget ?? NullBudget.Instance;
        Audit = Ports.Audit ?? Auditing.NullAudit.Instance;
        Checkpointer = Ports.Checkpointer ?? NullCheckpointer.Instance;
        Critic = Ports.Critic is NullCritic ? null : Ports.Critic;
        _toolboxes = toolboxes ?? (tools is null
            ? null
            : new ToolboxFactory(tools, Ports.Palette, Audit, Options.ApprovalHandler, TimeProvider, Options.ToolValidators, loggerFactory));
    }

    /// <summary>Gets the ports this executor was built with.</summary>
    public RunPorts Ports { get; }

    /// <summary>Gets the executor's settings (when <see cref="ExecutorOptions.Config"/> is set, each run reads its own copy).</summary>
    public ExecutorOptions Options { get; }

    internal TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    internal IBudget Budget { get; }

    internal Auditing.IAudit Audit { get; }

    internal ICheckpointer Checkpointer { get; }

    internal ICritic? Critic { get; }

    internal ICompactor? Compactor => _compactor;

    internal DispatchGuard? Guard => _guard;

    internal ToolboxFactory? Toolboxes => _toolboxes;

    internal IAgentModelResolver Models => _models;

    /// <summary>
    /// Runs <paramref name="request"/> to its outcome. Cancelling <paramref name="cancellationToken"/> ends the run as
    /// <see cref="RunOutcome.Cancelled"/>, unless the request is <see cref="RunRequest.Detached"/>: then the caller
    /// stops waiting (an <see cref="OperationCanceledException"/>) and the run goes on to its own end.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The result; never faults for a model, tool or port failure (those become outcomes).</returns>
    public Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        RunHandle handle = Start(request, cancellationToken);
        return request.Detached ? handle.Completion.WaitAsync(cancellationToken) : handle.Completion;
    }

    /// <summary>Starts <paramref name="request"/> and returns at once with a handle to its id, its completion and a way to stop it.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The caller's token (ignored by a detached run).</param>
    /// <returns>The handle.</returns>
    public RunHandle Start(RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Agent.Validate();
        var execution = new RunExecution(this, request, events: null, cancellationToken);
        Task<RunResult> completion = execution.ExecuteAsync();
        if (!completion.IsCompleted)
        {
            execution.Deadline.ArmIfRunning();
        }

        return new RunHandle(execution.RunId, completion, execution.Stop);
    }

    /// <summary>
    /// Runs <paramref name="request"/> and streams its events in order: run started, then per iteration step started,
    /// model text deltas, model call completed, tool call started/completed, step finished, and last a
    /// <see cref="RunFinishedEvent"/> carrying the same <see cref="RunResult"/> that <see cref="RunAsync"/> returns.
    /// Stopping the enumeration early cancels a run that is not detached.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The events.</returns>
    public async IAsyncEnumerable<RunEvent> RunStreamingAsync(RunRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Agent.Validate();
        Channel<RunEvent> channel = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(request.Detached ? CancellationToken.None : cancellationToken);
        var execution = new RunExecution(this, request, channel.Writer, abandon.Token);
        Task<RunResult> completion = execution.ExecuteAsync();
        if (!completion.IsCompleted)
        {
            execution.Deadline.ArmIfRunning();
        }

        bool finished = false;
        try
        {
            // Why: a detached run's reader honours the caller's token (the caller stops waiting); an attached run's
            // reader drains to the RunFinished event, which arrives promptly because the run shares the token.
            CancellationToken readToken = request.Detached ? cancellationToken : CancellationToken.None;
            await foreach (RunEvent runEvent in channel.Reader.ReadAllAsync(readToken).ConfigureAwait(false))
            {
                yield return runEvent;
            }

            finished = true;
        }
        finally
        {
            if (!finished && !request.Detached)
            {
                await abandon.CancelAsync().ConfigureAwait(false);
                await completion.ConfigureAwait(false);
            }
        }
    }
}
