using Executus.Attachments;
using Executus.Identity;

namespace Executus.Runs;

/// <summary>
/// The run a piece of code is executing in, flowing with the async context: a tool reads
/// <see cref="Current"/> to learn the caller, add attachments, or start a sub-agent through <see cref="Executor"/>.
/// </summary>
public sealed class RunContext
{
    private static readonly AsyncLocal<RunContext?> s_current = new();

    private readonly PendingAttachmentsOptions _attachmentOptions;
    private PendingAttachments? _attachments;
    private string? _activePhase;
    private IReadOnlyDictionary<string, System.Text.Json.JsonElement> _handoffs = s_noHandoffs;
    private static readonly IReadOnlyDictionary<string, System.Text.Json.JsonElement> s_noHandoffs = new Dictionary<string, System.Text.Json.JsonElement>();

    internal RunContext(string runId, RunnableAgent agent, CallerIdentity caller, PendingAttachmentsOptions attachmentOptions, Executor executor, RunContext? parent)
    {
        RunId = runId;
        Agent = agent;
        Caller = caller;
        _attachmentOptions = attachmentOptions;
        Executor = executor;
        Parent = parent;
    }

    /// <summary>Gets the run executing in the current async context, or null outside any run.</summary>
    public static RunContext? Current
    {
        get => s_current.Value;
        internal set => s_current.Value = value;
    }

    /// <summary>Gets the run's id.</summary>
    public string RunId { get; }

    /// <summary>Gets the agent being run.</summary>
    public RunnableAgent Agent { get; }

    /// <summary>Gets who asked.</summary>
    public CallerIdentity Caller { get; }

    /// <summary>Gets the run's pending attachments: tools add files here; they are delivered once with the output.</summary>
    public PendingAttachments Attachments
    {
        get
        {
            // Why: most runs produce no attachment; create the collector on first use (tools may race to it).
            PendingAttachments? attachments = Volatile.Read(ref _attachments);
            if (attachments is null)
            {
                Interlocked.CompareExchange(ref _attachments, new PendingAttachments(_attachmentOptions), null);
                attachments = _attachments;
            }

            return attachments!;
        }
    }

    /// <summary>Drains the run's attachments once; an empty list when no tool produced any.</summary>
    internal IReadOnlyList<Microsoft.Extensions.AI.DataContent> DrainAttachments() =>
        Interlocked.CompareExchange(ref _attachments, null, null) is { } attachments ? attachments.Drain() : [];

    /// <summary>Gets the executor running this run, for starting sub-agents.</summary>
    public Executor Executor { get; }

    /// <summary>Gets the run that started this one as a sub-agent, if any.</summary>
    public RunContext? Parent { get; }

    /// <summary>
    /// Gets or sets the phase the run is in: the kernel sets it at every transition of a phased agent
    /// (<see cref="RunnableAgent.Phases"/>); a host running its own multi-step flow may set it too. It is written to
    /// every checkpoint and restored on resume.
    /// </summary>
    public string? ActivePhase
    {
        get => Volatile.Read(ref _activePhase);
        set => Volatile.Write(ref _activePhase, value);
    }

    /// <summary>Gets the hand-offs of the phases completed so far, by phase name (empty for an agent without phases).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> Handoffs
    {
        get => Volatile.Read(ref _handoffs);
        internal set => Volatile.Write(ref _handoffs, value);
    }
}
