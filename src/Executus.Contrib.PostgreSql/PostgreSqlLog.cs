using Microsoft.Extensions.Logging;

namespace Executus.Contrib.PostgreSql;

/// <summary>The PostgreSQL database's source-generated log messages.</summary>
internal static partial class PostgreSqlLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applied PostgreSQL schema migrations {FromVersion}..{ToVersion} to '{Target}'.")]
    public static partial void MigrationsApplied(ILogger logger, int fromVersion, int toVersion, string target);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The PostgreSQL database '{Target}' stayed busy (SQLSTATE {SqlState}) after {Attempts} attempts; the call failed and nothing was written.")]
    public static partial void Busy(ILogger logger, string target, string? sqlState, int attempts);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The PostgreSQL server for '{Target}' could not be reached.")]
    public static partial void Unavailable(ILogger logger, Exception error, string target);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The change listener on '{Target}' lost its connection; polling every {PollInterval} until it reconnects.")]
    public static partial void ListenerLost(ILogger logger, Exception error, string target, TimeSpan pollInterval);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "A change handler on '{Target}' failed.")]
    public static partial void HandlerFailed(ILogger logger, Exception error, string target);
}
