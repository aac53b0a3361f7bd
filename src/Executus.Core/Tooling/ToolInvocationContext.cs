using Executus.Identity;

namespace Executus.Tooling;

/// <summary>Who and what a tool call belongs to; passed to validators, the approval handler and the function.</summary>
public sealed class ToolInvocationContext
{
    /// <summary>Gets the caller the run is for.</summary>
    public CallerIdentity Caller { get; init; } = CallerIdentity.Anonymous;

    /// <summary>Gets the agent's name.</summary>
    public string? AgentName { get; init; }

    /// <summary>Gets the run's id.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the run's iteration (model turn) the call came from, if known.</summary>
    public int? Iteration { get; init; }

    /// <summary>Gets services handed to the function through <see cref="Microsoft.Extensions.AI.AIFunctionArguments.Services"/>.</summary>
    public IServiceProvider? Services { get; init; }
}
