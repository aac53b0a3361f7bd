using Executus.Auditing;
using Executus.Batteries.Audit;
using Executus.Configuration;
using Executus.Identity;
using Executus.Runs;
using Executus.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Batteries.Audit.Tests;

public class AuditRunTests
{
    private static readonly UsageDetails Tokens = new() { InputTokenCount = 7, OutputTokenCount = 3, TotalTokenCount = 10 };
    private static readonly CallerIdentity Alice = new CallerIdentity("alice", "Alice").WithTenant("acme");

    private static ServiceProvider Build(IChatClient model, IAuditStore? store = null, Action<AuditWriterOptions>? configure = null, InMemoryConfigSource? config = null)
    {
        var services = new ServiceCollection();
        if (store is not null)
        {
            services.AddSingleton(store);
        }

        IExecutusBuilder builder = services.AddExecutus()
            .UseConfigSource(config ?? new InMemoryConfigSource())
            .UseChatClient(model)
            .AddTool(AIFunctionFactory.Create((string url, string api_key) => $"fetched {url}", "fetch"))
            .AddTool(AIFunctionFactory.Create(string () => throw new InvalidOperationException("disk full"), "broken"));
        builder.AddAudit(configure);
        return services.BuildServiceProvider();
    }

    private static RunnableAgent Agent => new("auditor") { Tools = ["fetch", "broken"] };

    private static ScriptedChatClient Script() => new ScriptedChatClient()
        .ReplyToolCall("fetch", new { url = "https://example.com", api_key = "sk-live-secret" }, usage: Tokens)
        .ReplyToolCall("broken", usage: Tokens)
        .ReplyText("done", Tokens);

