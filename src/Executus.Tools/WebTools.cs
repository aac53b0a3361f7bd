using System.ComponentModel;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Executus.Net;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Tools;

/// <summary>
/// The web tool group: <c>web_fetch</c> reads a URL through the SSRF-safe client and returns readable text (HTML turned
/// into text with AngleSharp; plain text, JSON and XML passed through), cut at a byte cap and a character cap with a
/// visible <c>[truncated: …]</c> marker, within a time cap.
/// </summary>
/// <remarks>Bad input and refusals throw <see cref="GenericToolException"/> (the toolbox shows it to the model as a tool error).</remarks>
public sealed class WebTools
{
    private readonly ISafeHttpClientFactory _http;
    private readonly GenericToolsOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes the group.</summary>
    /// <param name="http">The SSRF-safe client factory.</param>
    /// <param name="resolver">The resolver the URL validator checks host names with; <see langword="null"/> for the pure URL check only.</param>
    /// <param name="options">Caps; <see langword="null"/> for defaults.</param>
    /// <param name="timeProvider">The clock for the time cap; <see langword="null"/> for the system clock.</param>
    public WebTools(ISafeHttpClientFactory http, IHostResolver? resolver = null, GenericToolsOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _options = options ?? new GenericToolsOptions();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;

        AIFunction fetch = AIFunctionFactory.Create(
            ([Description("The absolute http or https URL to read.")] string url,
             CancellationToken cancellationToken,
             [Description("The most characters of text to return (default set by the host).")] int? maxChars = null) => FetchAsync(url, maxChars, cancellationToken),
            GenericToolNames.WebFetch,
            "Fetches a web page or text document and returns its readable text (HTML converted to text, links kept as 'text (url)'). Long pages are cut with a [truncated] marker.");
        WebFetch = new RegisteredTool(fetch, _options.Apply(GenericToolNames.WebFetch, new ToolMetadata
        {
            Category = "web",
            SideEffect = SideEffect.External,
            Validators = [new UrlArgumentValidator(http.Guard, resolver, "url")],
        }));
        Tools = [WebFetch];
    }

    /// <summary>Gets <c>web_fetch</c>.</summary>
    public RegisteredTool WebFetch { get; }

    /// <summary>Gets every tool of the group.</summary>
    public IReadOnlyList<RegisteredTool> Tools { get; }

    /// <summary>Fetches <paramref name="url"/> and returns its readable text, headed by the final URL, status and content type.</summary>
    /// <param name="url">The absolute http(s) URL.</param>
    /// <param name="maxChars">The most characters of text to return; <see langword="null"/> for <see cref="GenericToolsOptions.WebDefaultMaxChars"/>. Capped at <see cref="GenericToolsOptions.WebMaxChars"/>.</param>
    /// <param name="cancellationToken">A token to cancel.</param>
    /// <returns>The text.</returns>
    /// <exception cref="GenericToolException">The URL is bad or blocked, the request failed or timed out, or the content is not text.</exception>
    public Task<string> FetchAsync(string url, int? maxChars = null, CancellationToken cancellationToken = default)
    {
        if (maxChars is < 1)
        {
            throw new GenericToolException(string.Create(CultureInfo.InvariantCulture, $"maxChars must be at least 1 (got {maxChars})"));
        }

        int limit = Math.Min(maxChars ?? _options.WebDefaultMaxChars, _options.WebMaxChars);
        Uri uri = SafeHttp.ParseUrl(url, _http.Guard);
        return SafeHttp.SendAsync(_http, HttpMethod.Get, uri, _options.WebTimeout, _timeProvider, (response, token) => ReadAsync(uri, response, limit, token), cancellationToken);
    }

    private async Task<string> ReadAsync(Uri requested, HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        Uri final = response.RequestMessage?.RequestUri ?? requested;
        MediaTypeHeaderValue? contentType = response.Content.Headers.ContentType;
        string mediaType = contentType?.MediaType?.ToLowerInvariant() ?? "text/plain";
        bool html = mediaType is "text/html" or "application/xhtml+xml";
        if (!html && !IsText(mediaType))
        {
            throw new GenericToolException($"'{final}' returned '{mediaType}', which is not text; web_fetch reads HTML, plain text, JSON and XML only");
        }

        (byte[] bytes, bool cut) = await ReadCappedAsync(response.Content, _options.WebMaxBytes, cancellationToken).ConfigureAwait(false);
        string body = Decode(bytes, contentType?.CharSet);
        string text = html ? HtmlText.Extract(body, final) : body.Trim();

        StringBuilder builder = new();
        builder.Append("URL: ").Append(final).Append('\n');
        builder.Append("Status: ").Append(SafeHttp.StatusLine(response)).Append('\n');
        builder.Append("Content-Type: ").Append(mediaType).Append("\n\n");
        if (text.Length > limit)
        {
            builder.Append(text, 0, limit);
            builder.Append(CultureInfo.InvariantCulture, $"\n\n[truncated: showing the first {limit} of {text.Length} characters");
            builder.Append(limit < _options.WebMaxChars
                ? string.Create(CultureInfo.InvariantCulture, $"; ask again with a larger maxChars (up to {_options.WebMaxChars})]")
                : "]");
        }
        else
        {
            builder.Append(text);
        }

        if (cut)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\n\n[truncated: the response is larger than {bytes.Length} bytes; only the first {bytes.Length} bytes were read]");
        }

        return builder.ToString();
    }

    private static bool IsText(string mediaType) =>
        mediaType.StartsWith("text/", StringComparison.Ordinal) ||
        mediaType is "application/json" or "application/xml" or "application/javascript" or "application/x-yaml" or "application/yaml" ||
        mediaType.EndsWith("+json", StringComparison.Ordinal) ||
        mediaType.EndsWith("+xml", StringComparison.Ordinal);

    private static async Task<(byte[] Bytes, bool Cut)> ReadCappedAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using MemoryStream buffer = new();
            byte[] chunk = new byte[16 * 1024];
            try
            {
                while (buffer.Length <= maxBytes)
                {
                    int read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (buffer.ToArray(), false);
                    }

                    buffer.Write(chunk, 0, read);
                }
            }
            catch (ResponseTooLargeException)
            {
                // Why: the safe client's own cap is smaller than ours; what was read so far is still worth returning.
                return (buffer.ToArray(), true);
            }

            byte[] all = buffer.ToArray();
            return (all.AsSpan(0, (int)maxBytes).ToArray(), true);
        }
    }

    private static string Decode(byte[] bytes, string? charset)
    {
        Encoding encoding = Encoding.UTF8;
        if (!string.IsNullOrWhiteSpace(charset))
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"', ' '));
            }
            catch (ArgumentException)
            {
                // Why: an unknown charset label should not fail the fetch; UTF-8 is the web's default.
            }
        }

        return encoding.GetString(bytes);
    }
}
