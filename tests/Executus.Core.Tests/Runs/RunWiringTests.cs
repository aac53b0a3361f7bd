using Executus.Auditing;
using Executus.Configuration;
using Executus.Deliver;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Core.Tests.Runs;

/// <summary>The run kernel as <c>AddExecutus()</c> wires it, observed through real runs.</summary>
public class RunWiringTests
{
    private static readonly RunnableAgent Agent = new("wired") { Tools = ["whoami", "attach"] };

    private static ServiceProvider Build(ScriptedChatClient model, InMemoryConfigSource? config = null, Action<IExecutusBuilder>? configure = null, Action<Executus.ExecutusOptions>? options = null)
    {
        var services = new ServiceCollection();
        IExecutusBuilder builder = services.AddExecutus(options)
            .UseConfigSource(config ?? new InMemoryConfigSource())
            .UseChatClient(model)
            .AddTool(AIFunctionFactory.Create(() => RunContext.Current!.Caller.Id, "whoami"))
            .AddTool(AIFunctionFactory.Create(
                (int count) =>
                {
                    for (int i = 0; i < count; i++)
                    {
                        RunContext.Current!.Attachments.Add(new DataContent(new byte[] { (byte)i }, "image/png") { Name = $"f{i}.png" });
                    }

                    return "attached";
                },
                "attach"));
        configure?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task The_caller_is_resolved_from_the_request_context_when_the_request_names_none()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("whoami").ReplyText("done").ReplyToolCall("whoami").ReplyText("done");
        using ServiceProvider provider = Build(model, configure: b => b.UseCallerIdentityResolver(new HeaderResolver()));
        Executor executor = provider.GetRequiredService<Executor>();

        RunResult resolved = await executor.RunAsync(new RunRequest(Agent, "who?") { CallerContext = "user:42@acme" });
        RunResult named = await executor.RunAsync(new RunRequest(Agent, "who?") { Caller = new CallerIdentity("explicit"), CallerContext = "user:42@acme" });

        Assert.Equal("42", ToolResult(resolved));
        Assert.Equal("explicit", ToolResult(named));
    }

    [Fact]
    public async Task A_throwing_resolver_fails_the_run_closed()
    {
        using var model = new ScriptedChatClient().ReplyText("never");
        using ServiceProvider provider = Build(model, configure: b => b.UseCallerIdentityResolver(new HeaderResolver()));

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent, "who?") { CallerContext = "garbage" });

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.IsType<UnauthorizedAccessException>(result.Error);
        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task Attachment_limits_come_from_configuration_at_every_run()
    {
        using var model = new ScriptedChatClient()
            .ReplyToolCall("attach", new { count = 3 }).ReplyText("one")
            .ReplyToolCall("attach", new { count = 3 }).ReplyText("two");
        var config = new InMemoryConfigSource();
        config.Set("Executus:Attachments:MaxCount", "1");
        using ServiceProvider provider = Build(model, config);
        Executor executor = provider.GetRequiredService<Executor>();

        RunResult first = await executor.RunAsync(new RunRequest(Agent, "draw"));
        config.Set("Executus:Attachments:MaxCount", "3");
        RunResult second = await executor.RunAsync(new RunRequest(Agent, "draw"));

        Assert.Single(first.Attachments);
        Assert.Contains("attachment", ToolResult(first), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(3, second.Attachments.Count);
    }

    [Fact]
    public async Task Code_configured_attachment_limits_win_over_configuration()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("attach", new { count = 3 }).ReplyText("done");
        var config = new InMemoryConfigSource();
        config.Set("Executus:Attachments:MaxCount", "5");
        using ServiceProvider provider = Build(model, config, options: o => o.Attachments.MaxCount = 2);

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent, "draw"));

        Assert.Equal(2, result.Attachments.Count);
    }

    [Fact]
    public async Task Delivery_status_is_truthful()
    {
        using var model = new ScriptedChatClient().ReplyText("answer").ReplyText("answer");
        using ServiceProvider bare = Build(model);
        RunResult undelivered = await bare.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent, "q"));
        Assert.Equal(RunDeliveryStatus.NotDelivered, undelivered.Delivery);

        using ServiceProvider delivering = Build(model, configure: b => b.UseDelivery<CountingDelivery>());
        RunResult delivered = await delivering.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent, "q"));
        Assert.Equal(RunDeliveryStatus.Delivered, delivered.Delivery);
        Assert.Equal(1, delivering.GetRequiredService<IDelivery>() is CountingDelivery counting ? counting.Count : -1);
    }

    [Fact]
    public async Task Every_port_can_be_given_as_a_type_or_a_factory()
    {
        using var model = new ScriptedChatClient().ReplyToolCall("whoami").ReplyText("done");
        var budget = new RecordingBudget();
        var checkpoints = new RecordingCheckpointer();
        var critic = new ScriptedCritic(_ => CriticVerdict.Continue);
        using ServiceProvider provider = Build(model, configure: b => b
            .UseBudget(_ => budget)
            .UseAudit<RecordingAudit>()
            .UseCheckpointer(_ => checkpoints)
            .UseCritic(_ => critic)
            .UsePaletteSource<AllowAllPaletteSource2>()
            .UseDelivery(_ => new CountingDelivery())
            .AddRunObserver<RecordingObserver>()
            .AddRunObserver<RecordingObserver>()
            .AddRunObserver(_ => new RecordingObserver()));
        Executor executor = provider.GetRequiredService<Executor>();

        RunResult result = await executor.RunAsync(new RunRequest(Agent, "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(2, budget.Checks.Count);
        Assert.Contains(AuditEventKind.ToolCall, ((RecordingAudit)provider.GetRequiredService<IAudit>()).Kinds);
        Assert.Equal(["save 1", "complete"], checkpoints.Log);
        Assert.Equal(2, critic.Reviews.Count);
        Assert.True(provider.GetRequiredService<IPaletteSource>() is AllowAllPaletteSource2 { Calls: > 0 });
        Assert.Equal(RunDeliveryStatus.Delivered, result.Delivery);
        Assert.Equal(2, executor.Ports.Observers.Count);
        Assert.All(executor.Ports.Observers, o => Assert.NotEmpty(((RecordingObserver)o).Events));
    }

    [Fact]
    public void The_executor_uses_the_containers_one_toolbox_factory()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Build(model);
        Assert.Same(provider.GetRequiredService<ToolboxFactory>(), provider.GetRequiredService<Executor>().Toolboxes);
    }

    private static string ToolResult(RunResult result) =>
        result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().First().Result?.ToString() ?? string.Empty;

    private sealed class HeaderResolver : ICallerIdentityResolver
    {
        public ValueTask<CallerIdentity> ResolveAsync(CallerResolutionContext context, CancellationToken cancellationToken = default)
        {
            // A host's resolver: "user:<id>@<tenant>" in the request context.
            if (context.Context is string header && header.StartsWith("user:", StringComparison.Ordinal) && header.Split('@') is [var user, var tenant])
            {
                return ValueTask.FromResult(new CallerIdentity(user["user:".Length..], tenantKey: tenant));
            }

            throw new UnauthorizedAccessException("No caller in the request.");
        }
    }

    private sealed class CountingDelivery : IDelivery
    {
        private int _count;

        public int Count => _count;

        public ValueTask DeliverAsync(Delivery delivery, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class AllowAllPaletteSource2 : IPaletteSource
    {
        private int _calls;

        public int Calls => _calls;

        public ValueTask<PermissionDecision> CheckAsync(string agentName, RegisteredTool tool, CallerIdentity caller, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(PermissionDecision.Allow);
        }
    }
}
