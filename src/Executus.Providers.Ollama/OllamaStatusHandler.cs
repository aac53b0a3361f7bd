using System.Globalization;
using System.Net;
using System.Text.Json;
using Executus.Models;

namespace Executus.Providers.Ollama;

/// <summary>
/// Turns a non-success response into an <see cref="HttpRequestException"/> that carries the status code, Ollama's
/// <c>{"error": "…"}</c> message and the <c>Retry-After</c> header (in <see cref="Exception.Data"/>).
/// </summary>
/// <remarks>
/// Why: OllamaSharp reports an error body as <c>OllamaSharp.Models.Exceptions.ResponseError</c>, which has no status
/// code, so a 429 or 503 would look permanent to the failover client. Raising the standard exception first keeps the
/// status for <see cref="DefaultTransientErrorClassifier"/>.
/// </remarks>
internal sealed class OllamaStatusHandler : DelegatingHandler
{
    private const int MaxErrorBodyChars = 2_000;

    public OllamaStatusHandler(HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            HttpStatusCode status = response.StatusCode;
            string message = string.Create(
                CultureInfo.InvariantCulture,
                $"Ollama answered {(int)status} ({response.ReasonPhrase ?? status.ToString()}) to {request.Method} {request.RequestUri?.AbsolutePath}: {ErrorMessage(body)}");
            var exception = new HttpRequestException(message, null, status);
            if (response.Headers.RetryAfter is { } retryAfter)
            {
                exception.Data[DefaultTransientErrorClassifier.RetryAfterDataKey] = retryAfter.Delta is { } delta
                    ? ((long)delta.TotalSeconds).ToString(CultureInfo.InvariantCulture)
                    : retryAfter.Date?.ToString("R", CultureInfo.InvariantCulture);
            }

            throw exception;
        }
    }

    private static string ErrorMessage(string body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("error", out JsonElement error) &&
                error.ValueKind == JsonValueKind.String)
            {
                return error.GetString() ?? string.Empty;
            }
        }
        catch (JsonException)
        {
        }

        return body.Length <= MaxErrorBodyChars ? body : string.Concat(body.AsSpan(0, MaxErrorBodyChars), "…");
    }
}
