using System.Runtime.CompilerServices;
using Anthropic.Exceptions;
using Executus.Models;
using Microsoft.Extensions.AI;

namespace Executus.Providers.Anthropic;

/// <summary>
/// Copies the <c>Retry-After</c> header of a failed call into the SDK exception's data, for the failover client, and
/// keeps the shared SDK client alive when one model's client is disposed.
/// </summary>
internal sealed class AnthropicErrorMappingChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        RetryAfterCapture.Box box = RetryAfterCapture.Begin();
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (AnthropicException ex)
        {
            Attach(ex, box);
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RetryAfterCapture.Box box = RetryAfterCapture.Begin();
        IAsyncEnumerator<ChatResponseUpdate> enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (AnthropicException ex)
                {
                    Attach(ex, box);
                    throw;
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    #pragma warning disable CA2215 // Why: the SDK client (and its HttpClient) is shared by every model of the provider.

    protected override void Dispose(bool disposing)
    {
        // Why: the SDK client (and its HttpClient) is shared by every model of the provider.
    }

    #pragma warning restore CA2215

    private static void Attach(AnthropicException exception, RetryAfterCapture.Box box)
    {
        if (box.Value is { } value && !exception.Data.Contains(DefaultTransientErrorClassifier.RetryAfterDataKey))
        {
            exception.Data[DefaultTransientErrorClassifier.RetryAfterDataKey] = value;
        }
    }
}
