using Executus.Tools;
using Xunit;

namespace Executus.Testing.Conformance.KeyValue;

/// <summary>
/// The behaviour every <see cref="IKeyValueStore"/> (the memory tools' store) must have. Derive a test class, implement
/// <see cref="CreateStoreAsync"/> to return a new, empty store, and every case runs against it.
/// </summary>
public abstract class KeyValueStoreConformanceTests
{
    /// <summary>Creates a new, empty store for one case.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IKeyValueStore> CreateStoreAsync();

    /// <summary>Checks set, get, overwrite and delete.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Values_are_set_read_replaced_and_deleted()
    {
        IKeyValueStore store = await CreateStoreAsync();
        Assert.Null(await store.GetAsync("s", "k"));
        await store.SetAsync("s", "k", "one");
        Assert.Equal("one", await store.GetAsync("s", "k"));
        await store.SetAsync("s", "k", "two");
        Assert.Equal("two", await store.GetAsync("s", "k"));
        Assert.True(await store.DeleteAsync("s", "k"));
        Assert.False(await store.DeleteAsync("s", "k"));
        Assert.Null(await store.GetAsync("s", "k"));
    }

    /// <summary>Checks scopes never see each other's keys.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Scopes_are_independent()
    {
        IKeyValueStore store = await CreateStoreAsync();
        await store.SetAsync("t=a/c=1", "k", "a");
        await store.SetAsync("t=b/c=1", "k", "b");

        Assert.Equal("a", await store.GetAsync("t=a/c=1", "k"));
        Assert.Equal("b", await store.GetAsync("t=b/c=1", "k"));
        Assert.True(await store.DeleteAsync("t=a/c=1", "k"));
        Assert.Equal("b", await store.GetAsync("t=b/c=1", "k"));
        Assert.Empty(await store.ListAsync("t=c/c=1"));
    }

    /// <summary>Checks listing is ordinal-ordered and the prefix is exact (case-sensitive, no wildcards).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task List_is_ordered_and_the_prefix_is_exact()
    {
        IKeyValueStore store = await CreateStoreAsync();
        foreach (string key in new[] { "note/b", "note/a", "Note/c", "note%x", "note_y", "other" })
        {
            await store.SetAsync("s", key, "v");
        }

        Assert.Equal(["Note/c", "note%x", "note/a", "note/b", "note_y", "other"], await store.ListAsync("s"));
        Assert.Equal(["note/a", "note/b"], await store.ListAsync("s", "note/"));
        Assert.Equal(["note%x"], await store.ListAsync("s", "note%"));
        Assert.Empty(await store.ListAsync("s", "NOTE/"));
    }

    /// <summary>Checks unicode, empty and large values, and keys that look like SQL, come back unchanged.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Unicode_empty_and_large_values_round_trip()
    {
        IKeyValueStore store = await CreateStoreAsync();
        string large = string.Concat(Enumerable.Repeat("0123456789abcdef", 64 * 1024));
        await store.SetAsync("ünï/😀", "ключ'; DROP TABLE x; --", "值 🎉 \u0000 end");
        await store.SetAsync("s", "empty", string.Empty);
        await store.SetAsync("s", "large", large);

        Assert.Equal("值 🎉 \u0000 end", await store.GetAsync("ünï/😀", "ключ'; DROP TABLE x; --"));
        Assert.Equal(string.Empty, await store.GetAsync("s", "empty"));
        Assert.Equal(large, await store.GetAsync("s", "large"));
    }

    /// <summary>Checks parallel writers of distinct keys all land, and the last write of one key wins whole.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Parallel_writers_lose_nothing()
    {
        IKeyValueStore store = await CreateStoreAsync();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 25; i++)
            {
                await store.SetAsync("s", $"w{w}-{i:D2}", $"{w}:{i}");
                await store.SetAsync("s", "shared", $"writer {w}");
            }
        })));

        IReadOnlyList<string> keys = await store.ListAsync("s", "w");
        Assert.Equal(200, keys.Count);
        Assert.Equal("3:7", await store.GetAsync("s", "w3-07"));
        Assert.Matches("^writer [0-7]$", await store.GetAsync("s", "shared"));
    }

    /// <summary>Checks null arguments are refused.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Null_arguments_are_refused()
    {
        IKeyValueStore store = await CreateStoreAsync();
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.SetAsync(null!, "k", "v"));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.SetAsync("s", null!, "v"));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.SetAsync("s", "k", null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.GetAsync("s", null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.ListAsync(null!));
    }
}
