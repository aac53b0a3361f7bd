using System.Text.Json;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace BotHost;

/// <summary>A run event as both channels show it (and the HTTP API sends it as one SSE <c>data:</c> line).</summary>
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

    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    public static RunEventView? From(RunEvent e) => e switch
    {
        RunStartedEvent s => new("run_started", s.RunId, s.Iteration) { Agent = s.AgentName },
        ToolCallStartedEvent t => new("tool_call", t.RunId, t.Iteration) { Tool = t.Call.Name, Arguments = t.Call.Arguments is null ? null : JsonSerializer.Serialize(t.Call.Arguments, CompactJson) },
        ToolCallCompletedEvent t => new("tool_result", t.RunId, t.Iteration) { Tool = t.Call.Name, Result = Cap(t.Result.Result?.ToString()), Failed = t.Failed },
        ModelCallCompletedEvent m => new("model_call", m.RunId, m.Iteration) { Model = m.Response.ModelId, Tokens = m.Response.Usage?.TotalTokenCount },
        ModelTextDeltaEvent d => new("text_delta", d.RunId, d.Iteration) { Text = d.Text },
        BudgetWarningEvent w => new("budget_warning", w.RunId, w.Iteration) { Warning = w.Warning, Model = w.Model },
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
        "tool_result" => $"  ← {Tool}{(Failed == true ? " FAILED" : "")}: {Result}",
        "model_call" => $"  · model {Model}, {Tokens} tokens",
        "budget_warning" => $"  ! budget: {Warning}",
        "run_finished" => $"bot: {Text}\n[run {RunId}: {Outcome}{(Warning is null ? "" : " — " + Warning)}, {Tokens} tokens]",
        _ => null,
    };

    private static string? Cap(string? text) => text is null ? null : (text.Length > 300 ? text[..300] + "…" : text).ReplaceLineEndings(" ");
}
