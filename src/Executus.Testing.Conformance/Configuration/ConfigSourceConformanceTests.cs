using Executus.Configuration;
using Xunit;

namespace Executus.Testing.Conformance.Configuration;

/// <summary>
/// The behaviour every writable <see cref="IConfigSource"/> must have: keys are case-insensitive, a missing key is a
/// miss (not an empty value), and a value changed at run time is seen by the very next read. Derive a test class and
/// implement <see cref="CreateSourceAsync"/> and <see cref="SetAsync"/>.
/// </summary>
public abstract class ConfigSourceConformanceTests
{
    /// <summary>Creates a new, empty source for one case.</summary>
    /// <returns>The source.</returns>
    protected abstract Task<IConfigSource> CreateSourceAsync();

    /// <summary>Sets (or removes, when <paramref name="value"/> is null) a key the way the source's owner does at run time.</summary>
    /// <param name="source">The source from <see cref="CreateSourceAsync"/>.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or null to remove it.</param>
    /// <returns>A task.</returns>
    protected abstract Task SetAsync(IConfigSource source, string key, string? value);

    /// <summary>Checks a set value is read, a missing one is a miss.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task A_set_value_is_read_and_a_missing_key_misses()
    {
        IConfigSource source = await CreateSourceAsync();
        Assert.False(source.TryGet("Executus:Runs:DefaultTimeout", out _));
        await SetAsync(source, "Executus:Runs:DefaultTimeout", "30s");

        Assert.True(source.TryGet("Executus:Runs:DefaultTimeout", out string? value));
        Assert.Equal("30s", value);
    }

    /// <summary>Checks keys are matched case-insensitively, like every Executus config source.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Keys_are_case_insensitive()
    {
        IConfigSource source = await CreateSourceAsync();
        await SetAsync(source, "Executus:Budget:Window", "7d");

        Assert.True(source.TryGet("EXECUTUS:budget:window", out string? value));
        Assert.Equal("7d", value);
    }

    /// <summary>Checks a change at run time, and a removal, are seen by the next read (no caching).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Changes_are_seen_at_the_next_read()
    {
        IConfigSource source = await CreateSourceAsync();
        await SetAsync(source, "k", "1");
        Assert.Equal("1", source.GetString("k"));
        await SetAsync(source, "k", "2");
        Assert.Equal("2", source.GetString("k"));
        await SetAsync(source, "k", null);
        Assert.False(source.TryGet("k", out _));
    }

    /// <summary>Checks unicode and large values round-trip, and typed reads work over the source.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Unicode_large_and_typed_values_round_trip()
    {
        IConfigSource source = await CreateSourceAsync();
        string large = new('x', 100_000);
        await SetAsync(source, "greeting", "héllo 世界 🌍");
        await SetAsync(source, "large", large);
        await SetAsync(source, "count", "42");

        Assert.Equal("héllo 世界 🌍", source.GetString("greeting"));
        Assert.Equal(large, source.GetString("large"));
        Assert.Equal(42, source.GetInt("count", 0));
        ConfigException error = Assert.Throws<ConfigException>(() => source.GetInt("greeting", 0));
        Assert.Contains("greeting", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Checks a blank key is refused.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task A_blank_key_is_refused()
    {
        IConfigSource source = await CreateSourceAsync();
        Assert.ThrowsAny<ArgumentException>(() => source.TryGet(" ", out _));
    }
}
