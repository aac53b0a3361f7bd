using System.ComponentModel;
using System.Globalization;
using System.Text;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Tools;

/// <summary>
/// The meta tool group: <c>list_tools</c> (the tools this run may use: the agent's tools ∩ the registry, minus those
/// the caller's roles/scopes or the palette source refuse), <c>current_time</c> (in an IANA time zone, from the
/// <see cref="TimeProvider"/>) and <c>run_info</c> (run id, agent, caller, iteration, phase, parent run). In a phased run
/// <c>list_tools</c> lists the current phase's palette.
/// </summary>
/// <remarks>
/// <c>list_tools</c> reads the <see cref="IToolRegistry"/> and <see cref="IPaletteSource"/> from the call's services
/// (the executor's <see cref="ExecutorOptions.Services"/>); without them it lists the agent's tool names only. A bad
/// time zone or a call outside a run throws <see cref="GenericToolException"/>.
/// </remarks>
public sealed class MetaTools
{
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes the group.</summary>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <param name="options">Metadata hook; <see langword="null"/> for defaults.</param>
    public MetaTools(TimeProvider? timeProvider = null, GenericToolsOptions? options = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        options ??= new GenericToolsOptions();
        ListTools = new RegisteredTool(
            AIFunctionFactory.Create(
                (AIFunctionArguments arguments, CancellationToken cancellationToken) => ListToolsAsync(arguments, cancellationToken),
                GenericToolNames.ListTools,
                "Lists the tools available in this conversation, with what each does."),
            options.Apply(GenericToolNames.ListTools, new ToolMetadata { Category = "meta", SideEffect = SideEffect.Read }));
        CurrentTime = new RegisteredTool(
            AIFunctionFactory.Create(
                ([Description("An IANA time zone such as 'Europe/Berlin' or 'America/New_York'; omit for UTC.")] string? timeZone = null) => GetCurrentTime(timeZone),
                GenericToolNames.CurrentTime,
                "Returns the current date and time in a time zone."),
            options.Apply(GenericToolNames.CurrentTime, new ToolMetadata { Category = "meta", SideEffect = SideEffect.Read }));
        RunInfo = new RegisteredTool(
            AIFunctionFactory.Create(
                (AIFunctionArguments arguments) => GetRunInfo(arguments),
                GenericToolNames.RunInfo,
                "Returns the current run's id, agent, caller and iteration."),
            options.Apply(GenericToolNames.RunInfo, new ToolMetadata { Category = "meta", SideEffect = SideEffect.Read }));
        Tools = [ListTools, CurrentTime, RunInfo];
    }

    /// <summary>Gets <c>list_tools</c>.</summary>
    public RegisteredTool ListTools { get; }

    /// <summary>Gets <c>current_time</c>.</summary>
    public RegisteredTool CurrentTime { get; }

    /// <summary>Gets <c>run_info</c>.</summary>
    public RegisteredTool RunInfo { get; }

    /// <summary>Gets every tool of the group.</summary>
    public IReadOnlyList<RegisteredTool> Tools { get; }

    /// <summary>Returns the current time in <paramref name="timeZone"/>.</summary>
    /// <param name="timeZone">An IANA (or Windows) time zone id; <see langword="null"/> or empty for UTC.</param>
    /// <returns>The ISO 8601 time with offset, the zone and the weekday.</returns>
    /// <exception cref="GenericToolException">The time zone is unknown.</exception>
    public string GetCurrentTime(string? timeZone = null)
    {
        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrWhiteSpace(timeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out zone!))
        {
            throw new GenericToolException($"unknown time zone '{timeZone}'; use an IANA id such as 'Europe/Berlin', 'America/New_York' or 'UTC'");
        }

