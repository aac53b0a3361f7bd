namespace Executus;

/// <summary>
/// The names of every <see cref="System.Diagnostics.Metrics.Meter"/> and <see cref="System.Diagnostics.ActivitySource"/>
/// Executus publishes on, for a host's OpenTelemetry setup (<c>AddMeter(ExecutusTelemetry.MeterNames)</c>,
/// <c>AddSource(ExecutusTelemetry.ActivitySourceNames)</c>) or a <see cref="System.Diagnostics.Metrics.MeterListener"/>.
/// </summary>
/// <remarks>
/// Model calls are also traced by M.E.AI's own <c>OpenTelemetryChatClient</c> (GenAI semantic conventions), on M.E.AI's
/// default source unless <c>ModelTierResolverOptions.OpenTelemetrySourceName</c> names another.
/// </remarks>
public static class ExecutusTelemetry
{
    /// <summary>The run kernel's meter and activity source (<c>invoke_agent</c>/<c>execute_tool</c> spans, runs by outcome, duration, iterations).</summary>
    public const string RunsSourceName = "Executus.Runs";

    /// <summary>The tool permission stages' meter (denials by stage and code, invocations, audit failures).</summary>
    public const string ToolingMeterName = "Executus.Tooling";

    /// <summary>The models' meter (failovers, cool-down skips).</summary>
    public const string ModelsMeterName = "Executus.Models";

    /// <summary>The lanes' meter (submitted, completed, failed, cancelled, rejected, queued, running, wait time).</summary>
    public const string LanesMeterName = "Executus.Lanes";

    /// <summary>The compactor's meter and activity source (<c>compact_context</c> spans, compactions by strategy, tokens before/after, summary failures).</summary>
    public const string CompactionSourceName = "Executus.Compaction";

    /// <summary>The fan-out's meter and activity source (<c>fan_out</c> spans, cells by status, cell and grid duration).</summary>
    public const string FanOutSourceName = "Executus.FanOut";

    /// <summary>The dispatch guard's meter (admitted runs by depth, denials by reason); denials are also events on the current span.</summary>
    public const string DispatchMeterName = "Executus.Dispatch";

    /// <summary>The SSRF guard's meter (refused requests by reason).</summary>
    public const string NetMeterName = "Executus.Net";

    /// <summary>The Audit battery's meter (events queued, written, dropped by reason, store failures).</summary>
    public const string AuditMeterName = "Executus.Audit";

    /// <summary>The Checkpoint battery's meter (checkpoint writes by result, deletes).</summary>
    public const string CheckpointMeterName = "Executus.Checkpoint";

    /// <summary>The SQLite stores' meter (Executus.Contrib.Sqlite: busy and corrupt errors by kind, migrations applied).</summary>
    public const string SqliteMeterName = "Executus.Sqlite";

    /// <summary>The PostgreSQL stores' meter (Executus.Contrib.PostgreSql: busy and unreachable errors by kind, retries, migrations applied, change notifications).</summary>
    public const string PostgreSqlMeterName = "Executus.PostgreSql";

    /// <summary>The Schedule battery's meter (<c>ScheduleRunner</c>: firings by result — started, skipped, budget refused, failed).</summary>
    public const string ScheduleMeterName = "Executus.Schedule";

    /// <summary>Gets the names of every meter Executus publishes on (the batteries' included; the Critic battery has none).</summary>
    public static IReadOnlyList<string> MeterNames { get; } =
        [RunsSourceName, ToolingMeterName, ModelsMeterName, LanesMeterName, CompactionSourceName, FanOutSourceName, DispatchMeterName, NetMeterName, AuditMeterName, CheckpointMeterName, ScheduleMeterName, SqliteMeterName, PostgreSqlMeterName];

    /// <summary>Gets the names of every activity source Executus starts spans on.</summary>
    public static IReadOnlyList<string> ActivitySourceNames { get; } = [RunsSourceName, CompactionSourceName, FanOutSourceName];
}
