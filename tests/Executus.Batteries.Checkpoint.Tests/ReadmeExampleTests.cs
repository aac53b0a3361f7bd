using Executus.Checkpoints;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Executus.Batteries.Checkpoint.Tests;

/// <summary>The README's example (checkpoint-readme), with a fake clock instead of a real shutdown timer.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public async Task The_readme_example_interrupts_and_resumes_a_run()
    {
        var time = new FakeTimeProvider();
        using var model = new ScriptedChatClient(timeProvider: time)
            .ReplyToolCall("add", new { a = 2, b = 3 })
            .ReplyText("2 + 3 = 5").WithDelay(TimeSpan.FromMinutes(5))
            .ReplyText("2 + 3 = 5");

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddExecutus()
            .UseChatClient(model)
            .AddTool(AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers."))
            .AddCheckpointing();
        using var provider = services.BuildServiceProvider();

        var agent = new RunnableAgent("calculator") { Tools = ["add"], MaxIterations = 5 };
        using var shutdown = new CancellationTokenSource();
        Task<RunResult> running = provider.GetRequiredService<Executor>().RunAsync(new RunRequest(agent, "What is 2 + 3?"), shutdown.Token);
        while (model.Requests.Count < 2)
        {
            await Task.Yield();
        }

        await shutdown.CancelAsync();
        RunResult interrupted = await running;
        Assert.Equal("Cancelled at iteration 1", $"{interrupted.Outcome} at iteration {interrupted.Iterations}");

        var recovery = provider.GetRequiredService<CheckpointRecovery>();
        CheckpointSummary run = Assert.Single((await recovery.ListInterruptedAsync()).Items);
        RunResult resumed = await recovery.ResumeAsync(run.RunId);
        Assert.Equal("Completed after 2 iterations: 2 + 3 = 5", $"{resumed.Outcome} after {resumed.Iterations} iterations: {resumed.Text}");
    }
}
