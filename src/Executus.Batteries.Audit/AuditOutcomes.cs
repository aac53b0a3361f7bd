using Executus.Auditing;

namespace Executus.Batteries.Audit;

/// <summary>
/// The outcome an audit record is filed under: the event's <c>outcome</c> data when it has one (a run's
/// <c>RunOutcome</c> name), otherwise one of these values by kind.
/// </summary>
public static class AuditOutcomes
{
    /// <summary>The data key holding an explicit outcome.</summary>
    public const string DataKey = "outcome";

    /// <summary>A tool call or model call that succeeded.</summary>
    public const string Success = "Success";

    /// <summary>A tool call that failed.</summary>
    public const string Error = "Error";

    /// <summary>A denied tool call or a dispatch-guard refusal.</summary>
    public const string Denied = "Denied";

    /// <summary>A model call the budget refused.</summary>
    public const string Refused = "Refused";

    /// <summary>A budget warning.</summary>
    public const string Warning = "Warning";

    /// <summary>Gets the outcome of <paramref name="auditEvent"/>, or null when its kind has none.</summary>
    /// <param name="auditEvent">The event.</param>
    /// <returns>The outcome.</returns>
    public static string? Of(AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        if (auditEvent.Data.TryGetValue(DataKey, out string? explicitOutcome) && !string.IsNullOrWhiteSpace(explicitOutcome))
        {
            return explicitOutcome;
        }

        return auditEvent.Kind switch
        {
            AuditEventKind.ToolCall => auditEvent.Detail is null && !auditEvent.Data.ContainsKey("error") ? Success : Error,
            AuditEventKind.ModelCall => Success,
            AuditEventKind.ToolDenied or AuditEventKind.DispatchGuardTripped => Denied,
            AuditEventKind.BudgetRefused => Refused,
            AuditEventKind.BudgetWarning => Warning,
            AuditEventKind.RunFinished => auditEvent.Detail,
            _ => null,
        };
    }
}
