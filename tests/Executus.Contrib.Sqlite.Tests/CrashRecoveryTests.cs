using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Executus.Contrib.Sqlite.Tests;

/// <summary>
/// The heart of the SQLite store: a real host process (tests/Executus.CrashHost) running an agent with the SQLite
/// checkpoint and audit stores is killed with SIGKILL at several points — inside model calls and inside tool calls —
/// and restarted; InterruptedRunRecovery resumes the run each time. The host is told its kill point and blocks there
/// after printing it (and after its STARTED/RESUMED line), so the kill lands at exactly that point however loaded the
/// machine is: nothing in the handshake depends on timing.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Steps = 6;
    private const int DelayMs = 20;
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_run_killed_five_times_resumes_to_the_transcript_of_an_uninterrupted_run()
    {
        using var baselineDb = new TestDatabase();
        using var crashDb = new TestDatabase();

        HostRun baseline = await RunToEndAsync(baselineDb.FilePath);
        Assert.Equal("STARTED", baseline.Mode);

        // Kill points in run order: inside model calls (between tool turns) and inside tool calls (a call in flight).
        string[] killAt = ["MODEL 1", "TOOL 1", "MODEL 3", "TOOL 3", "TOOL 4", "MODEL 5"];
        var flushed = new HashSet<string>(StringComparer.Ordinal);
        var modes = new List<string>();
        foreach (string point in killAt)
        {
            modes.Add(await RunAndKillAtAsync(crashDb.FilePath, point));
            foreach (string id in AuditIds(crashDb.FilePath))
            {
                flushed.Add(id);
            }
        }

        HostRun final = await RunToEndAsync(crashDb.FilePath);

        Assert.Equal("STARTED", modes[0]);
        Assert.All(modes.Skip(1), mode => Assert.Equal("RESUMED", mode));
        Assert.Equal("RESUMED", final.Mode);
        Assert.Equal($"OUTCOME Completed {Steps + 1}", final.Outcome);
        Assert.Equal(baseline.Transcript, final.Transcript);
        HashSet<string> after = AuditIds(crashDb.FilePath);
        Assert.NotEmpty(flushed);
        Assert.Empty(flushed.Except(after));
        Assert.InRange(CountRunResumed(crashDb.FilePath), 1, killAt.Length); // one per resume, unless a kill came before its flush
        Assert.Equal("ok", await new SqliteDatabase($"Data Source={crashDb.FilePath}").CheckIntegrityAsync());
        Assert.Equal("ok", await new SqliteDatabase($"Data Source={baselineDb.FilePath}").CheckIntegrityAsync());
    }

    private async Task<string> RunAndKillAtAsync(string database, string point)
    {
        using Process process = Start(database, point);
        string? mode = null;
        try
        {
            while (true)
            {
                string line = await ReadLineAsync(process, $"'{point}'");
                output.WriteLine(line);
                if (line is "STARTED" or "RESUMED")
                {
                    mode = line;
                }

                if (line == point)
                {
                    process.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flush
                    await process.WaitForExitAsync();
                    output.WriteLine($"killed at {point} ({mode})");
                    return mode ?? throw new InvalidOperationException("The host said neither STARTED nor RESUMED.");
                }

                Assert.False(line.StartsWith("RESULT", StringComparison.Ordinal), $"the run ended before {point}");
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private async Task<HostRun> RunToEndAsync(string database)
    {
        using Process process = Start(database, killPoint: null);
        string? mode = null;
        string? outcome = null;
        while (true)
        {
            string line = await ReadLineAsync(process, "RESULT");
            output.WriteLine(line);
            if (line is "STARTED" or "RESUMED")
            {
                mode = line;
            }
            else if (line.StartsWith("OUTCOME", StringComparison.Ordinal))
            {
                outcome = line;
            }
            else if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                await process.WaitForExitAsync();
                Assert.Equal(0, process.ExitCode);
                return new HostRun(mode!, outcome!, line["RESULT ".Length..]);
            }
        }
    }

    private static async Task<string> ReadLineAsync(Process process, string waitingFor)
    {
        using var timeout = new CancellationTokenSource(LineTimeout);
        try
        {
            return await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"The host exited ({await process.StandardError.ReadToEndAsync()}) before {waitingFor}.");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The host printed nothing for {LineTimeout} while the test waited for {waitingFor}.");
        }
    }

    private static Process Start(string database, string? killPoint)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostDll());
        start.ArgumentList.Add(database);
        start.ArgumentList.Add(Steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(DelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (killPoint is not null)
        {
            start.ArgumentList.Add(killPoint);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("The crash host did not start.");
    }

    private static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private static string HostDll()
    {
        // The test runs from tests/Executus.Contrib.Sqlite.Tests/bin/<Configuration>/<tfm>/; the host is built beside it
        // (a ProjectReference with ReferenceOutputAssembly=false) into tests/Executus.CrashHost/bin/<Configuration>/<tfm>/.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = output.Name;
        string configuration = output.Parent!.Name;
        string tests = output.Parent.Parent!.Parent!.Parent!.FullName;
        string dll = Path.Combine(tests, "Executus.CrashHost", "bin", configuration, tfm, "Executus.CrashHost.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build tests/Executus.CrashHost first.", dll);
    }

    private static HashSet<string> AuditIds(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM audit_events;";
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static long CountRunResumed(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM audit_events WHERE kind = $kind;";
        command.Parameters.AddWithValue("$kind", (int)Executus.Auditing.AuditEventKind.RunResumed);
        return (long)command.ExecuteScalar()!;
    }

    private sealed record HostRun(string Mode, string Outcome, string Transcript);
}
