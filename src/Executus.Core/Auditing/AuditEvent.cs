using System.Text.Json;
using Executus.Identity;
using Microsoft.Extensions.AI;

namespace Executus.Auditing;

/// <summary>
/// One auditable decision about a run: who, what, when, with structured details. The run kernel records exactly one
/// event per decision (a denied tool call is one <see cref="AuditEventKind.ToolDenied"/>, not a denial and a call)
/// and numbers a run's events with <see cref="Sequence"/>.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="Timestamp">When it happened, from the run's <see cref="TimeProvider"/>.</param>
public sealed record AuditEvent(AuditEventKind Kind, DateTimeOffset Timestamp)
{
    /// <summary>Gets the run the event belongs to, if any.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets the 1-based position of the event among its run's events (0 for events outside a run).</summary>
    public long Sequence { get; init; }

    /// <summary>Gets the agent's name, if any.</summary>
    public string? AgentName { get; init; }

    /// <summary>Gets the caller, if known.</summary>
    public CallerIdentity? Caller { get; init; }

    /// <summary>Gets the run's iteration (the model call number) when the event happened.</summary>
    public int Iteration { get; init; }

    /// <summary>Gets the tool's name for tool events.</summary>
    public string? ToolName { get; init; }

    /// <summary>Gets a tool call's arguments as JSON (for tool events), so an audit store can query them.</summary>
    /// <remarks>
    /// When the event was built from <see cref="ArgumentValues"/>, this is their JSON, serialized on first read. Setting
    /// it clears <see cref="ArgumentValues"/>.
    /// </remarks>
    public JsonElement? Arguments
    {
        get => _argumentValues is { } values ? values.Json : _arguments;
        init => (_arguments, _argumentValues) = (value, null);
    }

    /// <summary>
    /// Gets a tool call's arguments as name/value pairs, when the event was built from them rather than from JSON: a copy
    /// taken when the event is built, whose values are immutable (strings, numbers, booleans and
    /// <see cref="JsonElement"/>s; any other value is serialized to a <see cref="JsonElement"/> when set), so a later change
    /// to the call's dictionary does not change the event. <see cref="Arguments"/> is their JSON, serialized on first read.
    /// </summary>
    /// <remarks>Setting pairs replaces a JSON <see cref="Arguments"/> set before; setting null leaves it.</remarks>
    /// <exception cref="NotSupportedException">A value cannot be serialized to JSON.</exception>
    public IReadOnlyCollection<KeyValuePair<string, object?>>? ArgumentValues
    {
        get => _argumentValues;
        init
        {
            if (value is null)
            {
                _argumentValues = null;
            }
            else
            {
                (_argumentValues, _arguments) = (AuditArgumentValues.Create(value), null);
            }
        }
    }

    /// <summary>Gets the model that answered (the id the provider reported), for model-call events.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the tokens used, for model-call, budget and run-finished events.</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>
    /// Gets how long the call took, for model-call and tool-call events (the model's latency; the tool's time from its
    /// dispatch to its result, validation and approval included); null for other kinds.
    /// </summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Gets a human-readable detail: the denial reason, the outcome, the error message.</summary>
    public string? Detail { get; init; }

    /// <summary>Gets further structured details (stage, code, outcome, verdict, counts…).</summary>
    public IReadOnlyDictionary<string, string> Data
    {
        get => _data ?? System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
        init => _data = value;
    }

    // Why: most events carry no data; an unset one reads as the shared empty dictionary instead of allocating its own.
    private readonly IReadOnlyDictionary<string, string>? _data;

    private readonly JsonElement? _arguments;
    private readonly AuditArgumentValues? _argumentValues;
}
