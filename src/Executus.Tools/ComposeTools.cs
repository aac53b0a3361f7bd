using System.ComponentModel;
using System.Globalization;
using System.Text;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Tools;

/// <summary>
/// The compose tool group: <c>run_agent</c> runs an agent from the <see cref="IAgentCatalog"/> as a sub-agent on the
/// current run's <see cref="Executor"/> (<see cref="RunContext.Current"/>), so the dispatch guard (depth, fan-out,
/// loops) and the caller's identity flow into the sub-run without this tool doing anything.
/// </summary>
/// <remarks>
/// Returns the sub-run's outcome, stop reason and text, whatever the outcome. An unknown agent, an empty or
/// oversized input, or a call outside a run throws <see cref="GenericToolException"/>.
/// </remarks>
public sealed class ComposeTools
{
    private readonly IAgentCatalog _catalog;
    private readonly GenericToolsOptions _options;

    /// <summary>Initializes the group.</summary>
    /// <param name="catalog">The agents that may be run by name.</param>
    /// <param name="options">Caps; <see langword="null"/> for defaults.</param>
    public ComposeTools(IAgentCatalog catalog, GenericToolsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
        _options = options ?? new GenericToolsOptions();
        _options.Validate();
        RunAgent = new RegisteredTool(
            AIFunctionFactory.Create(
                ([Description("The name of the agent to run.")] string agent,
                 [Description("The task or question for that agent.")] string input,
                 CancellationToken cancellationToken) => RunAgentAsync(agent, input, cancellationToken),
                GenericToolNames.RunAgent,
                "Runs another agent on a task and returns its outcome and answer."),
            _options.Apply(GenericToolNames.RunAgent, new ToolMetadata { Category = "compose", SideEffect = SideEffect.Write }));
        Tools = [RunAgent];
    }

    /// <summary>Gets <c>run_agent</c>.</summary>
    public RegisteredTool RunAgent { get; }

    /// <summary>Gets every tool of the group.</summary>
    public IReadOnlyList<RegisteredTool> Tools { get; }

    /// <summary>Runs <paramref name="agent"/> on <paramref name="input"/> as a sub-agent of the current run.</summary>
    /// <param name="agent">The agent's name (case-insensitive).</param>
    /// <param name="input">The sub-agent's input.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The sub-run's agent, outcome, stop reason (if any) and text.</returns>
    /// <exception cref="GenericToolException">No current run, an unknown agent, or an empty or oversized input.</exception>
    public async Task<string> RunAgentAsync(string agent, string input, CancellationToken cancellationToken = default)
    {
        RunContext run = RunContext.Current
            ?? throw new GenericToolException("run_agent works only inside a run: it starts the sub-agent on the current run's executor");
        RunnableAgent? target = string.IsNullOrWhiteSpace(agent)
            ? null
            : await _catalog.GetAsync(agent.Trim(), version: null, cancellationToken).ConfigureAwait(false);
        if (target is null)
        {
            string known = await KnownAgentsAsync(cancellationToken).ConfigureAwait(false);
            throw new GenericToolException($"there is no agent named '{agent}'. Known agents: {known}");
        }

        if (string.IsNullOrWhiteSpace(input))
        {
            throw new GenericToolException($"the input for agent '{target.Name}' is empty; say what it should do");
        }

        if (input.Length > _options.MaxAgentInputChars)
        {
            throw new GenericToolException(string.Create(
                CultureInfo.InvariantCulture,
                $"the input is {input.Length} characters; the limit is {_options.MaxAgentInputChars}"));
        }

        RunResult result = await run.Executor.RunAsync(new RunRequest(target, input), cancellationToken).ConfigureAwait(false);
        StringBuilder builder = new();
        builder.Append("Agent: ").Append(result.AgentName).Append('\n');
        builder.Append("Outcome: ").Append(result.Outcome).Append('\n');
        if (!string.IsNullOrWhiteSpace(result.StopReason))
        {
            builder.Append("Reason: ").Append(result.StopReason).Append('\n');
        }

        builder.Append('\n').Append(result.Text.Length > 0 ? result.Text : "(the agent gave no text)");
        return builder.ToString();
    }

    private async Task<string> KnownAgentsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<RunnableAgent> agents = await _catalog.ListAsync(cancellationToken).ConfigureAwait(false);
        return agents.Count == 0
            ? "none (the host has not added any)"
            : string.Join(", ", agents.Select(a => string.IsNullOrWhiteSpace(a.Description) ? a.Name : $"{a.Name} ({a.Description})"));
    }
}
