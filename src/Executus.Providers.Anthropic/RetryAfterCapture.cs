using System.Globalization;
using System.Net.Http.Headers;

namespace Executus.Providers.Anthropic;

/// <summary>
/// Carries the <c>Retry-After</c> header of a failed response from the HTTP handler up to the chat client that
/// catches the SDK's exception (the SDK's exceptions carry no headers).
/// </summary>
internal static class RetryAfterCapture
{
    private static readonly AsyncLocal<Box?> s_current = new();

    /// <summary>Starts a capture scope for one call; the HTTP handler below writes into it.</summary>
    public static Box Begin()
    {
        var box = new Box();
        s_current.Value = box;
        return box;
    }

    public static void Record(RetryConditionHeaderValue? header)
    {
        if (header is null || s_current.Value is not { } box)
        {
            return;
        }

        box.Value = header.Delta is { } delta
            ? ((long)delta.TotalSeconds).ToString(CultureInfo.InvariantCulture)
            : header.Date?.ToString("R", CultureInfo.InvariantCulture);
    }

    internal sealed class Box
    {
        public string? Value { get; set; }
    }
}
