using Executus.Models;

namespace Executus.Core.Tests.Models;

public sealed class ModelReferenceTests
{
    [Theory]
    [InlineData("openai:gpt-4.1", "openai", "gpt-4.1")]
    [InlineData(" ollama : qwen3:8b ", "ollama", "qwen3:8b")]
    public void Parse_splits_on_the_first_colon(string text, string provider, string model)
    {
        ModelReference reference = ModelReference.Parse(text);
        Assert.Equal(provider, reference.Provider);
        Assert.Equal(model, reference.Model);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("gpt-4.1", "has no provider")]
    [InlineData("openai:", "has no model id")]
    [InlineData("open ai:gpt", "invalid provider name")]
    [InlineData(":gpt", "invalid provider name")]
    public void Parse_rejects_malformed_references_with_a_reason(string text, string reason)
    {
        FormatException ex = Assert.Throws<FormatException>(() => ModelReference.Parse(text));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
