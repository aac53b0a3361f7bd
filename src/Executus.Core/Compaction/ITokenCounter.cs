using Microsoft.Extensions.AI;

namespace Executus.Compaction;

/// <summary>
/// Counts the tokens a message takes in a model's context. The default, <see cref="EstimatingTokenCounter"/>, estimates;
/// a host with a real tokenizer (e.g. Microsoft.ML.Tokenizers) plugs it in here.
/// </summary>
public interface ITokenCounter
{
    /// <summary>Counts the tokens of <paramref name="message"/>, including a per-message overhead.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The token count, never negative.</returns>
    int CountTokens(ChatMessage message);
}
