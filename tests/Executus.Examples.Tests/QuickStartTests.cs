using Executus.Configuration;
using QuickStart;

namespace Executus.Examples.Tests;

public class QuickStartTests
{
    [Fact]
    public async Task Runs_offline_to_completion_through_every_tool_and_the_sandbox_refusal()
    {
        using var output = new StringWriter();

        int exitCode = await QuickStartApp.RunAsync(output, new InMemoryConfigSource());

        string text = output.ToString();
        Assert.Equal(0, exitCode);
        Assert.Contains("offline, on a SCRIPTED model", text, StringComparison.Ordinal);
        Assert.Contains("tool result 42", text, StringComparison.Ordinal);
        Assert.Contains("contains a '..' segment", text, StringComparison.Ordinal);
        Assert.Contains("Your todo list: Buy milk; Review the Executus pull request; Call the dentist.", text, StringComparison.Ordinal);
        Assert.Contains("outcome: Completed, model calls: 4, tokens: 408", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_phased_agent_gathers_judges_and_reports_offline()
    {
        using var output = new StringWriter();

        int exitCode = await QuickStartApp.RunAsync(output, new InMemoryConfigSource([new("QuickStart:Phased", "true")]));

        string text = output.ToString();
        Assert.Equal(0, exitCode);
        Assert.Contains("== phase gather (1 of 3)", text, StringComparison.Ordinal);
        Assert.Contains("== phase gather completed, hand-off: \"Todo: Buy milk; Review the Executus pull request; Call the dentist\"", text, StringComparison.Ordinal);
        Assert.Contains("missing required property 'later'", text, StringComparison.Ordinal);
        Assert.Contains("== phase judge completed, hand-off: {\"urgent\":[\"Review the Executus pull request\"]", text, StringComparison.Ordinal);
        Assert.Contains("answer: First: Review the Executus pull request. It can wait: Buy milk, Call the dentist.", text, StringComparison.Ordinal);
        Assert.Contains("outcome: Completed, model calls: 5", text, StringComparison.Ordinal);
        Assert.Contains("phase judge: Completed, model calls: 2, tokens: 204", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_tier_switches_to_a_real_model_and_a_missing_key_fails_the_run_clearly()
    {
        using var output = new StringWriter();
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:default", "openai:gpt-4o-mini")]);

        int exitCode = await QuickStartApp.RunAsync(output, config);

        Assert.Equal(1, exitCode);
        Assert.Contains("on a REAL model", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("outcome: Failed", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_file_caps_a_large_file_with_a_visible_marker()
    {
        DirectoryInfo folder = Directory.CreateTempSubdirectory("quickstart-notes-");
        try
        {
            // 8 MiB of text whose cut lands inside a three-byte UTF-8 character.
            string big = "ab" + string.Concat(Enumerable.Repeat("€", (8 * 1024 * 1024) / 3));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "big.txt"), big);
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "small.txt"), "short note");

            string capped = await QuickStartApp.ReadNoteAsync(folder.FullName, "big.txt", QuickStartApp.MaxFileBytes);
            string small = await QuickStartApp.ReadNoteAsync(folder.FullName, "small.txt", QuickStartApp.MaxFileBytes);

            Assert.True(capped.Length < QuickStartApp.MaxFileBytes + 200, $"read_file returned {capped.Length} characters");
            Assert.EndsWith($"[truncated: the file is {new FileInfo(Path.Combine(folder.FullName, "big.txt")).Length} bytes; only the first 65536 bytes are shown]", capped, StringComparison.Ordinal);
            Assert.DoesNotContain('\uFFFD', capped);
            Assert.Equal("short note", small);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_dead_endpoint_prints_the_stop_reason_and_the_error()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var output = new StringWriter();
        var config = new InMemoryConfigSource(
        [
            new("Executus:Models:Tiers:default", "local:qwen3"),
            new("Executus:Providers:local:Type", "openai"),
            new("Executus:Providers:local:BaseUrl", $"http://127.0.0.1:{port}/v1"),
        ]);

        int exitCode = await QuickStartApp.RunAsync(output, config);

        string text = output.ToString();
        Assert.Equal(1, exitCode);
        Assert.Contains("outcome: Failed", text, StringComparison.Ordinal);
        Assert.Contains("stop reason: ", text, StringComparison.Ordinal);
        Assert.Contains("error: ModelUnavailableException", text, StringComparison.Ordinal);
        Assert.Contains("local:qwen3", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tier_without_a_provider_prints_why()
    {
        using var output = new StringWriter();
        var config = new InMemoryConfigSource([new("Executus:Models:Tiers:default", "gpt-4o-mini")]);

        int exitCode = await QuickStartApp.RunAsync(output, config);

        string text = output.ToString();
        Assert.Equal(1, exitCode);
        Assert.Contains("stop reason: ", text, StringComparison.Ordinal);
        Assert.Contains("error: ModelResolutionException", text, StringComparison.Ordinal);
        Assert.Contains("gpt-4o-mini", text, StringComparison.Ordinal);
    }
}
