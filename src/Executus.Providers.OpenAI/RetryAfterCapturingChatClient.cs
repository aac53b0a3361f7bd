using System.ClientModel;
using System.Runtime.CompilerServices;
using Executus.Models;
using Microsoft.Extensions.AI;

namespace Executus.Providers.OpenAI;

/// <summary>
/// Copies the <c>Retry-After</c> header of a failed response into the exception's data, for the failover client, and
/// turns a 404 from a configured <c>BaseUrl</c> without <c>/v1</c> into an error that says so.
/// </summary>
internal sealed class RetryAfterCapturingChatClient(IChatClient innerClient, Uri? baseUrl = null) : DelegatingChatClient(innerClient)
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
            if (MissingV1Hint(ex) is { } hinted)
            {
                throw hinted;
            }

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
                    if (MissingV1Hint(ex) is { } hinted)
                    {
                        throw hinted;
                    }

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

    // Why: OpenAI-compatible servers (Ollama, vLLM, LM Studio) serve chat under /v1; a BaseUrl without it gets a bare
    // 404 that reads like a missing model. The status is kept (the response goes along), so classification is unchanged.
    private ClientResultException? MissingV1Hint(ClientResultException exception)
    {
        if (exception.Status != 404 || baseUrl is null
            || baseUrl.AbsolutePath.TrimEnd('/').EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string suggested = baseUrl.ToString().TrimEnd('/') + "/v1";
        return new ClientResultException(
            $"{exception.Message}\nHint: the server answered 404 on the chat path under BaseUrl '{baseUrl}'. OpenAI-compatible " +
            $"servers usually serve chat at '<BaseUrl>/v1/chat/completions': try BaseUrl '{suggested}'.",
            exception.GetRawResponse(),
            exception);
    }
}