        DateTimeOffset now = TimeZoneInfo.ConvertTime(_timeProvider.GetUtcNow(), zone);
        return string.Create(CultureInfo.InvariantCulture, $"{now:yyyy-MM-dd'T'HH:mm:sszzz} ({zone.Id}, {now:dddd})");
    }

    private static AgentPhase? CurrentPhase(RunContext? run) =>
        run?.ActivePhase is { } name ? run.Agent.Phases.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal)) : null;

    private static int IndexOf(IReadOnlyList<AgentPhase> phases, AgentPhase phase)
    {
        for (int i = 0; i < phases.Count; i++)
        {
            if (ReferenceEquals(phases[i], phase))
            {
                return i;
            }
        }

        return -1;
    }

    private static async Task<string> ListToolsAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        ToolCallContext context = ToolCallContext.From(arguments);
        RunnableAgent agent = context.Run?.Agent
            ?? throw new GenericToolException("list_tools works only inside a run");
        IToolRegistry? registry = context.Services?.GetService(typeof(IToolRegistry)) as IToolRegistry;
        IPaletteSource? palette = context.Services?.GetService(typeof(IPaletteSource)) as IPaletteSource;
        StringBuilder builder = new();
        int count = 0;
        // Why: in a phased run only the current phase's palette is usable (stage 1 denies the rest).
        IReadOnlyList<string> names = CurrentPhase(context.Run) is { Tools: { } phaseTools } ? phaseTools : agent.Tools;
        foreach (string name in names.Distinct(StringComparer.Ordinal))
        {
            if (registry is null)
            {
                builder.Append("\n- ").Append(name);
                count++;
                continue;
            }

            if (!registry.TryGet(name, out RegisteredTool? tool) || tool.CheckCaller(context.Caller) is not null)
            {
                continue;
            }

            if (palette is not null && !(await palette.CheckAsync(agent.Name, tool, context.Caller, cancellationToken).ConfigureAwait(false)).IsAllowed)
            {
                continue;
            }

            builder.Append("\n- ").Append(tool.Name);
            builder.Append(" [").Append(tool.Metadata.Category ?? "general").Append(", ").Append(tool.Metadata.SideEffect.ToString().ToLowerInvariant());
            builder.Append(tool.RequiresApproval ? ", needs approval]" : "]");
            if (!string.IsNullOrWhiteSpace(tool.Function.Description))
            {
                builder.Append(": ").Append(tool.Function.Description);
            }

            count++;
        }

        return count == 0
            ? "No tools are available in this run."
            : string.Create(CultureInfo.InvariantCulture, $"{count} tool(s) available:") + builder;
    }

    private static string GetRunInfo(AIFunctionArguments arguments)
    {
        ToolCallContext context = ToolCallContext.From(arguments);
        if (context.RunId is null && context.Run is null)
        {
            throw new GenericToolException("run_info works only inside a run");
        }

        StringBuilder builder = new();
        builder.Append("Run: ").Append(context.RunId ?? context.Run?.RunId).Append('\n');
        builder.Append("Agent: ").Append(context.AgentName ?? "(unknown)").Append('\n');
        builder.Append("Caller: ").Append(context.Caller.Id);
        if (!string.Equals(context.Caller.DisplayName, context.Caller.Id, StringComparison.Ordinal))
        {
            builder.Append(" (").Append(context.Caller.DisplayName).Append(')');
        }

        if (context.Caller.TenantKey is { } tenant)
        {
            builder.Append(", tenant ").Append(tenant);
        }

        builder.Append('\n').Append("Iteration: ").Append(context.Iteration is { } iteration ? iteration.ToString(CultureInfo.InvariantCulture) : "(unknown)");
        if (context.Run?.ActivePhase is { } phase)
        {
            builder.Append('\n').Append("Phase: ").Append(phase);
            if (context.Run.Agent.Phases is { Count: > 0 } phases && CurrentPhase(context.Run) is { } current)
            {
                builder.Append(CultureInfo.InvariantCulture, $" ({IndexOf(phases, current) + 1} of {phases.Count})");
            }
        }

        int depth = 0;
        for (RunContext? parent = context.Run?.Parent; parent is not null; parent = parent.Parent)
        {
            depth++;
        }

        if (context.Run?.Parent is { } caller)
        {
            builder.Append('\n').Append("Parent run: ").Append(caller.RunId).Append(" (agent ").Append(caller.Agent.Name).Append(')');
        }

        builder.Append('\n').Append("Sub-agent depth: ").Append(depth.ToString(CultureInfo.InvariantCulture));
        return builder.ToString();
    }
}
