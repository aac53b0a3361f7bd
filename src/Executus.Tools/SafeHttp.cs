using System.Globalization;
using Executus.Net;

namespace Executus.Tools;

/// <summary>Sends one request through the safe client with the tool's time cap, turning failures into readable tool errors.</summary>
internal static class SafeHttp
{
    public static async Task<T> SendAsync<T>(
        ISafeHttpClientFactory factory,
        HttpMethod method,
        Uri uri,
        TimeSpan timeout,
        TimeProvider timeProvider,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken)
    {
        using CancellationTokenSource timer = new(timeout, timeProvider);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        using HttpClient client = factory.CreateClient();
        using HttpRequestMessage request = new(method, uri);
        request.Headers.TryAddWithoutValidation("User-Agent", "Executus.Tools/1.0 (+https://github.com/executus)");
        request.Headers.TryAddWithoutValidation("Accept", "text/html, application/xhtml+xml, text/plain;q=0.9, application/json;q=0.9, */*;q=0.5");
        try
        {
            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            return await read(response, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (SsrfBlockedException ex)
        {
            throw new GenericToolException($"the request to '{uri}' was blocked: {ex.Decision.Detail}", ex);
        }
        catch (ResponseTooLargeException ex)
        {
            throw new GenericToolException($"the response from '{uri}' is too large: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            throw new GenericToolException(
                string.Create(CultureInfo.InvariantCulture, $"'{uri}' did not answer within {Describe(timeout)}"), ex);
        }
        catch (HttpRequestException ex)
        {
            throw new GenericToolException($"the request to '{uri}' failed: {ex.Message}", ex);
        }
    }

    public static Uri ParseUrl(string? url, SsrfGuard guard)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new GenericToolException("the URL is empty; give an absolute http or https URL such as 'https://example.com/page'");
        }

        SsrfDecision decision = guard.CheckUrl(url);
        if (!decision.IsAllowed)
        {
            throw new GenericToolException($"the URL '{url}' is not allowed: {decision.Detail}");
        }

        return new Uri(url.Trim(), UriKind.Absolute);
    }

    public static string Describe(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1 && timeout.Milliseconds == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0} seconds")
            : string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalMilliseconds:0} ms");

    public static string StatusLine(HttpResponseMessage response) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()}");
}
