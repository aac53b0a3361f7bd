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
        List<RegisteredTool> allowed = [];
        List<ToolDenial> denials = [];
        IEnumerable<string> names = request.ToolNames.Contains(ToolboxRequest.AllTools)
            ? _registry.Tools.Select(t => t.Name).Concat(request.ToolNames.Where(n => n != ToolboxRequest.AllTools)).Distinct(StringComparer.Ordinal)
            : request.ToolNames;

        foreach (string name in names)
        {
            ToolDenial? denial = await CheckAsync(request, name, allowed, cancellationToken).ConfigureAwait(false);
            if (denial is not null)
            {
                denials.Add(denial);
                await recorder.RecordAsync(denial, request.Caller, request.AgentName, request.RunId, cancellationToken).ConfigureAwait(false);
            }
        }

        return new Toolbox(request, _registry, allowed, denials, _globalValidators, _approvalHandler, recorder);
    }

    private async ValueTask<ToolDenial?> CheckAsync(ToolboxRequest request, string name, List<RegisteredTool> allowed, CancellationToken cancellationToken)
    {
        if (!_registry.TryGet(name, out RegisteredTool? tool))
        {
            return new ToolDenial(
                PermissionStage.Palette,
                ToolDenialCode.NotRegistered,
                name,
                $"agent '{request.AgentName}' lists tool '{name}', which is not registered");
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
}
