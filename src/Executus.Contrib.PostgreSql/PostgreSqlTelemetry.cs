using System.Diagnostics.Metrics;

namespace Executus.Contrib.PostgreSql;

/// <summary>The PostgreSQL stores' instruments, on the <see cref="ExecutusTelemetry.PostgreSqlMeterName"/> meter; every measurement is tagged with the target (<c>host:port/database</c>).</summary>
internal static class PostgreSqlTelemetry
{
    private static readonly Meter Meter = new(ExecutusTelemetry.PostgreSqlMeterName);

    /// <summary>Store calls that failed: busy after every retry (<c>kind=busy</c>) or the server unreachable (<c>kind=unavailable</c>).</summary>
    public static readonly Counter<long> Errors = Meter.CreateCounter<long>("executus.postgresql.errors", description: "PostgreSQL store calls that failed: busy after the retries or the server unreachable, tagged with kind.");

    /// <summary>Transactions tried again after a serialization failure, deadlock or lock timeout.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("executus.postgresql.retries", description: "Transactions retried after a serialization failure, deadlock or lock timeout.");

    /// <summary>Schema migrations applied to a database.</summary>
    public static readonly Counter<long> MigrationsApplied = Meter.CreateCounter<long>("executus.postgresql.migrations.applied", description: "Schema migrations applied.");

    /// <summary>Change notifications received over LISTEN (tagged with kind), and polls run by the fallback (<c>kind=poll</c>).</summary>
    public static readonly Counter<long> Changes = Meter.CreateCounter<long>("executus.postgresql.changes", description: "Change notifications received (LISTEN/NOTIFY) and fallback polls, tagged with kind.");
}
