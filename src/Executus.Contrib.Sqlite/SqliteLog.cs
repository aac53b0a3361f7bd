using Microsoft.Extensions.Logging;

namespace Executus.Contrib.Sqlite;

/// <summary>The SQLite database's source-generated log messages.</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applied SQLite schema migrations {FromVersion}..{ToVersion} to '{DataSource}'.")]
    public static partial void MigrationsApplied(ILogger logger, int fromVersion, int toVersion, string dataSource);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The SQLite database '{DataSource}' stayed locked past the busy timeout ({BusyTimeoutMs} ms); the call failed and nothing was written.")]
    public static partial void BusyTimeout(ILogger logger, string dataSource, double busyTimeoutMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The SQLite database '{DataSource}' is corrupt or not a database (SQLite error {ErrorCode}).")]
    public static partial void Corrupt(ILogger logger, string dataSource, int errorCode);
}
