namespace Executus.Identity;

/// <summary>What an <see cref="ICallerIdentityResolver"/> is given to find the caller.</summary>
public sealed record CallerResolutionContext
{
    /// <summary>Gets an empty context (nothing attached).</summary>
    public static CallerResolutionContext Empty { get; } = new();

    /// <summary>Gets the host's object describing the operation (an HTTP user, a chat message, claims…), if any.</summary>
    public object? Context { get; init; }

    /// <summary>Gets the agent about to run, when resolving for a run.</summary>
    public string? AgentName { get; init; }

    /// <summary>Gets the run id, when resolving for a run.</summary>
    public string? RunId { get; init; }
}
