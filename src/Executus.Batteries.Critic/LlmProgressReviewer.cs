using System.Globalization;
using Executus.Auditing;
using Executus.Models;
using Executus.Runs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Executus.Critics;

/// <summary>
/// An <see cref="IProgressReviewer"/> that asks a cheap model (<see cref="LlmMeta"/>, tier <c>Executus:LlmMeta:Tier</c>)
/// for a structured verdict (<see cref="LlmMeta.GenerateAsync{T}"/>) over the task and the last messages. Its calls run
/// inside the run, so they are charged to the run's budget and usage and audited like the run's own model calls
/// (purpose <c>critic</c>). Tool arguments and JSON results are shown with secret-keyed values masked (the audit
/// battery's rule), so the reviewer never sees what audit redacts.
/// </summary>
/// <remarks>
/// <b>Safe default:</b> when the model's answer stays malformed after repair attempts, when the meta tier is not
/// configured or the call fails, the verdict is <see cref="CriticVerdict.Continue"/> — no extension, no stop. The run
/// keeps its deadline: a reviewer that cannot be understood neither buys time nor kills work, and the hard deadline
/// still escalates it.
/// </remarks>
public sealed partial class LlmProgressReviewer : IProgressReviewer
{
    /// <summary>The purpose its model calls are recorded under.</summary>
    public const string Purpose = "critic";

    private readonly LlmMeta _meta;
    private readonly IAudit? _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="meta">The meta model.</param>
    /// <param name="audit">Where each review's model usage is audited (<see cref="AuditEventKind.ModelCall"/>, data <c>purpose</c> = <c>critic</c>); none when null.</param>
    /// <param name="timeProvider">Timestamps the audit events; the system clock when null.</param>
    /// <param name="logger">Logs fallbacks to the safe default; none when null.</param>
    public LlmProgressReviewer(LlmMeta meta, IAudit? audit = null, TimeProvider? timeProvider = null, ILogger<LlmProgressReviewer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(meta);
        _meta = meta;
        _audit = audit;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Gets or sets how many of the last messages the model sees (default 12).</summary>
    public int LastMessages { get; set; } = 12;

    /// <summary>Gets or sets the longest text kept per message (default 600 characters).</summary>
    public int MaxCharsPerMessage { get; set; } = 600;

    /// <inheritdoc />
    public async ValueTask<CriticVerdict> ReviewAsync(ProgressReview review, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(review);
        if (!_meta.IsAvailable)
        {
            LogFallback(_logger, review.Run.RunId, "the meta tier is not configured");
            return CriticVerdict.Continue;
        }

        CriticReview run = review.Run;
        string task = run.Messages.FirstOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        string prompt = string.Create(
            CultureInfo.InvariantCulture,
            $"""
            You supervise an AI agent run that is taking long. Decide whether it is making progress toward its task.
            Answer with JSON: {"{"}"decision": "continue" | "extend" | "stop" | "escalate", "reason": "...", "extendMinutes": number or null{"}"}.
            - extend: clear progress, it needs more time (give extendMinutes; at most {review.ExtensionLeft.TotalMinutes:0.#} minutes are left to grant).
            - continue: unsure; let it go on without more time.
            - stop: it is looping or cannot succeed; stop it.
            - escalate: a human must look at it.
            Agent: {run.Agent.Name}. Elapsed: {run.Elapsed:hh\:mm\:ss}. Model calls: {run.Iteration}. Extensions granted: {review.ExtensionsGranted}. Review number: {review.ReviewNumber}.
            Task: {TranscriptText.Render([new ChatMessage(ChatRole.User, task)], 1, MaxCharsPerMessage)}
            Last messages:
            {TranscriptText.Render(run.Messages, LastMessages, MaxCharsPerMessage)}
            """);
        try
        {
            StructuredOutputResult<ReviewerAnswer> answer = await _meta.GenerateAsync(
                [new ChatMessage(ChatRole.User, prompt)],
                new StructuredOutputOptions<ReviewerAnswer> { Validator = Validate },
                Purpose,
                cancellationToken).ConfigureAwait(false);
            CriticVerdict verdict = ToVerdict(answer.Value);
            await AuditAsync(run, answer.Usage, answer.Response.ModelId, verdict.Kind.ToString()).ConfigureAwait(false);
            return verdict;
        }
        catch (Exception ex) when (ex is StructuredOutputException or ModelResolutionException or ModelUnavailableException or HttpRequestException or ModelEmptyResponseException)
        {
            LogFallback(_logger, run.RunId, ex.Message);
            if (ex is StructuredOutputException malformed)
            {
                await AuditAsync(run, malformed.Usage, null, "malformed").ConfigureAwait(false);
            }

            return CriticVerdict.Continue;
        }
    }

    private async ValueTask AuditAsync(CriticReview run, UsageDetails usage, string? model, string outcome)
    {
        if (_audit is null)
        {
            return;
        }

        try
        {
            await _audit.RecordAsync(
                new AuditEvent(AuditEventKind.ModelCall, _time.GetUtcNow())
                {
                    RunId = run.RunId,
                    AgentName = run.Agent.Name,
                    Caller = run.Caller,
                    Iteration = run.Iteration,
                    Model = model,
                    Usage = usage,
                    Detail = "critic progress review",
                    Data = new Dictionary<string, string>(StringComparer.Ordinal) { ["purpose"] = Purpose, ["verdict"] = outcome },
                },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFallback(_logger, run.RunId, "auditing the review failed: " + ex.Message);
        }
    }

    private static string? Validate(ReviewerAnswer answer) =>
        answer.Decision?.Trim().ToUpperInvariant() switch
        {
            "CONTINUE" or "STOP" or "ESCALATE" => null,
            "EXTEND" when answer.ExtendMinutes is > 0 => null,
            "EXTEND" => "extendMinutes must be a positive number for extend",
            _ => "decision must be one of continue, extend, stop, escalate",
        };

    private static CriticVerdict ToVerdict(ReviewerAnswer answer)
    {
        string reason = string.IsNullOrWhiteSpace(answer.Reason) ? "(no reason given)" : answer.Reason.Trim();
        return answer.Decision!.Trim().ToUpperInvariant() switch
        {
            "EXTEND" => CriticVerdict.Extend(TimeSpan.FromMinutes(Math.Min(answer.ExtendMinutes!.Value, 24 * 60)), reason),
            "STOP" => CriticVerdict.Stop(reason),
            "ESCALATE" => CriticVerdict.Escalate(reason),
            _ => CriticVerdict.Continue,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the LLM progress reviewer fell back to Continue: {Reason}")]
    private static partial void LogFallback(ILogger logger, string runId, string reason);

    /// <summary>The structured answer asked of the model.</summary>
    /// <param name="Decision">continue, extend, stop or escalate.</param>
    /// <param name="Reason">Why.</param>
    /// <param name="ExtendMinutes">For extend: how many minutes.</param>
    internal sealed record ReviewerAnswer(string? Decision, string? Reason = null, double? ExtendMinutes = null);
}
