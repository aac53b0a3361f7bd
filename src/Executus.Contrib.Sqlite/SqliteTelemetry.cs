using System.Diagnostics.Metrics;

namespace Executus.Contrib.Sqlite;

/// <summary>The SQLite stores' instruments, on the <see cref="ExecutusTelemetry.SqliteMeterName"/> meter; every measurement is tagged with the database's data source.</summary>
internal static class SqliteTelemetry
{
    private static readonly Meter Meter = new(ExecutusTelemetry.SqliteMeterName);

    /// <summary>Store calls that failed because the file stayed locked past the busy timeout (<c>kind=busy</c>) or is corrupt (<c>kind=corrupt</c>).</summary>
    public static readonly Counter<long> Errors = Meter.CreateCounter<long>("executus.sqlite.errors", description: "SQLite store calls that failed: busy past the timeout or a corrupt file, tagged with kind.");

    /// <summary>Schema migrations applied to a file.</summary>
    public static readonly Counter<long> MigrationsApplied = Meter.CreateCounter<long>("executus.sqlite.migrations.applied", description: "Schema migrations applied.");
}
