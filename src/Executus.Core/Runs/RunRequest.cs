using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>A request to run an agent: the agent, its input, who asks, and how.</summary>
public sealed record RunRequest
{
    /// <summary>Initializes a request with a conversation as input.</summary>
    /// <param name="agent">The agent to run.</param>
    /// <param name="messages">The input conversation (at least one message).</param>
    public RunRequest(RunnableAgent agent, IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(messages);
        Agent = agent;
        Messages = [.. messages];
        if (Messages.Count == 0)
        {
            throw new ArgumentException("A run needs at least one input message.", nameof(messages));
        }
    }

    /// <summary>Initializes a request with one user message as input.</summary>
    /// <param name="agent">The agent to run.</param>
    /// <param name="input">The user's message.</param>
    public RunRequest(RunnableAgent agent, string input)
        : this(agent, [new ChatMessage(ChatRole.User, input ?? throw new ArgumentNullException(nameof(input)))])
    {
    }

    /// <summary>Gets the agent to run.</summary>
    public RunnableAgent Agent { get; }

    /// <summary>Gets the input conversation.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>
    /// Gets who asks. When null, a run started from inside another run (a sub-agent) inherits that run's caller;
    /// otherwise the host's <see cref="ICallerIdentityResolver"/> resolves it from <see cref="CallerContext"/> (the
    /// default resolver answers anonymous).
    /// </summary>
    public CallerIdentity? Caller { get; init; }

    /// <summary>
    /// Gets what the host's <see cref="ICallerIdentityResolver"/> reads to find the caller when <see cref="Caller"/> is
    /// null: an HTTP user, a chat message, claims — whatever the host's resolver understands.
    /// </summary>
    public object? CallerContext { get; init; }

    /// <summary>Gets files or images given to the model with the input (added to the last user message).</summary>
    public IReadOnlyList<AIContent> Attachments { get; init; } = [];

    /// <summary>
    /// Gets whether the run is detached from the caller's cancellation: the caller's token stops the caller waiting
    /// (<see cref="Executor.RunAsync"/> throws <see cref="OperationCanceledException"/>), while the run goes on until
    /// its own timeout, and still checkpoints, audits and delivers.
    /// </summary>
    public bool Detached { get; init; }

    /// <summary>Gets the run id to use; a new one is generated when null.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the number of model calls already made, when resuming from a checkpoint.</summary>
    public int StartIteration { get; init; }

    /// <summary>
    /// Gets the checkpoint this request resumes, if any: the run restores its usage so far, its elapsed time (the
    /// timeout left is the timeout minus that), its active phase, and audits <c>RunResumed</c>.
    /// </summary>
    public RunCheckpoint? ResumedFrom { get; init; }

    /// <summary>Gets free-form metadata carried into audit and delivery.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Creates a request that resumes an interrupted run from its checkpoint, under the same run id, with the agent
    /// rebuilt from the checkpoint's <see cref="AgentSnapshot"/>.
    /// </summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <returns>The request.</returns>
    /// <exception cref="NotSupportedException">The checkpoint was written with another schema version.</exception>
    public static RunRequest Resume(RunCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return Resume(checkpoint, checkpoint.Agent.ToRunnable());
    }

    /// <summary>
    /// Creates a request that resumes an interrupted run from its checkpoint with <paramref name="agent"/> (the host's
    /// live definition, e.g. with chat options that do not serialize), under the same run id.
    /// </summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="agent">The agent to run.</param>
    /// <returns>The request.</returns>
    /// <exception cref="NotSupportedException">The checkpoint was written with another schema version.</exception>
    public static RunRequest Resume(RunCheckpoint checkpoint, RunnableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(agent);
        if (checkpoint.SchemaVersion != RunCheckpoint.CurrentSchemaVersion)
        {
            throw new NotSupportedException(
                $"Checkpoint of run '{checkpoint.RunId}' has schema version {checkpoint.SchemaVersion}; this version of Executus reads version {RunCheckpoint.CurrentSchemaVersion}.");
        }

        return new RunRequest(agent, checkpoint.Messages)
        {
            RunId = checkpoint.RunId,
            Caller = checkpoint.Caller,
            StartIteration = checkpoint.Iteration,
            Detached = checkpoint.Detached,
            Metadata = checkpoint.Metadata,
            ResumedFrom = checkpoint,
        };
    }
}
