using Executus.Identity;
using Executus.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Tools.Tests;

public class MemoryToolsTests
{
    private static readonly CallerIdentity Alice = new("alice", tenantKey: "acme");
    private static readonly CallerIdentity Bob = new("bob", tenantKey: "acme");

    [Fact]
    public async Task Set_get_list_and_delete_round_trip()
    {
        var tools = new MemoryTools();
        string scope = tools.Scope(Alice, "helper");

        Assert.Equal("Remembered 'colour' (4 bytes).", await tools.SetAsync(scope, " colour ", "blue"));
        await tools.SetAsync(scope, "city", "Oslo");
        Assert.Equal("blue", await tools.GetAsync(scope, "colour"));
        Assert.Equal("2 key(s):\ncity\ncolour", await tools.ListAsync(scope));
        Assert.Equal("1 key(s):\ncity", await tools.ListAsync(scope, "ci"));
        Assert.Equal("Forgot 'colour'.", await tools.DeleteAsync(scope, "colour"));
        Assert.Equal("1 key(s):\ncity", await tools.ListAsync(scope));
        Assert.Equal("No keys start with 'x'.", await tools.ListAsync(scope, "x"));
    }

    [Fact]
    public async Task A_missing_key_is_a_readable_error_naming_the_known_keys()
    {
        var tools = new MemoryTools();
        string scope = tools.Scope(Alice, "helper");
        var empty = await Assert.ThrowsAsync<GenericToolException>(() => tools.GetAsync(scope, "nope"));
        Assert.Equal("no value is remembered under 'nope' (nothing is remembered yet)", empty.Message);

        await tools.SetAsync(scope, "a", "1");
        var missing = await Assert.ThrowsAsync<GenericToolException>(() => tools.DeleteAsync(scope, "b"));
        Assert.Equal("no value is remembered under 'b'. Remembered keys: a", missing.Message);
    }