    [Fact]
    public async Task AddAudit_replaces_the_audit_port_and_records_every_decision_of_a_run()
    {
        using ScriptedChatClient model = Script();
        await using ServiceProvider provider = Build(model);
        Assert.IsType<AuditWriter>(provider.GetRequiredService<IAudit>());

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent, "go") { Caller = Alice });
        await provider.GetRequiredService<AuditWriter>().FlushAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        IAuditStore store = provider.GetRequiredService<IAuditStore>();
        AuditPage page = await store.QueryAsync(new AuditQuery { RunId = result.RunId });
        AuditEventKind[] kinds = [.. page.Records.Select(r => r.Kind).Reverse()];
        Assert.Equal(AuditEventKind.RunStarted, kinds[0]);
        Assert.Equal(AuditEventKind.RunFinished, kinds[^1]);
        Assert.Equal(3, kinds.Count(k => k == AuditEventKind.ModelCall));
        Assert.Equal(2, kinds.Count(k => k == AuditEventKind.ToolCall));
        Assert.All(page.Records, r => Assert.Equal("acme", r.TenantKey));
        Assert.Equal("Completed", Assert.Single(page.Records, r => r.Kind == AuditEventKind.RunFinished).Outcome);

        // The secret in the tool's arguments never reaches the store; the rest of the arguments does.
        AuditRecord fetch = Assert.Single(page.Records, r => r.ToolName == "fetch");
        Assert.Equal(DefaultAuditRedactor.Mask, fetch.Event.Arguments!.Value.GetProperty("api_key").GetString());
        Assert.Equal("https://example.com", fetch.Event.Arguments!.Value.GetProperty("url").GetString());
        Assert.All(page.Records, r => Assert.DoesNotContain("sk-live-secret", System.Text.Json.JsonSerializer.Serialize(r.Event.Arguments), StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(1, page.Records.Count).Select(i => (long)i), page.Records.Select(r => r.Event.Sequence).Reverse());
        Assert.Equal(AuditOutcomes.Error, Assert.Single(page.Records, r => r.ToolName == "broken").Outcome);

        IReadOnlyList<ToolCallCounts> counts = await store.GetToolCountsAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal([new ToolCallCounts("broken", 1, 1, 0), new ToolCallCounts("fetch", 1, 0, 0)], counts);
    }

    [Fact]
    public async Task A_failing_store_never_fails_the_run_and_every_event_is_accounted_for()
    {
        using ScriptedChatClient model = Script();
        var store = new FailingAuditStore();
        await using ServiceProvider provider = Build(model, store, o => o.RetryDelay = TimeSpan.Zero);

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent, "go"));
        AuditWriter writer = provider.GetRequiredService<AuditWriter>();
        await writer.FlushAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("done", result.Text);
        AuditWriterStatistics stats = writer.Statistics;
        Assert.True(stats.Received >= 7, $"received {stats.Received}");
        Assert.Equal(stats.Received, stats.DroppedStoreFailed);
        Assert.Equal(0, stats.Queued);
    }

    [Fact]
    public async Task A_stuck_store_does_not_hold_the_run_and_its_events_are_written_once_it_recovers()
    {
        using ScriptedChatClient model = Script();
        var store = new GatedAuditStore();
        await using ServiceProvider provider = Build(model, store);

        RunResult result = await provider.GetRequiredService<Executor>().RunAsync(new RunRequest(Agent, "go"));

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        AuditWriter writer = provider.GetRequiredService<AuditWriter>();
        Assert.True(writer.Statistics.Queued > 0);
        store.Open();
        await writer.FlushAsync();
        AuditWriterStatistics stats = writer.Statistics;
        Assert.Equal(stats.Received, stats.Written);
        Assert.Equal((int)stats.Written, store.Inner.Count);
    }

    [Fact]
    public async Task Writer_and_store_settings_come_from_config_and_bad_values_name_the_key()
    {
        using var model = new ScriptedChatClient().ReplyText("hi");
        var config = new InMemoryConfigSource();
        config.Set("Executus:Audit:Retention:MaxCount", "2");
        await using (ServiceProvider provider = Build(model, config: config))
        {
            AuditWriter writer = provider.GetRequiredService<AuditWriter>();
            for (int i = 0; i < 5; i++)
            {
                await writer.RecordAsync(new AuditEvent(AuditEventKind.ModelCall, DateTimeOffset.UtcNow.AddSeconds(i)));
            }

            await writer.FlushAsync();
            Assert.Equal(2, ((InMemoryAuditStore)provider.GetRequiredService<IAuditStore>()).Count);
        }

        config.Set("Executus:Audit:Capacity", "-1");
        await using ServiceProvider bad = Build(model, config: config);
        ConfigException ex = Assert.Throws<ConfigException>(() => bad.GetRequiredService<IAudit>());
        Assert.Equal("Executus:Audit:Capacity", ex.Key);
    }

    [Theory]
    [InlineData("-1d")]
    [InlineData("0s")]
    public void A_non_positive_retention_age_is_a_config_error_quoting_what_was_written(string raw)
    {
        // Why: the store used to report the value as "0" whatever the operator wrote.
        using var model = new ScriptedChatClient();
        var config = new InMemoryConfigSource();
        config.Set("Executus:Audit:Retention:MaxAge", raw);
        using ServiceProvider provider = Build(model, config: config);
        ConfigException ex = Assert.Throws<ConfigException>(() => provider.GetRequiredService<IAuditStore>());
        Assert.Equal("Executus:Audit:Retention:MaxAge", ex.Key);
        Assert.Equal(raw, ex.Value);
    }

    [Fact]
    public void Retention_from_config_has_defaults_and_names_the_key_of_a_bad_count()
    {
        var config = new InMemoryConfigSource();
        Assert.Equal(new AuditRetention(TimeSpan.FromDays(30), 500), AuditRetention.FromConfig(config, 500));
        config.Set("Executus:Audit:Retention:MaxAge", "2h");
        config.Set("Executus:Audit:Retention:MaxCount", "0");
        ConfigException ex = Assert.Throws<ConfigException>(() => AuditRetention.FromConfig(config, 500));
        Assert.Equal(("Executus:Audit:Retention:MaxCount", "0"), (ex.Key, ex.Value));
        config.Set("Executus:Audit:Retention:MaxCount", "7");
        Assert.Equal(new AuditRetention(TimeSpan.FromHours(2), 7), AuditRetention.FromConfig(config, 500));
    }
}
