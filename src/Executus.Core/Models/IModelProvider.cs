using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// A source of <see cref="IChatClient"/>s for one provider (an OpenAI-compatible endpoint, Ollama, a test double…),
/// addressed in model references as <c>{Name}:{modelId}</c>.
/// </summary>
public interface IModelProvider
{
    /// <summary>Gets the provider's name as written in model references (compared case-insensitively).</summary>
    string Name { get; }

    /// <summary>Creates a chat client for <paramref name="modelId"/>.</summary>
    /// <param name="modelId">The provider-specific model id, e.g. <c>gpt-4.1</c> or <c>qwen3:8b</c>.</param>
    /// <param name="services">The application's services, when resolved through dependency injection.</param>
    /// <returns>A client for the model. The caller owns it.</returns>
    IChatClient CreateChatClient(string modelId, IServiceProvider? services);
}