    [Fact]
    public async Task Keys_and_values_are_size_limited()
    {
        var tools = new MemoryTools(options: new GenericToolsOptions { MaxKeyLength = 5, MaxValueBytes = 4, MaxKeysPerScope = 2 });
        string scope = tools.Scope(Alice, "helper");

        Assert.Contains("the key is 7 characters; the limit is 5", (await Assert.ThrowsAsync<GenericToolException>(() => tools.SetAsync(scope, "toolong", "x"))).Message, StringComparison.Ordinal);
        Assert.Contains("the key is empty", (await Assert.ThrowsAsync<GenericToolException>(() => tools.SetAsync(scope, "  ", "x"))).Message, StringComparison.Ordinal);
        Assert.Contains("control characters", (await Assert.ThrowsAsync<GenericToolException>(() => tools.SetAsync(scope, "a\u0001", "x"))).Message, StringComparison.Ordinal);
        Assert.Contains("the value is 6 bytes; the limit is 4 bytes", (await Assert.ThrowsAsync<GenericToolException>(() => tools.SetAsync(scope, "k", "ééé"))).Message, StringComparison.Ordinal);

        await tools.SetAsync(scope, "a", "1");
        await tools.SetAsync(scope, "b", "2");
        await tools.SetAsync(scope, "b", "3"); // replacing does not need room
        Assert.Contains("memory is full (2 of 2 keys)", (await Assert.ThrowsAsync<GenericToolException>(() => tools.SetAsync(scope, "c", "x"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scopes_keep_callers_tenants_and_agents_apart_and_cannot_collide()
    {
        var tools = new MemoryTools();
        string[] scopes =
        [
            tools.Scope(Alice, "helper"),
            tools.Scope(Bob, "helper"),
            tools.Scope(Alice, "other"),
            tools.Scope(new CallerIdentity("alice", tenantKey: "globex"), "helper"),
            tools.Scope(new CallerIdentity("alice"), "helper"),
            tools.Scope(new CallerIdentity("a/c=x"), "b"),
            tools.Scope(new CallerIdentity("a"), "x/a=b"),
        ];
        Assert.Equal(scopes.Length, scopes.Distinct(StringComparer.Ordinal).Count());

        var shared = new MemoryTools(options: new GenericToolsOptions { MemoryScope = MemoryScope.Tenant });
        Assert.Equal(shared.Scope(Alice, "helper"), shared.Scope(Bob, "helper"));
        Assert.NotEqual(shared.Scope(new CallerIdentity("carol"), "helper"), shared.Scope(new CallerIdentity("dave"), "helper"));
    }

    [Fact]
    public async Task Lone_surrogates_in_identities_give_distinct_scopes_and_separate_memories()
    {
        var tools = new MemoryTools();
        CallerIdentity[] callers = [new("u\uD800"), new("u\uDBFF"), new("u\uFFFD"), new("u!uD800"), new("u\uD83D\uDE00"), new("u\uDE00\uD83D")];
        string[] scopes = [.. callers.Select(c => tools.Scope(c, "helper"))];

        Assert.Equal(scopes.Length, scopes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(tools.Scope(new CallerIdentity("é/ü"), "a"), "t=/c=" + Uri.EscapeDataString("é/ü") + "/a=a"); // valid text keeps its old key
        for (int i = 0; i < callers.Length; i++)
        {
            await tools.SetAsync(scopes[i], "plan", $"plan of caller {i}");
        }

        for (int i = 0; i < callers.Length; i++)
        {
            Assert.Equal($"plan of caller {i}", await tools.GetAsync(tools.Scope(callers[i], "helper"), "plan"));
        }
    }

    [Fact]
    public async Task Through_runs_callers_never_see_each_others_keys()
    {
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model);

        string set = await Host.CallAsync(provider, model, GenericToolNames.MemorySet, new { key = "plan", value = "alice's secret plan" }, Alice);
        string own = await Host.CallAsync(provider, model, GenericToolNames.MemoryGet, new { key = "plan" }, Alice);
        string other = await Host.CallAsync(provider, model, GenericToolNames.MemoryGet, new { key = "plan" }, Bob);
        string otherList = await Host.CallAsync(provider, model, GenericToolNames.MemoryList, new { }, Bob);
        string otherAgent = await Host.CallAsync(provider, model, GenericToolNames.MemoryGet, new { key = "plan" }, Alice, agent: "someone-else");
        string deleted = await Host.CallAsync(provider, model, GenericToolNames.MemoryDelete, new { key = "plan" }, Bob);

        Assert.Equal("Remembered 'plan' (19 bytes).", set);
        Assert.Equal("alice's secret plan", own);
        Assert.Equal("Error: tool 'memory_get' failed: no value is remembered under 'plan' (nothing is remembered yet)", other);
        Assert.Equal("No keys are remembered.", otherList);
        Assert.StartsWith("Error: tool 'memory_get' failed: no value is remembered", otherAgent, StringComparison.Ordinal);
        Assert.StartsWith("Error: tool 'memory_delete' failed", deleted, StringComparison.Ordinal);
        Assert.Equal("alice's secret plan", await Host.CallAsync(provider, model, GenericToolNames.MemoryGet, new { key = "plan" }, Alice));
    }

    [Fact]
    public async Task A_host_store_replaces_the_in_memory_default()
    {
        var store = new InMemoryKeyValueStore();
        using var model = new ScriptedChatClient();
        using ServiceProvider provider = Host.Build(model, services: s => s.AddSingleton<IKeyValueStore>(store));

        await Host.CallAsync(provider, model, GenericToolNames.MemorySet, new { key = "k", value = "v" }, Alice);

        string scope = provider.GetRequiredService<MemoryTools>().Scope(Alice, "tester");
        Assert.Equal("v", await store.GetAsync(scope, "k"));
        Assert.False(await store.DeleteAsync("other-scope", "k"));
    }
}
