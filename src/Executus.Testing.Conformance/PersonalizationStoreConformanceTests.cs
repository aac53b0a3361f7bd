using Executus.Identity;
using Executus.Personas;
using Xunit;

namespace Executus.Testing.Conformance;

/// <summary>
/// The behaviour every <see cref="IPersonalizationStore"/> must have. Inherit it and return a fresh, empty store from
/// <see cref="CreateStore"/>.
/// </summary>
public abstract class PersonalizationStoreConformanceTests
{
    /// <summary>Creates a new, empty store for one test.</summary>
    /// <returns>The store.</returns>
    protected abstract IPersonalizationStore CreateStore();

    /// <summary>Set, replace, read ordered by key, and remove.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Entries_are_set_replaced_read_in_key_order_and_removed()
    {
        IPersonalizationStore store = CreateStore();
        CallerIdentity alice = new("alice", tenantKey: "t1");
        await store.SetAsync(alice, "helper", "nickname", "Al");
        await store.SetAsync(alice, "helper", "language", "en");
        await store.SetAsync(alice, "helper", "language", "fr");

        IReadOnlyDictionary<string, string> entries = await store.GetAsync(alice, "HELPER");
        Assert.Equal(["language", "nickname"], entries.Keys);
        Assert.Equal("fr", entries["language"]);

        Assert.True(await store.RemoveAsync(alice, "helper", "nickname"));
        Assert.False(await store.RemoveAsync(alice, "helper", "nickname"));
        Assert.Equal(["language"], (await store.GetAsync(alice, "helper")).Keys);
    }

    /// <summary>Entries are per tenant, per caller and per persona.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Entries_are_kept_per_tenant_caller_and_persona()
    {
        IPersonalizationStore store = CreateStore();
        await store.SetAsync(new CallerIdentity("alice", tenantKey: "t1"), "helper", "language", "fr");

        Assert.Empty(await store.GetAsync(new CallerIdentity("alice", tenantKey: "t2"), "helper"));
        Assert.Empty(await store.GetAsync(new CallerIdentity("bob", tenantKey: "t1"), "helper"));
        Assert.Empty(await store.GetAsync(new CallerIdentity("alice", tenantKey: "t1"), "other"));
    }

    /// <summary>The anonymous caller has no personalization.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task The_anonymous_caller_has_none_and_cannot_write()
    {
        IPersonalizationStore store = CreateStore();

        Assert.Empty(await store.GetAsync(CallerIdentity.Anonymous, "helper"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SetAsync(CallerIdentity.Anonymous, "helper", "k", "v"));
    }
}
