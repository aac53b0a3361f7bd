using Executus.Configuration;
using Executus.Models;
using Executus.Testing;

namespace Executus.Core.Tests.Models;

public sealed class LlmMetaTests
{
    private readonly ScriptedChatClient _model = new("meta-model");
    private readonly CollectingUsageSink _usage = new();
    private readonly InMemoryConfigSource _config = new();
    private readonly LlmMeta _meta;

    public LlmMetaTests()
    {
        var registry = new ModelProviderRegistry().Add("s", (_, _) => _model);
        var resolver = new ModelTierResolver(registry, _config, new ModelTierResolverOptions { UsageSink = _usage });
        _meta = new LlmMeta(resolver, _config);
    }

    [Fact]
    public void Unavailable_until_the_tier_is_configured()
    {
        Assert.Equal("fast", _meta.Tier);
        Assert.False(_meta.IsAvailable);
        _config.Set(LlmMeta.TierKey, "cheap");
        _config.Set("Executus:Models:Tiers:cheap", "s:m");
        Assert.True(_meta.IsAvailable);
    }

    [Fact]
    public async Task Unconfigured_tier_is_a_resolution_error()
    {
        ModelResolutionException ex = await Assert.ThrowsAsync<ModelResolutionException>(() => _meta.SummarizeAsync("text"));
        Assert.Equal("fast", ex.Tier);
    }

    [Fact]
    public async Task Summarize_and_classify_report_usage_with_a_meta_purpose()
    {
        _config.Set("Executus:Models:Tiers:fast", "s:m");
        _model.ReplyText("  short summary ", new Microsoft.Extensions.AI.UsageDetails { InputTokenCount = 5 })
            .ReplyText("""{"label":"nonsense"}""")
            .ReplyText("""{"label":"BUG"}""");

        using (ModelCallContext.Begin(new ModelCallContext { RunId = "r1" }))
        {
            Assert.Equal("short summary", await _meta.SummarizeAsync("long text", maxWords: 20));
            Assert.Equal("bug", await _meta.ClassifyAsync("it crashes", ["bug", "feature"]));
        }

        Assert.Equal(3, _usage.Records.Count);
        Assert.All(_usage.Records, r => Assert.Equal("r1", r.RunId));
        Assert.Equal("llm-meta:summarize", _usage.Records.First().Purpose);
        Assert.Equal("llm-meta:classify", _usage.Records.Last().Purpose);
        Assert.Contains("20 words", _model.Requests[0].Messages[0].Text, StringComparison.Ordinal);
    }
}
