using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Tooling;

/// <summary>
/// The tools one run may use (stages 1 and 2 already decided) and the single entry point that runs stage 3 and
/// invokes a call: <see cref="InvokeAsync"/>. Create with <see cref="ToolboxFactory.CreateAsync"/>.
/// </summary>
/// <remarks>Thread-safe: calls may be invoked concurrently.</remarks>
internal sealed class Toolbox
{
    /// <summary>
    /// The key, in <see cref="AIContent.AdditionalProperties"/> of the <see cref="ToolApprovalRequestContent"/> handed to
    /// an <see cref="IToolApprovalHandler"/>, of the SHA-256 (upper-case hex) of the call's tool name and arguments. An
    /// approver that answers out of band may copy it into the response's additional properties; when present there it
    /// must match.
    /// </summary>
    public const string ApprovalArgumentHashKey = "executus.argument_hash";

    private readonly Dictionary<string, RegisteredTool> _allowed;
    private readonly Dictionary<string, ToolDenial> _denied;
    private readonly IToolRegistry _registry;
    private readonly string? _phase;
    private readonly IToolArgumentValidator[] _globalValidators;
    private readonly IToolApprovalHandler? _approvalHandler;
    private readonly DenialRecorder _recorder;
    private readonly IServiceProvider? _services;
    private ToolInvocationContext? _defaultContext;

    internal Toolbox(
        ToolboxRequest request,
        IToolRegistry registry,
        ToolboxShape shape,
        IToolArgumentValidator[] globalValidators,
        IToolApprovalHandler? approvalHandler,
        DenialRecorder recorder)
    {
        AgentName = request.AgentName;
        _phase = request.Phase;
        Caller = request.Caller;
        RunId = request.RunId;
        Tools = shape.Tools;
        Functions = shape.Functions;
        Denials = shape.Denials;
        _registry = registry;
        _allowed = shape.Allowed;
        ReadOnly = shape.ReadOnly;
        _denied = shape.Denied;
        _globalValidators = globalValidators;
        _approvalHandler = approvalHandler;
        _recorder = recorder;
        _services = request.Services;
    }

    /// <summary>Gets whether every tool the run may use only reads (no call needs a checkpoint before it).</summary>
    internal bool ReadOnly { get; }

    /// <summary>Gets the agent's name.</summary>
    public string AgentName { get; }

    /// <summary>Gets the caller the toolbox was decided for.</summary>
    public CallerIdentity Caller { get; }

    /// <summary>Gets the run's id, if given.</summary>
    public string? RunId { get; }

    /// <summary>Gets the tools the run may use, in the agent's order.</summary>
    public IReadOnlyList<RegisteredTool> Tools { get; }

    /// <summary>Gets the tools' functions, ready for <see cref="ChatOptions.Tools"/>.</summary>
    public IReadOnlyList<AITool> Functions { get; }

    /// <summary>Gets the stage 1 and 2 denials decided at run start (already audited).</summary>
    public IReadOnlyList<ToolDenial> Denials { get; }

