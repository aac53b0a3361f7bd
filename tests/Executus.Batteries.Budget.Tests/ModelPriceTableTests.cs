using Executus.Batteries.Budget;
using Executus.Configuration;

namespace Executus.Batteries.Budget.Tests;

public class ModelPriceTableTests
{
    [Fact]
    public void Reads_prices_per_provider_and_model_from_config()
    {
        var config = new InMemoryConfigSource();
        config.Set("Executus:Budget:Prices:openai:gpt-4o:Input", "2.50");
        config.Set("Executus:Budget:Prices:openai:gpt-4o:Output", "10");
        config.Set("Executus:Budget:Prices:ollama:llama3:8b:Input", "0");
        config.Set("Executus:Budget:Prices:ollama:llama3:8b:Output", "0");
        var table = new ModelPriceTable(config);

        ModelPrice price = table.GetPrice("openai:gpt-4o");
        Assert.Equal(new ModelPrice(2.50m, 10m), price);
        Assert.Equal(0.0125m, price.Cost(1_000, 1_000));
        Assert.Equal(new ModelPrice(0, 0), table.GetPrice("ollama:llama3:8b"));
    }

    [Fact]
    public void A_price_changed_with_with_or_set_again_is_used_at_once()
    {
        ModelPrice price = new(2.50m, 10m);
        Assert.Equal(0.0125m, price.Cost(1_000, 1_000));
        ModelPrice dearer = price with { InputPerMillion = 5m };
        Assert.Equal(0.015m, dearer.Cost(1_000, 1_000));
        Assert.Equal(0.0125m, price.Cost(1_000, 1_000));
        Assert.Equal(0.02m, (dearer with { OutputPerMillion = 15m }).Cost(1_000, 1_000));
        Assert.Equal(new ModelPrice(5m, 10m), dearer);

        // The table remembers the last price it found for a reference; setting it again replaces what it remembers.
        var table = new ModelPriceTable();
        string reference = "openai:gpt-test";
        table.Set(reference, price);
        Assert.Same(price, table.GetPrice(reference));
        Assert.Same(price, table.GetPrice(reference));
        table.Set("OpenAI:GPT-TEST", dearer);
        Assert.Same(dearer, table.GetPrice(reference));
        Assert.Same(dearer, table.GetPrice(reference));
    }

    [Fact]
    public void An_unknown_model_without_a_fallback_is_a_config_error_never_zero()
    {
        var table = new ModelPriceTable(new InMemoryConfigSource());
        ConfigException ex = Assert.Throws<ConfigException>(() => table.GetPrice("openai:gpt-5"));
        Assert.Equal("Executus:Budget:Prices:openai:gpt-5:Input", ex.Key);
        Assert.Contains("Fallback", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_fallback_prices_unknown_models()
    {
        var config = new InMemoryConfigSource();
        config.Set("Executus:Budget:Prices:Fallback:Input", "1");
        config.Set("Executus:Budget:Prices:Fallback:Output", "2");
        Assert.Equal(new ModelPrice(1, 2), new ModelPriceTable(config).GetPrice("any:model"));

        var coded = new ModelPriceTable { Fallback = new ModelPrice(3, 4) };
        Assert.Equal(new ModelPrice(3, 4), coded.GetPrice("any:model"));
        coded.Set("any:model", new ModelPrice(5, 6));
        Assert.Equal(new ModelPrice(5, 6), coded.GetPrice("ANY:MODEL"));
    }

    [Theory]
    [InlineData("Input", "two", "Output", "1", "Executus:Budget:Prices:p:m:Input")]
    [InlineData("Input", "-1", "Output", "1", "Executus:Budget:Prices:p:m:Input")]
    [InlineData("Input", "1", "Output", "1,5", "Executus:Budget:Prices:p:m:Output")]
    [InlineData("Input", "1", "Other", "1", "Executus:Budget:Prices:p:m:Output")]
    public void A_malformed_or_half_price_names_the_key(string k1, string v1, string k2, string v2, string expectedKey)
    {
        var config = new InMemoryConfigSource();
        config.Set($"Executus:Budget:Prices:p:m:{k1}", v1);
        config.Set($"Executus:Budget:Prices:p:m:{k2}", v2);
        ConfigException ex = Assert.Throws<ConfigException>(() => new ModelPriceTable(config).GetPrice("p:m"));
        Assert.Equal(expectedKey, ex.Key);
    }
}
