using System.Text.Json;
using Executus.Runs;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace BotHost;

/// <summary>
/// A run event as the channels show it (and the HTTP API and the operator console send it as one SSE <c>data:</c> line):
/// run start and end, model calls with tokens, tool calls with arguments and results (a denial is a result with
/// <see cref="Denied"/>), budget warnings, compactions, critic verdicts and phases.
/// </summary>
internal sealed record RunEventView(string Type, string RunId, int Iteration)
{
    public string? Agent { get; init; }
    public string? Tool { get; init; }
    public string? Arguments { get; init; }
    public string? Result { get; init; }
    public bool? Failed { get; init; }
    public string? Text { get; init; }
    public string? Outcome { get; init; }
    public string? Warning { get; init; }
    public string? Model { get; init; }
    public long? Tokens { get; init; }
    public bool? Denied { get; init; }
    public string? Verdict { get; init; }
    public string? Phase { get; init; }
    public int? MessagesBefore { get; init; }
    public int? MessagesAfter { get; init; }
    public DateTimeOffset? At { get; init; }

    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    public static RunEventView? From(RunEvent e) => Describe(e) is { } view ? view with { At = e.Timestamp } : null;

    private static RunEventView? Describe(RunEvent e) => e switch
    {
        RunStartedEvent s => new("run_started", s.RunId, s.Iteration) { Agent = s.AgentName },
        ToolCallStartedEvent t => new("tool_call", t.RunId, t.Iteration) { Tool = t.Call.Name, Arguments = t.Call.Arguments is null ? null : JsonSerializer.Serialize(t.Call.Arguments, CompactJson) },
        ToolCallCompletedEvent t => new("tool_result", t.RunId, t.Iteration) { Tool = t.Call.Name, Result = Cap(t.Result.Result?.ToString()), Failed = t.Failed, Denied = t.Result.Exception is ToolDeniedException ? true : null },
        ModelCallCompletedEvent m => new("model_call", m.RunId, m.Iteration) { Model = m.Response.ModelId, Tokens = m.Response.Usage?.TotalTokenCount },
        ModelTextDeltaEvent d => new("text_delta", d.RunId, d.Iteration) { Text = d.Text },
        BudgetWarningEvent w => new("budget_warning", w.RunId, w.Iteration) { Warning = w.Warning, Model = w.Model },
        CompactionEvent c => new("compaction", c.RunId, c.Iteration) { MessagesBefore = c.MessagesBefore, MessagesAfter = c.MessagesAfter },
        CriticVerdictEvent v => new("critic_verdict", v.RunId, v.Iteration) { Verdict = v.Verdict.Kind.ToString(), Warning = v.Verdict.Reason, Text = v.Trigger.ToString() },
        PhaseStartedEvent p => new("phase_started", p.RunId, p.Iteration) { Phase = p.Phase },
        PhaseEndedEvent p => new("phase_ended", p.RunId, p.Iteration) { Phase = p.Phase.Name, Outcome = p.Phase.Status.ToString() },
        RunFinishedEvent f => new("run_finished", f.RunId, f.Iteration)
        {
            Agent = f.Result.AgentName,
            Outcome = f.Result.Outcome.ToString(),
            Text = f.Result.Text,
            Tokens = f.Result.Usage.TotalTokenCount,
            Warning = f.Result.Succeeded ? null : f.Result.StopReason,
        },
        _ => null,
    };

    /// <summary>One line for the console channel (null: not shown there).</summary>
    public string? ToLine() => Type switch
    {
        "run_started" => $"[run {RunId} started: {Agent}]",
        "tool_call" => $"  → {Tool}({Arguments})",
        "tool_result" => $"  ← {Tool}{(Denied == true ? " DENIED" : Failed == true ? " FAILED" : "")}: {Result}",
        "model_call" => $"  · model {Model}, {Tokens} tokens",
        "budget_warning" => $"  ! budget: {Warning}",
        "compaction" => $"  · compacted {MessagesBefore} → {MessagesAfter} messages",
        "critic_verdict" => $"  ! critic ({Text}): {Verdict}{(Warning is null ? "" : " — " + Warning)}",
        "phase_started" => $"  · phase {Phase}",
        "phase_ended" => $"  · phase {Phase}: {Outcome}",
        "run_finished" => $"bot: {Text}\n[run {RunId}: {Outcome}{(Warning is null ? "" : " — " + Warning)}, {Tokens} tokens]",
        _ => null,
    };

    /// <summary>Shortens a tool result to one line of at most 300 characters.</summary>
    public static string? Cap(string? text) => text is null ? null : (text.Length > 300 ? text[..300] + "…" : text).ReplaceLineEndings(" ");
}
