using Executus.Identity;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Tools;

/// <summary>Who a generic tool call is for: the toolbox's <see cref="ToolInvocationContext"/>, else the ambient <see cref="RunContext"/>.</summary>
internal readonly record struct ToolCallContext(CallerIdentity Caller, string? AgentName, string? RunId, int? Iteration, RunContext? Run, IServiceProvider? Services)
{
    public static ToolCallContext From(AIFunctionArguments? arguments)
    {
        ToolInvocationContext? invocation = null;
        if (arguments?.Context is { } context && context.TryGetValue(typeof(ToolInvocationContext), out object? value))
        {
            invocation = value as ToolInvocationContext;
        }

        RunContext? run = RunContext.Current;
        return new ToolCallContext(
            invocation?.Caller ?? run?.Caller ?? CallerIdentity.Anonymous,
            invocation?.AgentName ?? run?.Agent.Name,
            invocation?.RunId ?? run?.RunId,
            invocation?.Iteration,
            run,
            arguments?.Services ?? invocation?.Services);
    }
}
