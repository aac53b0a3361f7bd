using System.Diagnostics;
using Executus.Skills;

namespace Executus.Contrib.PostgreSql.Tests;

// Two hosts (two data sources) on one schema: a change made through one is seen by the other.
public sealed class ChangeFeedTests
{
    private static readonly TimeSpan NoPollingSoon = TimeSpan.FromHours(1);

    [Fact]
    public async Task A_setting_changed_on_one_host_is_seen_by_another_at_once_through_LISTEN_NOTIFY()
    {
        using var schema = new TestSchema(new PostgreSqlDatabaseOptions { ChangePollInterval = NoPollingSoon });
        PostgreSqlDatabase hostA = schema.Database;
        PostgreSqlDatabase hostB = schema.NewHost();
        await using var feedB = new PostgreSqlChangeFeed(hostB);
        using var settingsA = new PostgreSqlConfigSource(hostA);
        using var settingsB = new PostgreSqlConfigSource(hostB, feedB);
        await feedB.WaitUntilListeningAsync();

        await settingsA.SetAsync("Executus:Runs:DefaultTimeout", "30s");
        Assert.Equal("30s", await WaitForAsync(settingsB, "Executus:Runs:DefaultTimeout", "30s"));
        await settingsA.SetAsync("executus:runs:defaulttimeout", "2m");
        Assert.Equal("2m", await WaitForAsync(settingsB, "Executus:Runs:DefaultTimeout", "2m"));
        await settingsA.SetAsync("Executus:Runs:DefaultTimeout", null);
        Assert.Null(await WaitForAsync(settingsB, "Executus:Runs:DefaultTimeout", null));
    }

    [Fact]
    public async Task A_skill_activation_on_one_host_is_notified_to_another_at_once()
    {
        using var schema = new TestSchema(new PostgreSqlDatabaseOptions { ChangePollInterval = NoPollingSoon });
        var storeA = new PostgreSqlSkillStore(schema.Database);
        PostgreSqlDatabase hostB = schema.NewHost();
        var storeB = new PostgreSqlSkillStore(hostB);
        await storeA.SaveAsync("acme", new Skill("summarize", "Summarizes.") { Body = "v1" });
        await storeA.SaveAsync("acme", new Skill("summarize", "Summarizes better.") { Body = "v2" });

        await using var feedB = new PostgreSqlChangeFeed(hostB);
        var seen = new TaskCompletionSource<PostgreSqlChangeEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        feedB.Changed += (_, change) =>
        {
            if (change.Kind == PostgreSqlChangeEventArgs.SkillKind)
            {
                seen.TrySetResult(change);
            }
        };
        await feedB.WaitUntilListeningAsync();

        await storeA.SetActiveVersionAsync("acme", "summarize", 2);
        PostgreSqlChangeEventArgs notified = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("acme/summarize", notified.Key);
        Assert.Equal("v2", (await storeB.GetAsync("acme", "summarize"))?.Skill.Body);
    }

    [Fact]
    public async Task Without_listening_changes_arrive_by_the_fallback_poll()
    {
        var options = new PostgreSqlDatabaseOptions { ListenForChanges = false, ChangePollInterval = TimeSpan.FromMilliseconds(100) };
        using var schema = new TestSchema(options);
        PostgreSqlDatabase hostB = schema.NewHost();
        await using var feedB = new PostgreSqlChangeFeed(hostB);
        using var settingsA = new PostgreSqlConfigSource(schema.Database);
        using var settingsB = new PostgreSqlConfigSource(hostB, feedB);
        Assert.False(settingsB.TryGet("k", out _));
        Assert.False(feedB.IsListening);

        await settingsA.SetAsync("k", "polled");
        Assert.Equal("polled", await WaitForAsync(settingsB, "k", "polled"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => feedB.WaitUntilListeningAsync());
    }

    [Fact]
    public async Task Another_schemas_changes_are_ignored()
    {
        using var mine = new TestSchema(new PostgreSqlDatabaseOptions { ChangePollInterval = NoPollingSoon });
        using var other = new TestSchema();
        await using var feed = new PostgreSqlChangeFeed(mine.Database);
        var kinds = new List<string>();
        feed.Changed += (_, change) =>
        {
            lock (kinds)
            {
                kinds.Add(change.Kind + ":" + change.Key);
            }
        };
        await feed.WaitUntilListeningAsync();

        await new PostgreSqlConfigSource(other.Database).SetAsync("theirs", "1");
        await new PostgreSqlConfigSource(mine.Database).SetAsync("ours", "1");
        await WaitUntilAsync(() => { lock (kinds) { return kinds.Contains("setting:ours"); } });
        lock (kinds)
        {
            Assert.DoesNotContain("setting:theirs", kinds);
        }
    }

    private static async Task<string?> WaitForAsync(PostgreSqlConfigSource source, string key, string? expected)
    {
        string? value = null;
        await WaitUntilAsync(() => (source.TryGet(key, out value) ? value : null) == expected);
        return value;
    }

    // Why: a notification arrives asynchronously; bounded (10 s) so a missing one fails rather than hangs.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the change was not seen within 10 s");
            await Task.Delay(5);
        }
    }
}
