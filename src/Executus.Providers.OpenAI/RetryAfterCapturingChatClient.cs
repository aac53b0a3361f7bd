using System.ClientModel;
using System.Runtime.CompilerServices;
using Executus.Models;
using Microsoft.Extensions.AI;

namespace Executus.Providers.OpenAI;

/// <summary>Copies the <c>Retry-After</c> header of a failed response into the exception's data, for the failover client.</summary>
internal sealed class RetryAfterCapturingChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (ClientResultException ex)
        {
            Capture(ex);
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
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
                catch (ClientResultException ex)
                {
                    Capture(ex);
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

    private static void Capture(ClientResultException exception)
    {
        if (exception.GetRawResponse() is { } response &&
            response.Headers.TryGetValue("Retry-After", out string? value) &&
            !string.IsNullOrWhiteSpace(value) &&
            !exception.Data.Contains(DefaultTransientErrorClassifier.RetryAfterDataKey))
        {
            exception.Data[DefaultTransientErrorClassifier.RetryAfterDataKey] = value;
        }
    }
}
