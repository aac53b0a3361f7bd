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

    internal RunContext(string runId, RunnableAgent agent, CallerIdentity caller, PendingAttachments attachments, Executor executor, RunContext? parent)
    {
        RunId = runId;
        Agent = agent;
        Caller = caller;
        Attachments = attachments;
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
    public PendingAttachments Attachments { get; }

    /// <summary>Gets the executor running this run, for starting sub-agents.</summary>
    public Executor Executor { get; }

    /// <summary>Gets the run that started this one as a sub-agent, if any.</summary>
    public RunContext? Parent { get; }
}
