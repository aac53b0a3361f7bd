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

    private IDictionary<object, object?>? _functionContext;

    /// <summary>
    /// Gets the read-only dictionary handed to a tool as <c>AIFunctionArguments.Context</c>, holding this context under
    /// <c>typeof(ToolInvocationContext)</c>. Built once per context and shared by the calls that use it.
    /// </summary>
    internal IDictionary<object, object?> FunctionContext =>
        _functionContext ??= new System.Collections.ObjectModel.ReadOnlyDictionary<object, object?>(
            new Dictionary<object, object?>(1) { [typeof(ToolInvocationContext)] = this });
}
