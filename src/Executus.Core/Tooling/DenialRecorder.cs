using System.Diagnostics.CodeAnalysis;
using Executus.Auditing;
using Executus.Identity;
using Microsoft.Extensions.Logging;

namespace Executus.Tooling;

/// <summary>Records a <see cref="ToolDenial"/> to the audit port and the denial counter.</summary>
internal sealed partial class DenialRecorder(IAudit audit, TimeProvider timeProvider, ILogger logger)
{
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "An audit failure must never turn a readable tool error into a failed run; it is logged and counted.")]
    public async ValueTask RecordAsync(ToolDenial denial, CallerIdentity caller, string? agentName, string? runId, CancellationToken cancellationToken)
    {
        ToolingTelemetry.Denials.Add(
            1,
            new KeyValuePair<string, object?>("executus.tool.stage", denial.Stage.ToString()),
            new KeyValuePair<string, object?>("executus.tool.denial_code", denial.Code.ToString()));
        AuditEvent auditEvent = new(AuditEventKind.ToolDenied, timeProvider.GetUtcNow())
        {
            RunId = runId,
            AgentName = agentName,
            Caller = caller,
            ToolName = denial.ToolName,
            Detail = denial.Reason,
            Data = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["stage"] = denial.Stage.ToString(),
                ["code"] = denial.Code.ToString(),
            },
        };

        try
        {
            await audit.RecordAsync(auditEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Why: IAudit implementations must not throw; if one does, the model still gets its readable error, and
            // the host learns of the lost audit record from the log and the counter.
            ToolingTelemetry.AuditFailures.Add(1, new KeyValuePair<string, object?>("error.type", ex.GetType().FullName));
            LogAuditFailure(logger, ex, denial.ToolName, denial.Code, runId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit port failed to record the denial of tool '{ToolName}' ({Code}) in run {RunId}; the denial stands.")]
    private static partial void LogAuditFailure(ILogger logger, Exception exception, string toolName, ToolDenialCode code, string? runId);
}
