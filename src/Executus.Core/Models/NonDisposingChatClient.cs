using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>Shields a shared client from disposal by the decorator chains built on it; the owner disposes it once.</summary>
internal sealed class NonDisposingChatClient(IChatClient innerClient) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        innerClient.GetResponseAsync(messages, options, cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        innerClient.GetStreamingResponseAsync(messages, options, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) => innerClient.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        // Why: the resolver owns the shared client and disposes it once, itself.
    }
}
