using Executus.Configuration;
using Microsoft.Extensions.Configuration;

namespace Executus.Core.Tests.Configuration;

public class ConfigSourceTests
{
    [Fact]
    public void Composite_first_hit_wins_and_falls_through()
    {
        var high = new InMemoryConfigSource([new("A", "high")]);
        var low = new InMemoryConfigSource([new("A", "low"), new("B", "low")]);
        var composite = new CompositeConfigSource(high, low);

        Assert.Equal("high", composite.GetString("A"));
        Assert.Equal("low", composite.GetString("B"));
        Assert.False(composite.TryGet("C", out _));
    }

    [Fact]
    public void Composite_rejects_null_sources() =>
        Assert.Throws<ArgumentException>(() => new CompositeConfigSource(new InMemoryConfigSource(), null!));

    [Fact]
    public void InMemory_keys_are_case_insensitive()
    {
        var source = new InMemoryConfigSource([new("Executus:X", "1")]);
        Assert.True(source.TryGet("executus:x", out string? value));
        Assert.Equal("1", value);
    }

    [Fact]
    public void Environment_maps_colons_to_double_underscores_case_insensitively()
    {
        string name = "Executus__Test__" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name.ToUpperInvariant(), "30s");
        try
        {
            string key = name.Replace("__", ":", StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(30), EnvironmentConfigSource.Instance.GetDuration(key, TimeSpan.Zero));
            Assert.Equal(TimeSpan.FromSeconds(30), EnvironmentConfigSource.Instance.GetDuration(key.ToLowerInvariant(), TimeSpan.Zero));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name.ToUpperInvariant(), null);
        }
    }

    [Fact]
    public void Environment_reads_at_use()
    {
        string name = "Executus__Live__" + Guid.NewGuid().ToString("N");
        string key = name.Replace("__", ":", StringComparison.Ordinal);
        Assert.False(EnvironmentConfigSource.Instance.TryGet(key, out _));
        Environment.SetEnvironmentVariable(name, "5");
        try
        {
            Assert.Equal(5, EnvironmentConfigSource.Instance.GetInt(key, 0));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Configuration_bridge_reads_values_and_arrays_live()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([
                new("Executus:Lanes:a:MaxConcurrency", "4"),
                new("Executus:Models:Tiers:smart:0", "openai:gpt-4.1"),
                new("Executus:Models:Tiers:smart:1", "ollama:qwen3"),
                new("Executus:Models:Sub:x", "1"),
            ])
            .Build();
        var source = new ConfigurationConfigSource(configuration);

        Assert.Equal(4, source.GetInt("Executus:Lanes:a:MaxConcurrency", 0));
        Assert.Equal(["openai:gpt-4.1", "ollama:qwen3"], source.GetList("Executus:Models:Tiers:smart"));
        Assert.False(source.TryGet("Executus:Models:Sub", out _), "a section of named children is not a list");

        configuration["Executus:Lanes:a:MaxConcurrency"] = "8";
        Assert.Equal(8, source.GetInt("Executus:Lanes:a:MaxConcurrency", 0));
    }
}
