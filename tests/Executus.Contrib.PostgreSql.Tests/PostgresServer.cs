using System.Diagnostics;
using Npgsql;

namespace Executus.Contrib.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL server every test of this assembly uses: EXECUTUS_TEST_POSTGRES when set (CI starts one with
/// .ci/pg.sh), otherwise a throwaway cluster this process starts with .ci/pg.sh and removes when it exits. When neither
/// works the tests FAIL with the reason: they are never skipped.
/// </summary>
internal static class PostgresServer
{
    private static readonly Lazy<string> s_connectionString = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets the admin connection string (the server's executus database).</summary>
    public static string ConnectionString => s_connectionString.Value;

    private static string Start()
    {
        string? given = Environment.GetEnvironmentVariable("EXECUTUS_TEST_POSTGRES");
        string connectionString;
        if (!string.IsNullOrWhiteSpace(given))
        {
            connectionString = given;
        }
        else
        {
            string script = Path.Combine(RepositoryRoot(), ".ci", "pg.sh");
            string folder = Path.Combine(Path.GetTempPath(), "executus-pg-tests-" + Guid.NewGuid().ToString("N")[..12]);
            (int code, string output, string error) = Bash(script, "start", folder);
            if (code != 0)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL tests need a server: EXECUTUS_TEST_POSTGRES is not set and '.ci/pg.sh start' failed (exit {code}): {error.Trim()} {output.Trim()}. " +
                    "Install the postgresql-15 Debian package (initdb under /usr/lib/postgresql/*/bin) or point EXECUTUS_TEST_POSTGRES at a server.");
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => Bash(script, "stop", folder);
            const string prefix = "export EXECUTUS_TEST_POSTGRES='";
            string line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"'.ci/pg.sh start' printed no connection string: {output}");
            connectionString = line[prefix.Length..^1];
        }

        try
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException)
        {
            throw new InvalidOperationException($"The PostgreSQL tests cannot reach the server '{connectionString}': {ex.Message}", ex);
        }

        return connectionString;
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Executus.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Executus.sln above '{AppContext.BaseDirectory}': cannot find .ci/pg.sh to start a PostgreSQL server.");
    }

    private static (int Code, string Output, string Error) Bash(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("bash could not be started.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
