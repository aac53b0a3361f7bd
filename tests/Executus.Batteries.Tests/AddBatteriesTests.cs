using Executus;
using Executus.Auditing;
using Executus.Batteries;
using Executus.Batteries.Audit;
using Executus.Batteries.Budget;
using Executus.Checkpoints;
using Executus.Configuration;
using Executus.Identity;
using Executus.Personas;
using Executus.Runs;
using Executus.Skills;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Executus.Batteries.Tests;

public sealed class AddBatteriesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "executus-batteries-" + Guid.NewGuid().ToString("N"));

    public AddBatteriesTests()
    {
        BatteryFolders.WriteHelperPersona(_dir, "clock, load_skill, read_skill_resource");
        Directory.CreateDirectory(Path.Combine(_dir, "skills", "greeting"));
        File.WriteAllText(Path.Combine(_dir, "skills", "greeting", "SKILL.md"), """
            ---
            name: greeting
            description: Greets people warmly.
            ---
            Say hello.
            """);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly CallerIdentity Member = new("ann", "Ann", "acme", roles: ["member"]);

    private ServiceProvider Build(InMemoryConfigSource config, ScriptedChatClient model, Action<BatteriesBuilder>? more = null)
    {
        var services = new ServiceCollection();
        config.Set("Executus:Budget:Prices:Fallback:Input", "0");
        config.Set("Executus:Budget:Prices:Fallback:Output", "0");
        BatteriesBuilder batteries = services.AddExecutus()
            .UseConfigSource(config)
            .UseChatClient(model)
            .AddTool(AIFunctionFactory.Create(() => "12:00", "clock", "The time."))
            .AddBatteries()
            .AddPersonasFrom(Path.Combine(_dir, "personas"))
            .AddSkillsFrom(Path.Combine(_dir, "skills"));
        more?.Invoke(batteries);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Zero_wiring_plugs_every_battery_into_the_ports_and_a_run_is_audited_and_charged()
    {
        using var model = new ScriptedChatClient();
        model.ReplyToolCall("load_skill", new { name = "greeting" }, usage: new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 })
            .ReplyText("Hello!", new UsageDetails { InputTokenCount = 20, OutputTokenCount = 3, TotalTokenCount = 23 });
        await using ServiceProvider provider = Build(new InMemoryConfigSource(), model);

        BatteriesOptions options = provider.ValidateBatteries();
        Assert.True(options.Budget && options.Audit && options.Checkpoint && options.Persona && options.Skill && options.Schedule && options.Critic);
        Assert.IsType<Executus.Critics.TimeoutCritic>(provider.GetRequiredService<ICritic>());
        Assert.NotNull(provider.GetRequiredService<Executus.Schedules.ScheduleRunner>());
        Assert.IsType<LedgerBudget>(provider.GetRequiredService<IBudget>());
        Assert.IsType<AuditWriter>(provider.GetRequiredService<IAudit>());
        Assert.IsType<StoreCheckpointer>(provider.GetRequiredService<ICheckpointer>());
        Assert.IsType<PersonaCatalog>(provider.GetRequiredService<IAgentCatalog>());

        RunnableAgent? agent = await provider.GetRequiredService<BatteryAgentFactory>().CreateAsync("helper", Member);
        Assert.NotNull(agent);
        Assert.Contains("greeting", agent.Instructions, StringComparison.Ordinal);
        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(agent, "hi") { Caller = Member });
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Contains(result.Messages, m => m.Contents.OfType<FunctionResultContent>().Any(r => r.Result?.ToString()?.Contains("Say hello", StringComparison.Ordinal) == true));

        await provider.GetRequiredService<AuditWriter>().FlushAsync();
        AuditPage page = await provider.GetRequiredService<IAuditStore>().QueryAsync(new AuditQuery { RunId = result.RunId });
        Assert.Contains(page.Records, r => r.Kind == AuditEventKind.SkillLoaded);
        Assert.Contains(page.Records, r => r.Kind == AuditEventKind.RunFinished);
        BudgetAmount spent = await provider.GetRequiredService<IBudgetStore>().GetSpendAsync(BudgetScopeKey.Caller("ann"), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal(38, spent.Tokens);
    }

    [Fact]
    public async Task Persona_access_is_checked_for_the_caller()
    {
        using var model = new ScriptedChatClient();
        await using ServiceProvider provider = Build(new InMemoryConfigSource(), model);
        BatteryAgentFactory factory = provider.GetRequiredService<BatteryAgentFactory>();
        await Assert.ThrowsAsync<PersonaAccessDeniedException>(async () => await factory.CreateAsync("helper", new CallerIdentity("bob", "Bob")));
        Assert.Null(await factory.CreateAsync("nobody", Member));
    }

    [Fact]
    public async Task Each_battery_switches_off_by_config()
    {
        using var model = new ScriptedChatClient();
        model.ReplyToolCall("load_skill", new { name = "greeting" }).ReplyText("done");
        var config = new InMemoryConfigSource();
        foreach (string name in (string[])["Budget", "Audit", "Checkpoint", "Persona", "Skill", "Schedule", "Critic"])
        {
            config.Set($"Executus:Batteries:{name}:Enabled", "false");
        }

        await using ServiceProvider provider = Build(config, model, b => b.AddAgent(new RunnableAgent("plain") { Tools = ["clock", "load_skill"] }));
        BatteriesOptions options = provider.ValidateBatteries();
        Assert.False(options.Budget || options.Audit || options.Checkpoint || options.Persona || options.Skill || options.Schedule || options.Critic);
        Assert.Same(NullCritic.Instance, provider.GetRequiredService<ICritic>());
        Assert.Same(NullBudget.Instance, provider.GetRequiredService<IBudget>());
        Assert.Same(NullAudit.Instance, provider.GetRequiredService<IAudit>());
        Assert.Same(NullCheckpointer.Instance, provider.GetRequiredService<ICheckpointer>());
        Assert.IsNotType<PersonaCatalog>(provider.GetRequiredService<IAgentCatalog>());

        BatteryAgentFactory factory = provider.GetRequiredService<BatteryAgentFactory>();
        Assert.Null(await factory.CreateAsync("helper", Member)); // personas are off
        RunnableAgent agent = (await factory.CreateAsync("plain", Member))!;
        Assert.DoesNotContain("greeting", agent.Instructions ?? "", StringComparison.Ordinal); // no skills catalog
        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(agent, "hi") { Caller = Member });
        FunctionResultContent denied = result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        Assert.Contains("Executus:Batteries:Skill:Enabled=false", denied.Result?.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Executus:Batteries:Audit:Enabled", "maybe")]
    [InlineData("Executus:Budget:Window", "-3d")]
    [InlineData("Executus:Budget:Scopes", "planet")]
    [InlineData("Executus:Audit:Capacity", "lots")]
    [InlineData("Executus:Checkpoint:Recovery:Policy", "Pray")]
    [InlineData("Executus:Batteries:Schedule:Enabled", "sometimes")]
    [InlineData("Executus:Schedule:ShutdownTimeout", "soon")]
    [InlineData("Executus:Critic:SoftDeadline", "later")]
    [InlineData("Executus:Schedule:Skills:SyncInterval", "0s")]
    [InlineData("Executus:Schedule:Skills:Enabled", "perhaps")]
    public async Task A_misconfigured_battery_fails_the_host_start_naming_the_key(string key, string value)
    {
        var config = new InMemoryConfigSource();
        config.Set(key, value);
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddExecutus().UseConfigSource(config).AddBatteries();
        using IHost host = builder.Build();
        ConfigException error = await Assert.ThrowsAsync<ConfigException>(() => host.StartAsync());
        Assert.Equal(key, error.Key);
    }

    [Fact]
    public async Task A_well_configured_host_starts_and_recovery_runs_at_start()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddExecutus().UseConfigSource(new InMemoryConfigSource()).AddBatteries();
        using IHost host = builder.Build();
        await host.StartAsync();
        Assert.NotNull(host.Services.GetRequiredService<InterruptedRunRecovery>().LastReport);
        await host.StopAsync();
    }

    [Fact]
    public async Task Stores_and_ports_are_replaceable()
    {
        var store = new InMemoryAuditStore(new AuditRetention(TimeSpan.FromDays(1), 10));
        var budget = new RecordingBudget();
        var services = new ServiceCollection();
        services.AddSingleton<IAuditStore>(store); // before AddBatteries: TryAdd keeps it
        services.AddExecutus().UseConfigSource(new InMemoryConfigSource()).AddBatteries().UseBudget(budget); // after: replaces
        await using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Same(budget, provider.GetRequiredService<IBudget>());
        Assert.Same(store, provider.GetRequiredService<IAuditStore>());
    }

    [Fact]
    public void AddBatteries_twice_is_refused()
    {
        var services = new ServiceCollection();
        IExecutusBuilder builder = services.AddExecutus().AddBatteries();
        Assert.Throws<InvalidOperationException>(() => builder.AddBatteries());
    }

    private sealed class RecordingBudget : IBudget
    {
        public ValueTask<BudgetDecision> CheckAsync(BudgetCheck check, CancellationToken cancellationToken = default) => ValueTask.FromResult(BudgetDecision.Allow);

        public ValueTask SettleAsync(BudgetCharge charge, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
