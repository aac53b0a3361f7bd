namespace Executus.Providers.Anthropic;

/// <summary>Records the <c>Retry-After</c> header of every failed response into the current <see cref="RetryAfterCapture"/> scope.</summary>
internal sealed class RetryAfterHandler(HttpMessageHandler innerHandler) : DelegatingHandler(innerHandler)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            RetryAfterCapture.Record(response.Headers.RetryAfter);
        }

        return response;
    }
}
