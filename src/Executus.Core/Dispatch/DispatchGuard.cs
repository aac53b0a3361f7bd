using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Executus.Configuration;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Dispatch;

/// <summary>
/// Caps sub-agent depth, fan-out per run, and loops (the same agent+input, or the same tool with identical
/// arguments, repeated past a threshold). The current run flows with the async context (an
/// <see cref="AsyncLocal{T}"/> of immutable run scopes), so a tool that starts a sub-agent is
/// checked without passing anything; parallel branches of one run share its counters.
/// </summary>
/// <example>
/// <code>
/// using DispatchEntry entry = guard.Enter("reviewer", prompt);
/// if (entry.Denied is { } denied) return denied.Message; // fed back to the model as a tool error
/// return await RunReviewerAsync(prompt, ct);
/// </code>
/// </example>
public sealed class DispatchGuard
{
    private static readonly AsyncLocal<DispatchScope?> s_current = new();

    private readonly DispatchLimits? _limits;
    private readonly IConfigSource? _config;

    /// <summary>Initializes a guard with fixed limits.</summary>
    /// <param name="limits">The limits.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public DispatchGuard(DispatchLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        _limits = limits;
    }

    /// <summary>Initializes a guard that reads its limits from configuration each time a top-level run starts.</summary>
    /// <param name="config">The configuration source (<c>Executus:Dispatch:*</c>).</param>
    public DispatchGuard(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
    }

    /// <summary>Gets the run the current async flow is in, or <see langword="null"/> outside any run.</summary>
    internal static DispatchScope? Current => s_current.Value;

    /// <summary>Returns the limits a top-level run started now would get.</summary>
    /// <returns>The limits.</returns>
    /// <exception cref="ConfigException">The configured limits are malformed.</exception>
    public DispatchLimits GetLimits() => _limits ?? DispatchLimits.FromConfig(_config!);

    /// <summary>
    /// Asks to start a run of <paramref name="agentName"/> on <paramref name="input"/>. Outside any run this starts a
    /// top-level run (depth 0); inside one it starts a sub-run, checked against depth, the parent's fan-out, and
    /// repeats of the same agent+input in the whole tree. When admitted, the new scope is ambient until the entry is
    /// disposed; a denied entry counts nothing.
    /// </summary>
    /// <param name="agentName">The agent to run.</param>
    /// <param name="input">The run's input (e.g. the prompt), used to detect loops.</param>
    /// <returns>The entry: admitted with its scope, or denied with the reason.</returns>
    public DispatchEntry Enter(string agentName, string? input)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentName);
        DispatchScope? parent = s_current.Value;
        DispatchLimits limits = parent?.Limits ?? GetLimits();
        var dispatches = parent?.Dispatches ?? new(StringComparer.Ordinal);
        int depth = parent is null ? 0 : parent.Depth + 1;

        if (depth > limits.MaxDepth)
        {
            return Deny(parent, DispatchDeniedReason.Depth, agentName, limits.MaxDepth,
                $"Dispatch denied: starting agent '{ToolText.Echo(agentName)}' would nest sub-agents {depth} deep, past the limit of {limits.MaxDepth}. Do the work in this run or answer with what you have.");
        }

        string fingerprint = Fingerprint("agent", agentName, input);
        if (!DispatchScope.TryCount(dispatches, fingerprint, limits.MaxRepeats))
        {
            return Deny(parent, DispatchDeniedReason.Loop, agentName, limits.MaxRepeats,
                $"Dispatch denied: agent '{ToolText.Echo(agentName)}' was already started {limits.MaxRepeats} time(s) with the same input in this run; starting it again looks like a loop. Change the input or answer with what you have.");
        }

        if (parent is not null && !parent.TryAddChild(limits.MaxFanOut))
        {
            dispatches.AddOrUpdate(fingerprint, 0, static (_, n) => n - 1);
            return Deny(parent, DispatchDeniedReason.FanOut, agentName, limits.MaxFanOut,
                $"Dispatch denied: agent '{parent.AgentName}' has already started {limits.MaxFanOut} sub-agent(s), the most one run may start. Combine the remaining work or answer with what you have.");
        }

        var scope = new DispatchScope(agentName, parent, limits, dispatches);
        s_current.Value = scope;
        DispatchTelemetry.RecordEntry(depth);
        return new DispatchEntry(scope, parent);
    }

    /// <summary>
    /// Checks (and counts) a tool call of the current run: the same tool with identical arguments more than
    /// <see cref="DispatchLimits.MaxRepeats"/> times in one run is a loop. Outside any run nothing is tracked.
    /// </summary>
    /// <param name="toolName">The tool's name.</param>
    /// <param name="arguments">The call's arguments as text (e.g. JSON), compared exactly.</param>
    /// <returns><see langword="null"/> when allowed; otherwise why not.</returns>
    public static DispatchDenied? CheckToolCall(string toolName, string? arguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(toolName);
        DispatchScope? scope = s_current.Value;
        if (scope is null)
        {
            return null;
        }

        int max = scope.Limits.MaxRepeats;
        if (scope.TryCountToolCall(Fingerprint("tool", toolName, arguments), max))
        {
            return null;
        }

        var denied = new DispatchDenied(DispatchDeniedReason.Loop, toolName, max,
            $"Dispatch denied: tool '{ToolText.Echo(toolName)}' was already called {max} time(s) with identical arguments in this run; calling it again looks like a loop. Use the earlier result or change the arguments.");
        DispatchTelemetry.RecordDenial(denied, "tool");
        return denied;
    }

    /// <summary>
    /// Checks (and counts) a model's function call; arguments are compared as JSON with keys in ordinal order, so
    /// the same arguments in another order count as identical.
    /// </summary>
    /// <param name="call">The function call.</param>
    /// <returns><see langword="null"/> when allowed; otherwise why not.</returns>
    public static DispatchDenied? CheckToolCall(FunctionCallContent call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (s_current.Value is null)
        {
            // Why: outside any run nothing is tracked; skip serialising the arguments (this is on every tool call).
            return null;
        }

        string? arguments = call.Arguments is null
            ? null
            : JsonSerializer.Serialize(
                new SortedDictionary<string, object?>(call.Arguments, StringComparer.Ordinal),
                AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(SortedDictionary<string, object?>)));
        return CheckToolCall(call.Name, arguments);
    }

    internal static void SetCurrent(DispatchScope? scope) => s_current.Value = scope;

    private static DispatchEntry Deny(DispatchScope? parent, DispatchDeniedReason reason, string target, int limit, string message)
    {
        var denied = new DispatchDenied(reason, target, limit, message);
        DispatchTelemetry.RecordDenial(denied, "agent");
        return new DispatchEntry(denied, parent);
    }

    private static string Fingerprint(string kind, string name, string? payload)
    {
        string text = string.Concat(kind, "\n", name, "\n", payload ?? string.Empty);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
