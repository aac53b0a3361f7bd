using System.Runtime.CompilerServices;
using Executus.Auditing;
using Executus.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Tooling;

/// <summary>
/// Runs permission stages 1 (palette) and 2 (caller) once at run start and produces the run's <see cref="Toolbox"/>,
/// which runs stage 3 on every call. Every denial is recorded to the audit port.
/// </summary>
internal sealed class ToolboxFactory
{
    private readonly IToolRegistry _registry;
    private readonly IPaletteSource _paletteSource;
    private readonly IToolApprovalHandler? _approvalHandler;
    private readonly IToolArgumentValidator[] _globalValidators;
    private readonly DenialRecorder _recorder;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConditionalWeakTable<IReadOnlyList<string>, Stage1Plan> _plans = [];

    /// <summary>Initializes a factory.</summary>
    /// <param name="registry">The tool registry.</param>
    /// <param name="paletteSource">The palette port; <see langword="null"/> for <see cref="AllowAllPaletteSource"/>.</param>
    /// <param name="audit">The audit port; <see langword="null"/> for <see cref="NullAudit"/>.</param>
    /// <param name="approvalHandler">The approval hook; <see langword="null"/> denies calls that need approval.</param>
    /// <param name="timeProvider">The time source for audit timestamps; <see langword="null"/> for the system clock.</param>
    /// <param name="globalValidators">Validators run on every call to every tool, before the tool's own.</param>
    /// <param name="loggerFactory">Logs denials the audit port failed to record; none when null.</param>
    public ToolboxFactory(
        IToolRegistry registry,
        IPaletteSource? paletteSource = null,
        IAudit? audit = null,
        IToolApprovalHandler? approvalHandler = null,
        TimeProvider? timeProvider = null,
        IEnumerable<IToolArgumentValidator>? globalValidators = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _paletteSource = paletteSource ?? AllowAllPaletteSource.Instance;
        _approvalHandler = approvalHandler;
        _globalValidators = [.. globalValidators ?? []];
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ToolboxFactory>();
        _recorder = new DenialRecorder(audit ?? NullAudit.Instance, _timeProvider, _logger);
    }

    /// <summary>Gets the logger of denials the audit port failed to record.</summary>
    internal ILogger Logger => _logger;

    /// <summary>
    /// Decides which tools the run may use: the agent's allow-list ∩ the registry ∩ the palette source (stage 1),
    /// then the caller's roles and scopes against each tool's requirements (stage 2).
    /// </summary>
    /// <param name="request">The agent, its allow-list and the caller.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The run's toolbox.</returns>
    public async ValueTask<Toolbox> CreateAsync(ToolboxRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        DenialRecorder recorder = request.Audit is { } runAudit ? new DenialRecorder(runAudit, _timeProvider, _logger) : _recorder;
        if (Stage1(request) is { } plan)
        {
            return await FromPlanAsync(plan, request, recorder, cancellationToken).ConfigureAwait(false);
        }

        List<RegisteredTool> allowed = [];
        List<ToolDenial> denials = [];
        foreach (string name in NamesOf(request))
        {
            ToolDenial? denial = await CheckAsync(request, name, allowed, cancellationToken).ConfigureAwait(false);
            if (denial is not null)
            {
                denials.Add(denial);
                await recorder.RecordAsync(denial, request.Caller, request.AgentName, request.RunId, cancellationToken).ConfigureAwait(false);
            }
        }

        return new Toolbox(request, _registry, new ToolboxShape(allowed, denials), _globalValidators, _approvalHandler, recorder);
    }

    private IEnumerable<string> NamesOf(ToolboxRequest request) =>
        request.ToolNames.Contains(ToolboxRequest.AllTools)
            ? _registry.Tools.Select(t => t.Name).Concat(request.ToolNames.Where(n => n != ToolboxRequest.AllTools)).Distinct(StringComparer.Ordinal)
            : request.ToolNames;