    /// <summary>Looks up a tool the run may use.</summary>
    /// <param name="name">The tool's name.</param>
    /// <param name="tool">The tool when allowed.</param>
    /// <returns><see langword="true"/> when the run may use the tool.</returns>
    public bool TryGetTool(string name, [NotNullWhen(true)] out RegisteredTool? tool)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _allowed.TryGetValue(name, out tool);
    }

    /// <summary>
    /// Runs stage 3 on <paramref name="call"/> and invokes the tool. Never throws for an unknown or refused tool,
    /// malformed or schema-invalid arguments, a validator's or approver's refusal, or a tool that throws: each becomes
    /// a <see cref="FunctionResultContent"/> whose result is a readable <c>Error: …</c> string (and whose
    /// <see cref="FunctionResultContent.Exception"/> is set when the tool threw). Denials are audited.
    /// </summary>
    /// <remarks>
    /// The function receives the call's <see cref="ToolInvocationContext"/> in <see cref="AIFunctionArguments.Context"/>
    /// under the key <c>typeof(ToolInvocationContext)</c>, and its <see cref="ToolInvocationContext.Services"/> as
    /// <see cref="AIFunctionArguments.Services"/>.
    /// </remarks>
    /// <param name="call">The model's function call.</param>
    /// <param name="context">The call's context; <see langword="null"/> for the toolbox's caller, agent and run.</param>
    /// <param name="cancellationToken">A token to cancel; cancellation propagates as <see cref="OperationCanceledException"/>.</param>
    /// <returns>The result to send back to the model.</returns>
    public async ValueTask<FunctionResultContent> InvokeAsync(FunctionCallContent call, ToolInvocationContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        context ??= _defaultContext ??= new ToolInvocationContext { Caller = Caller, AgentName = AgentName, RunId = RunId, Services = _services };
        cancellationToken.ThrowIfCancellationRequested();

        if (!_allowed.TryGetValue(call.Name, out RegisteredTool? tool))
        {
            return await DenyAsync(call, DenialForUnavailable(call.Name), context, cancellationToken).ConfigureAwait(false);
        }

        if (call.Exception is not null)
        {
            return await DenyAsync(call, new ToolDenial(
                PermissionStage.Invocation,
                ToolDenialCode.MalformedArguments,
                tool.Name,
                $"the arguments for tool '{tool.Name}' could not be parsed ({ToolText.Echo(call.Exception.Message)}); send them as a JSON object that matches the tool's parameters"),
                context, cancellationToken).ConfigureAwait(false);
        }

        // Why: provider-parsed arguments already are an ordinal Dictionary; reuse it, as FunctionInvokingChatClient does,
        // instead of copying on every call.
        Dictionary<string, object?> arguments = call.Arguments switch
        {
            null => new(StringComparer.Ordinal),
            Dictionary<string, object?> d when ReferenceEquals(d.Comparer, EqualityComparer<string>.Default) || ReferenceEquals(d.Comparer, StringComparer.Ordinal) => d,
            IDictionary<string, object?> other => new(other, StringComparer.Ordinal),
        };

        IReadOnlyList<string> schemaErrors = ToolSchemaValidator.Check(tool.SchemaPlan, arguments);
        if (schemaErrors.Count > 0)
        {
            return await DenyAsync(call, new ToolDenial(
                PermissionStage.Invocation,
                ToolDenialCode.SchemaViolation,
                tool.Name,
                $"invalid arguments for tool '{tool.Name}': {string.Join("; ", schemaErrors)}"),
                context, cancellationToken).ConfigureAwait(false);
        }

        // Why: most tools have no argument checks and need no approval; those calls skip the two awaits.
        ToolDenial? denial = _globalValidators.Length == 0 && tool.Metadata.Validators.Count == 0
            ? null
            : await ValidateAsync(tool, arguments, context, cancellationToken).ConfigureAwait(false);
        if (denial is null && tool.RequiresApproval)
        {
            denial = await ApproveAsync(tool, call, context, cancellationToken).ConfigureAwait(false);
        }

        if (denial is not null)
        {
            return await DenyAsync(call, denial, context, cancellationToken).ConfigureAwait(false);
        }

        return await InvokeToolAsync(tool, call, arguments, context, cancellationToken).ConfigureAwait(false);
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing tool becomes a readable error for the model; only cancellation propagates.")]
    private static async ValueTask<FunctionResultContent> InvokeToolAsync(
        RegisteredTool tool, FunctionCallContent call, Dictionary<string, object?> arguments, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        AIFunctionArguments functionArguments = new(arguments)
        {
            Services = context.Services,
            Context = context.FunctionContext,
        };
        try
        {
            object? result = await tool.Function.InvokeAsync(functionArguments, cancellationToken).ConfigureAwait(false);
            ToolingTelemetry.Invocations.Add(1, new KeyValuePair<string, object?>("executus.tool.outcome", "ok"));
            return new FunctionResultContent(call.CallId, result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            ToolingTelemetry.Invocations.Add(1, new KeyValuePair<string, object?>("executus.tool.outcome", "error"));
            return new FunctionResultContent(call.CallId, $"Error: tool '{tool.Name}' failed: {ToolText.Echo(ex.Message, ToolText.MaxMessage)}") { Exception = ex };
        }
    }

    private async ValueTask<ToolDenial?> ValidateAsync(
        RegisteredTool tool, Dictionary<string, object?> arguments, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        return await ValidateWithAsync(_globalValidators, tool, arguments, context, cancellationToken).ConfigureAwait(false) ??
            await ValidateWithAsync(tool.Metadata.Validators, tool, arguments, context, cancellationToken).ConfigureAwait(false);
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing validator refuses the call with a readable error instead of failing the run.")]
    private static async ValueTask<ToolDenial?> ValidateWithAsync(
        IReadOnlyList<IToolArgumentValidator> validators, RegisteredTool tool, Dictionary<string, object?> arguments, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        for (int i = 0; i < validators.Count; i++)
        {
            IToolArgumentValidator validator = validators[i];
            PermissionDecision decision;
            try
            {
                decision = await validator.ValidateAsync(tool, arguments, context, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                decision = PermissionDecision.Deny($"the argument check {validator.GetType().Name} failed: {ToolText.Echo(ex.Message)}");
            }

            if (!decision.IsAllowed)
            {
                return new ToolDenial(PermissionStage.Invocation, ToolDenialCode.ArgumentRejected, tool.Name, decision.Reason!);
            }
        }

        return null;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A failing approver refuses the call with a readable error instead of failing the run.")]
    private async ValueTask<ToolDenial?> ApproveAsync(RegisteredTool tool, FunctionCallContent call, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        if (!tool.RequiresApproval)
        {
            return null;
        }

        if (_approvalHandler is null)
        {
            return new ToolDenial(
                PermissionStage.Invocation,
                ToolDenialCode.ApprovalUnavailable,
                tool.Name,
                "this tool needs approval and no approver is configured");
        }

        // Why: the response must answer THIS request for THESE arguments; an approver that mixes up requests, answers a
        // stale one, or changes the arguments in place must not let the tool run.
        string argumentHash = ArgumentHash(call.Name, call.Arguments);
        ToolApprovalRequestContent request = new($"approval:{call.CallId}", call)
        {
            AdditionalProperties = new() { [ApprovalArgumentHashKey] = argumentHash },
        };
        ToolApprovalResponseContent response;
        try
        {
            response = await _approvalHandler.RequestApprovalAsync(request, tool, context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return new ToolDenial(PermissionStage.Invocation, ToolDenialCode.ApprovalUnavailable, tool.Name, $"the approval request failed: {ToolText.Echo(ex.Message)}");
        }

        if (response is { Approved: true } && BindingMismatch(request, response, call, argumentHash) is { } mismatch)
        {
            return new ToolDenial(PermissionStage.Invocation, ToolDenialCode.ApprovalMismatch, tool.Name, $"the approval does not match this call ({mismatch})");
        }

        return response is { Approved: true }
            ? null
            : new ToolDenial(
                PermissionStage.Invocation,
                ToolDenialCode.ApprovalDenied,
                tool.Name,
                string.IsNullOrWhiteSpace(response?.Reason) ? "the approver declined this call" : $"the approver declined this call: {ToolText.Echo(response.Reason, ToolText.MaxMessage)}");
    }

    private static string? BindingMismatch(ToolApprovalRequestContent request, ToolApprovalResponseContent response, FunctionCallContent call, string argumentHash)
    {
        if (!string.Equals(response.RequestId, request.RequestId, StringComparison.Ordinal))
        {
            return "it answers another approval request";
        }

        if (response.ToolCall is not FunctionCallContent approved ||
            !string.Equals(approved.CallId, call.CallId, StringComparison.Ordinal) ||
            !string.Equals(approved.Name, call.Name, StringComparison.Ordinal))
        {
            return "it approves another tool call";
        }

        if (response.AdditionalProperties?.TryGetValue(ApprovalArgumentHashKey, out object? echoed) == true &&
            !string.Equals(echoed?.ToString(), argumentHash, StringComparison.Ordinal))
        {
            return "it was given for other arguments";
        }

        if (!string.Equals(ArgumentHash(approved.Name, approved.Arguments), argumentHash, StringComparison.Ordinal) ||
            !string.Equals(ArgumentHash(call.Name, call.Arguments), argumentHash, StringComparison.Ordinal))
        {
            return "the arguments changed after the approval was requested";
        }

        return null;
    }

    private static string ArgumentHash(string name, IDictionary<string, object?>? arguments)
    {
        string json = arguments is null
            ? "null"
            : JsonSerializer.Serialize(
                new SortedDictionary<string, object?>(arguments, StringComparer.Ordinal),
                AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(SortedDictionary<string, object?>)));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(name, "\n", json))));
    }

    private ToolDenial DenialForUnavailable(string name)
    {
        if (_denied.TryGetValue(name, out ToolDenial? decided))
        {
            return decided;
        }

        string shown = ToolText.Echo(name);
        if (_registry.TryGet(name, out _))
        {
            return new ToolDenial(
                PermissionStage.Palette,
                ToolDenialCode.NotInAgentPalette,
                name,
                _phase is null ? $"tool '{name}' is not available to agent '{AgentName}'" : $"tool '{name}' is not available to agent '{AgentName}' in phase '{_phase}'");
        }

        string available = _allowed.Count == 0 ? "none" : string.Join(", ", Tools.Select(t => t.Name));
        return new ToolDenial(
            PermissionStage.Invocation,
            ToolDenialCode.UnknownTool,
            shown,
            $"there is no tool named '{shown}'. Available tools: {available}");
    }

    private async ValueTask<FunctionResultContent> DenyAsync(FunctionCallContent call, ToolDenial denial, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        // Why: a reason may quote what the model sent (a validator's own text, an approver's); never send back megabytes.
        if (denial.Reason.Length > ToolText.MaxMessage || denial.ToolName.Length > ToolText.MaxEcho)
        {
            denial = denial with { Reason = ToolText.Echo(denial.Reason, ToolText.MaxMessage), ToolName = ToolText.Echo(denial.ToolName) };
        }

        await _recorder.RecordAsync(denial, context.Caller, context.AgentName ?? AgentName, context.RunId ?? RunId, cancellationToken).ConfigureAwait(false);
        return new FunctionResultContent(call.CallId, denial.ToToolError()) { Exception = new ToolDeniedException(denial) };
    }
}
