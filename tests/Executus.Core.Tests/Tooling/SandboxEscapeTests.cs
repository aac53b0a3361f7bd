using System.Diagnostics;
using System.Text;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Tooling;

/// <summary>
/// The escapes of issue 23, built with real symbolic links, a real FIFO, a hard link and /proc/self targets in a temp
/// folder, checked through the validator AND through full runs of a real file tool (built like QuickStart's).
/// </summary>
public sealed class SandboxEscapeTests : IDisposable
{
    private const string Secret = "TOP-SECRET-7f3a9c";
    private readonly DirectoryInfo _base = Directory.CreateTempSubdirectory("executus-escape-");

    public SandboxEscapeTests()
    {
        Directory.CreateDirectory(SandboxDir);
        Directory.CreateDirectory(Path.Combine(_base.FullName, "outside"));
        File.WriteAllText(Path.Combine(_base.FullName, "outside", "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(SandboxDir, "notes.txt"), "inside");
        Directory.CreateDirectory(Path.Combine(SandboxDir, "sub"));
        Directory.CreateDirectory(Path.Combine(SandboxDir, "real"));
        File.WriteAllText(Path.Combine(SandboxDir, "real", "file.txt"), "real file");

        Link("hop", ".");
        Link("trick", "hop/../outside/secret.txt");
        Link("hop2", "hop/..");
        Link("pfd", "/proc/self/fd");
        Link("env_trick", "pfd/../environ");
        Link("self_environ", "/proc/self/environ");
        Link("zero", "hop/../../../../../../../../dev/zero");
        Link("dangling", "hop/../outside/created.txt");
        Link("dangling_inside", "real/created-later.txt");
        Link("sub/up", "../real/file.txt");
        Link("loop1", "loop2");
        Link("loop2", "loop1");
        Link("inner", "real");
    }

    private string SandboxDir => Path.Combine(_base.FullName, "sandbox");

    private string OutsideCreated => Path.Combine(_base.FullName, "outside", "created.txt");

    public void Dispose() => _base.Delete(recursive: true);

    [Theory]
    [InlineData("trick")]
    [InlineData("hop2")]
    [InlineData("hop2/outside/secret.txt")]
    [InlineData("hop/hop2/outside/secret.txt")]
    [InlineData("env_trick")]
    [InlineData("pfd/0")]
    [InlineData("self_environ")]
    [InlineData("zero")]
    [InlineData("dangling")]
    public void The_validator_refuses_link_escapes_whose_targets_contain_dot_dot(string path)
    {
        SandboxPathValidator validator = new(SandboxDir, "path");

        PermissionDecision decision = validator.Check(path);

        Assert.False(decision.IsAllowed, $"{path} was allowed");
        Assert.Contains("symbolic link", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hop/notes.txt")]
    [InlineData("hop/hop/real/file.txt")]
    [InlineData("sub/up")]
    [InlineData("inner/file.txt")]
    [InlineData("dangling_inside")]
    [InlineData("real/not-yet/new.txt")]
    public void The_validator_still_allows_links_that_resolve_inside(string path)
    {
        SandboxPathValidator validator = new(SandboxDir, "path");

        PermissionDecision decision = validator.Check(path);

        Assert.True(decision.IsAllowed, decision.Reason);
    }

    [Fact]
    public void A_link_loop_is_refused_after_the_hop_limit()
    {
        PermissionDecision decision = new SandboxPathValidator(SandboxDir, "path").Check("loop1");

        Assert.False(decision.IsAllowed);
        Assert.Contains("too many levels of symbolic links", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusing_symbolic_links_refuses_even_links_that_stay_inside()
    {
        SandboxPathValidator validator = new(SandboxDir, "path") { RefuseSymbolicLinks = true };

        Assert.False(validator.Check("inner/file.txt").IsAllowed);
        Assert.Contains("symbolic links are refused", validator.Check("sub/up").Reason, StringComparison.Ordinal);
        Assert.True(validator.Check("real/file.txt").IsAllowed);
    }

    [Fact]
    public void A_fifo_is_refused()
    {
        string fifo = Path.Combine(SandboxDir, "pipe");
        Run("mkfifo", fifo);

        PermissionDecision decision = new SandboxPathValidator(SandboxDir, "path").Check("pipe");

        Assert.False(decision.IsAllowed);
        Assert.Contains("FIFO", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_reached_through_an_absolute_path_inside_a_bind_is_refused_by_type()
    {
        // /dev itself as the root: a device node inside the sandbox is refused by its kind, not its location.
        SandboxPathValidator validator = new("/dev", "path");

        Assert.Contains("device", validator.Check("zero").Reason, StringComparison.Ordinal);
        Assert.Contains("device", validator.Check("/dev/null").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hard_linked_file_is_refused_when_configured()
    {
        Run("ln", Path.Combine(_base.FullName, "outside", "secret.txt"), Path.Combine(SandboxDir, "hard.txt"));

        PermissionDecision strict = new SandboxPathValidator(SandboxDir, "path") { RefuseHardLinks = true }.Check("hard.txt");
        PermissionDecision single = new SandboxPathValidator(SandboxDir, "path") { RefuseHardLinks = true }.Check("notes.txt");

        Assert.False(strict.IsAllowed);
        Assert.Contains("2 hard links", strict.Reason, StringComparison.Ordinal);
        Assert.True(single.IsAllowed, single.Reason);
        Assert.True(new SandboxPathValidator(SandboxDir, "path").Check("hard.txt").IsAllowed);
    }

    [Fact]
    public void A_huge_path_is_echoed_capped()
    {
        string huge = "../" + new string('a', 1_000_000);

        PermissionDecision decision = new SandboxPathValidator(SandboxDir, "path").Check(huge);

        Assert.False(decision.IsAllowed);
        Assert.True(decision.Reason!.Length < 500, $"reason is {decision.Reason.Length} chars");
        Assert.Contains("(1000003 chars)", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trick")]
    [InlineData("hop2/outside/secret.txt")]
    [InlineData("env_trick")]
    public async Task A_full_run_with_a_real_read_tool_never_shows_what_lies_outside(string path)
    {
        string environ = File.ReadAllText("/proc/self/environ");
        string someVariable = environ.Split('\0', StringSplitOptions.RemoveEmptyEntries).OrderByDescending(v => v.Length).First();
        using ScriptedChatClient model = new ScriptedChatClient()
            .ReplyToolCall("read_file", new { path })
            .ReplyToolCall("read_file", new { path = "notes.txt" })
            .ReplyText("done");

        RunResult result = await Executor(model).RunAsync(new RunRequest(Agent("read_file"), "read it")).WaitAsync(TimeSpan.FromSeconds(60));

        string transcript = Transcript(result);
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.DoesNotContain(Secret, transcript, StringComparison.Ordinal);
        Assert.DoesNotContain(someVariable, transcript, StringComparison.Ordinal);
        Assert.Contains("symbolic link", transcript, StringComparison.Ordinal);
        Assert.Contains("inside", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_run_reading_a_fifo_is_refused_instead_of_hanging()
    {
        Run("mkfifo", Path.Combine(SandboxDir, "pipe"));
        using ScriptedChatClient model = new ScriptedChatClient()
            .ReplyToolCall("read_file", new { path = "pipe" })
            .ReplyText("done");

        // Why: before the fix the tool blocked in File.ReadAllText forever; the wait only bounds a regression.
        RunResult result = await Executor(model).RunAsync(new RunRequest(Agent("read_file"), "read the pipe")).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Contains("FIFO", Transcript(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_run_with_a_write_tool_creates_nothing_outside_through_a_dangling_link()
    {
        using ScriptedChatClient model = new ScriptedChatClient()
            .ReplyToolCall("write_file", new { path = "dangling", content = "pwned" })
            .ReplyToolCall("write_file", new { path = "dangling_inside", content = "fine" })
            .ReplyText("done");

        RunResult result = await Executor(model).RunAsync(new RunRequest(Agent("write_file"), "write")).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.False(File.Exists(OutsideCreated));
        Assert.Equal("fine", File.ReadAllText(Path.Combine(SandboxDir, "real", "created-later.txt")));
    }

    private static RunnableAgent Agent(string tool) => new("files") { Tools = [tool], MaxIterations = 5 };

    private static string Transcript(RunResult result)
    {
        StringBuilder text = new();
        foreach (AIContent content in result.Messages.SelectMany(m => m.Contents))
        {
            text.AppendLine(content switch
            {
                TextContent t => t.Text,
                FunctionResultContent r => r.Result?.ToString(),
                FunctionCallContent c => c.Name,
                _ => content.ToString(),
            });
        }

        return text.Append(result.Text).ToString();
    }

    private static void Run(string program, params string[] arguments)
    {
        ProcessStartInfo start = new(program) { RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
    }

    private void Link(string name, string target) => File.CreateSymbolicLink(Path.Combine(SandboxDir, name), target);

    private Executor Executor(IChatClient model)
    {
        ToolRegistry registry = new();
        string root = SandboxDir;
        registry.Register(
            AIFunctionFactory.Create((string path) => File.ReadAllText(Path.Combine(root, path)), "read_file", "Reads a text file."),
            new ToolMetadata { Validators = [new SandboxPathValidator(root, "path")] });
        registry.Register(
            AIFunctionFactory.Create(
                (string path, string content) =>
                {
                    File.WriteAllText(Path.Combine(root, path), content);
                    return "written";
                },
                "write_file",
                "Writes a text file."),
            new ToolMetadata { Validators = [new SandboxPathValidator(root, "path")] });
        return new Executor(new FixedModelResolver(model), registry);
    }
}
