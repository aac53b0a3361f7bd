using Executus.Identity;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Critics.Tests;

/// <summary>The README's example (critic-readme), its output asserted.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_readme_example_continues_before_the_soft_deadline_and_escalates_a_loop()
    {
        var critic = new TimeoutCritic(new RuleBasedReviewer(), options: new CriticOptions { SoftDeadline = TimeSpan.FromMinutes(2) });
        List<ChatMessage> messages = [new(ChatRole.User, "Find the cause of last night's outage.")];
        for (int i = 0; i < 3; i++)
        {
            messages.Add(new(ChatRole.Assistant, [new FunctionCallContent($"c{i}", "search_logs", new Dictionary<string, object?> { ["query"] = "timeout" })]));
            messages.Add(new(ChatRole.Tool, [new FunctionResultContent($"c{i}", "no match")]));
        }

        CriticReview At(double minutes) => new("run-1", new RunnableAgent("investigator"), CallerIdentity.Anonymous, 3,
            TimeSpan.FromMinutes(minutes), Timeout.InfiniteTimeSpan, messages);

        Assert.Equal("Continue", (await critic.ReviewAsync(At(1))).Kind.ToString());
        CriticVerdict verdict = await critic.ReviewAsync(At(2));
        Assert.Equal("Escalate: No progress: the tool 'search_logs' was called 3 times with the same arguments in the last 3 calls.", $"{verdict.Kind}: {verdict.Reason}");
    }

    [Fact]
    public void Configuration_keys_are_read()
    {
        CriticOptions options = CriticOptions.FromConfig(new Executus.Configuration.InMemoryConfigSource([
            new("Executus:Critic:HardDeadline", "infinite"),
            new("Executus:Critic:ReviewInterval", "30s"),
            new("Executus:Critic:MaxExtensions", "4"),
        ]));

        Assert.Null(options.HardDeadline);
        Assert.Equal((TimeSpan.FromSeconds(30), 4), (options.ReviewInterval, options.MaxExtensions));
    }
}
