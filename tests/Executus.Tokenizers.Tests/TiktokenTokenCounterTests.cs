using Executus.Compaction;
using Executus.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Executus.Tokenizers.Tests;

public sealed class TiktokenTokenCounterTests
{
    // Counts published in OpenAI's cookbook "How to count tokens with tiktoken" (encoding comparison table, and
    // "tiktoken is great!" = [83, 1609, 5963, 374, 2294, 0] in cl100k_base); "Hello world" = [9906, 1917] (cl100k_base).
    [Theory]
    [InlineData(TokenizerEncodings.Cl100kBase, "tiktoken is great!", 6)]
    [InlineData(TokenizerEncodings.Cl100kBase, "antidisestablishmentarianism", 6)]
    [InlineData(TokenizerEncodings.O200kBase, "antidisestablishmentarianism", 6)]
    [InlineData(TokenizerEncodings.Cl100kBase, "2 + 2 = 4", 7)]
    [InlineData(TokenizerEncodings.O200kBase, "2 + 2 = 4", 7)]
    [InlineData(TokenizerEncodings.Cl100kBase, "お誕生日おめでとう", 9)]
    [InlineData(TokenizerEncodings.O200kBase, "お誕生日おめでとう", 8)]
    [InlineData(TokenizerEncodings.Cl100kBase, "Hello world", 2)]
    [InlineData(TokenizerEncodings.O200kBase, "Hello world", 2)]
    public void Counts_match_the_published_tiktoken_counts(string encoding, string text, int expected) =>
        Assert.Equal(expected, TiktokenTokenCounter.ForEncoding(encoding).CountText(text));

    [Theory]
    [InlineData("gpt-4o", TokenizerEncodings.O200kBase)]
    [InlineData("openai:gpt-4o-mini", TokenizerEncodings.O200kBase)]
    [InlineData("gpt-4.1-nano", TokenizerEncodings.O200kBase)]
    [InlineData("o3-mini", TokenizerEncodings.O200kBase)]
    [InlineData("gpt-4-turbo", TokenizerEncodings.Cl100kBase)]
    [InlineData("gpt-3.5-turbo", TokenizerEncodings.Cl100kBase)]
    public void The_model_family_chooses_the_encoding(string model, string encoding)
    {
        TiktokenTokenCounter counter = TiktokenTokenCounter.ForModel(model);
        Assert.Equal(encoding, counter.Encoding);
        Assert.False(counter.IsEstimate);
    }

    [Fact]
    public void An_unknown_model_falls_back_to_the_estimate_and_says_so()
    {
        TiktokenTokenCounter counter = TiktokenTokenCounter.ForModel("claude-sonnet-4-5");
        Assert.True(counter.IsEstimate);
        Assert.Null(counter.Encoding);
        var message = new ChatMessage(ChatRole.User, "Some text that is forty characters long.");
        Assert.Equal(EstimatingTokenCounter.Instance.CountTokens(message), counter.CountTokens(message));
        Assert.Contains("estimate", counter.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_families_override_and_extend_the_built_in_ones()
    {
        var config = new InMemoryConfigSource(
        [
            new("Executus:Tokenizers:Model", "llama-local-gpt-4o-distill"),
            new("Executus:Tokenizers:FamilyPrefixes", "llama-local"),
            new("Executus:Tokenizers:Families:llama-local", "cl100k_base"),
        ]);
        TiktokenTokenCounter counter = TiktokenTokenCounter.FromConfig(config);
        Assert.Equal(TokenizerEncodings.Cl100kBase, counter.Encoding);
        Assert.Equal("llama-local-gpt-4o-distill", counter.Model);
    }

    [Fact]
    public void A_bad_encoding_in_config_names_the_key()
    {
        var config = new InMemoryConfigSource([new("Executus:Tokenizers:Encoding", "p50k_base")]);
        ConfigException ex = Assert.Throws<ConfigException>(() => TiktokenTokenCounter.FromConfig(config));
        Assert.Equal("Executus:Tokenizers:Encoding", ex.Key);
        Assert.Throws<ArgumentException>(() => TiktokenTokenCounter.ForEncoding("gpt2"));
    }

    [Fact]
    public void A_message_counts_its_framing_text_calls_and_results()
    {
        TiktokenTokenCounter counter = TiktokenTokenCounter.ForEncoding(TokenizerEncodings.O200kBase);
        Assert.Equal(TiktokenTokenCounter.MessageOverheadTokens + 2, counter.CountTokens(new ChatMessage(ChatRole.User, "Hello world")));

        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]);
        Assert.Equal(TiktokenTokenCounter.MessageOverheadTokens + counter.CountText("get_weather") + counter.CountText("""{"city":"Paris"}"""), counter.CountTokens(call));

        var result = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "sunny and 21 degrees")]);
        Assert.Equal(TiktokenTokenCounter.MessageOverheadTokens + counter.CountText("sunny and 21 degrees"), counter.CountTokens(result));
    }

    [Fact]
    public void Code_counts_more_than_the_estimate_says()
    {
        // Why this matters: the chars/4 estimate undercounts dense code and JSON, which let compaction overshoot its target.
        string json = string.Concat(Enumerable.Repeat("""{"id":1234,"ok":true,"v":[1,2,3]},""", 200));
        int real = TiktokenTokenCounter.ForEncoding(TokenizerEncodings.O200kBase).CountText(json);
        Assert.True(real > EstimatingTokenCounter.EstimateText(json), $"real {real} vs estimate {EstimatingTokenCounter.EstimateText(json)}");
    }

    [Fact]
    public void AddTokenizers_replaces_the_estimating_counter_from_config()
    {
        var config = new InMemoryConfigSource([new("Executus:Tokenizers:Model", "gpt-4o")]);
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(config).AddTokenizers();
        using ServiceProvider provider = services.BuildServiceProvider();
        TiktokenTokenCounter counter = Assert.IsType<TiktokenTokenCounter>(provider.GetRequiredService<ITokenCounter>());
        Assert.Equal(TokenizerEncodings.O200kBase, counter.Encoding);

        var explicitServices = new ServiceCollection();
        explicitServices.AddExecutus().UseTiktokenCounter("gpt-4-turbo");
        using ServiceProvider explicitProvider = explicitServices.BuildServiceProvider();
        Assert.Equal(TokenizerEncodings.Cl100kBase, Assert.IsType<TiktokenTokenCounter>(explicitProvider.GetRequiredService<ITokenCounter>()).Encoding);
    }
}