    /// <summary>
    /// Stage 1 decided once per agent allow-list: with the allow-all palette and Executus's own (snapshot) registry its
    /// outcome depends only on the list's names and the registry's contents, so it is cached and re-checked by both.
    /// </summary>
    private Stage1Plan? Stage1(ToolboxRequest request)
    {
        if (_paletteSource is not AllowAllPaletteSource || _registry is not ToolRegistry registry)
        {
            return null;
        }

        IReadOnlyList<RegisteredTool> snapshot = registry.Tools;
        if (_plans.TryGetValue(request.Source, out Stage1Plan? plan) && plan.IsValidFor(request.Source, snapshot))
        {
            return plan;
        }

        var entries = new List<(RegisteredTool? Tool, ToolDenial? Denial)>();
        bool callerFree = true;
        foreach (string name in NamesOf(request))
        {
            if (_registry.TryGet(name, out RegisteredTool? tool))
            {
                entries.Add((tool, null));
                callerFree &= tool.Metadata.RequiredScopes.Count == 0 && tool.Metadata.RequiredRoles.Count == 0;
            }
            else
            {
                entries.Add((null, NotRegistered(request.AgentName, name)));
            }
        }

        plan = new Stage1Plan([.. request.Source], snapshot, [.. entries], callerFree);
        _plans.AddOrUpdate(request.Source, plan);
        return plan;
    }

    private async ValueTask<Toolbox> FromPlanAsync(Stage1Plan plan, ToolboxRequest request, DenialRecorder recorder, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ToolboxShape? shape = plan.CallerFree;
        List<RegisteredTool>? allowed = shape is null ? [] : null;
        List<ToolDenial>? denials = shape is null ? [] : null;
        foreach ((RegisteredTool? tool, ToolDenial? stage1) in plan.Entries)
        {
            ToolDenial? denial = stage1 ?? (shape is null ? tool!.CheckCaller(request.Caller) : null);
            if (denial is null)
            {
                allowed?.Add(tool!);
                continue;
            }

            denials?.Add(denial);
            await recorder.RecordAsync(denial, request.Caller, request.AgentName, request.RunId, cancellationToken).ConfigureAwait(false);
        }

        return new Toolbox(request, _registry, shape ?? new ToolboxShape(allowed!, denials!), _globalValidators, _approvalHandler, recorder);
    }

    private static ToolDenial NotRegistered(string agentName, string name) =>
        new(PermissionStage.Palette, ToolDenialCode.NotRegistered, name, $"agent '{agentName}' lists tool '{name}', which is not registered");

    private async ValueTask<ToolDenial?> CheckAsync(ToolboxRequest request, string name, List<RegisteredTool> allowed, CancellationToken cancellationToken)
    {
        if (!_registry.TryGet(name, out RegisteredTool? tool))
        {
            return NotRegistered(request.AgentName, name);
        }

        PermissionDecision palette = await _paletteSource.CheckAsync(request.AgentName, tool, request.Caller, cancellationToken).ConfigureAwait(false);
        if (!palette.IsAllowed)
        {
            return new ToolDenial(PermissionStage.Palette, ToolDenialCode.PaletteSourceDenied, name, palette.Reason!);
        }

        ToolDenial? callerDenial = tool.CheckCaller(request.Caller);
        if (callerDenial is null)
        {
            allowed.Add(tool);
        }

        return callerDenial;
    }

    /// <summary>Stage 1 of one agent allow-list against one registry snapshot, in the list's order.</summary>
    private sealed class Stage1Plan
    {
        private readonly string[] _names;
        private readonly IReadOnlyList<RegisteredTool> _registrySnapshot;

        public Stage1Plan(string[] names, IReadOnlyList<RegisteredTool> registrySnapshot, (RegisteredTool? Tool, ToolDenial? Denial)[] entries, bool callerFree)
        {
            _names = names;
            _registrySnapshot = registrySnapshot;
            Entries = entries;
            if (callerFree)
            {
                List<RegisteredTool> allowed = [];
                List<ToolDenial> denials = [];
                foreach ((RegisteredTool? tool, ToolDenial? denial) in entries)
                {
                    if (denial is null)
                    {
                        allowed.Add(tool!);
                    }
                    else
                    {
                        denials.Add(denial);
                    }
                }

                CallerFree = new ToolboxShape(allowed, denials);
            }
        }

        /// <summary>Gets each listed name's registered tool, or its stage-1 denial.</summary>
        public (RegisteredTool? Tool, ToolDenial? Denial)[] Entries { get; }

        /// <summary>Gets the shared toolbox shape when no allowed tool has caller requirements (stage 2 cannot deny).</summary>
        public ToolboxShape? CallerFree { get; }

        // Why: an agent's list may be a mutable List<string> a host changes between runs; the registry only grows by
        // replacing its snapshot. Both are checked before the plan is used.
        public bool IsValidFor(IReadOnlyList<string> names, IReadOnlyList<RegisteredTool> registrySnapshot)
        {
            if (!ReferenceEquals(registrySnapshot, _registrySnapshot) || names.Count != _names.Length)
            {
                return false;
            }

            for (int i = 0; i < _names.Length; i++)
            {
                if (!string.Equals(names[i], _names[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
