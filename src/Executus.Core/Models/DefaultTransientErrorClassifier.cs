using System.Globalization;
using System.Net;
using System.Reflection;

namespace Executus.Models;

/// <summary>
/// The default <see cref="ITransientErrorClassifier"/>.
/// </summary>
/// <remarks>
/// <para>Transient: <see cref="TimeoutException"/>; <see cref="OperationCanceledException"/> (including
/// <see cref="TaskCanceledException"/>) that the failover client did not trace to the caller's token, i.e. an HTTP
/// client timeout; <see cref="HttpRequestException"/> with status 408, 429 or 5xx, or with no status at all (a
/// connection failure); <see cref="IOException"/> (a dropped connection); any exception exposing a public
/// <c>int Status</c> property with 408, 429 or 5xx, which is how <c>System.ClientModel.ClientResultException</c>
/// (thrown by the OpenAI and Azure SDKs) is recognised without Executus.Core referencing System.ClientModel; any
/// exception exposing a public <see cref="HttpStatusCode"/> <c>StatusCode</c> property with those codes (the official
/// Anthropic SDK's <c>AnthropicApiException</c>);
/// <see cref="ModelUnavailableException"/> (a nested tier that is cooling down). The inner exceptions are checked too.</para>
/// <para>Everything else (400, 401, 403, 404, content filter refusals, argument and serialisation errors) is not
/// transient and surfaces at once.</para>
/// <para><c>Retry-After</c> is read from <c>exception.Data["Retry-After"]</c> (seconds or an HTTP date as a string, or a
/// <see cref="TimeSpan"/>), then from the raw response headers of an exception with a <c>GetRawResponse()</c> method
/// (System.ClientModel), by reflection.</para>
/// </remarks>
public sealed class DefaultTransientErrorClassifier : ITransientErrorClassifier
{
    /// <summary>The key in <see cref="Exception.Data"/> read for a Retry-After value.</summary>
    public const string RetryAfterDataKey = "Retry-After";

    private DefaultTransientErrorClassifier()
    {
    }

    /// <summary>Gets the single instance.</summary>
    public static DefaultTransientErrorClassifier Instance { get; } = new();

    /// <inheritdoc />
    public bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case TimeoutException or OperationCanceledException or IOException or ModelUnavailableException:
                    return true;
                case HttpRequestException http:
                    return http.StatusCode is null || IsTransientStatus((int)http.StatusCode.Value);
                default:
                    if (TryGetStatus(current, out int status))
                    {
                        return IsTransientStatus(status);
                    }

                    break;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public TimeSpan? GetRetryAfter(Exception exception, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(timeProvider);
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is ModelUnavailableException { RetryAfter: { } nested })
            {
                return nested;
            }

            object? value = current.Data.Contains(RetryAfterDataKey) ? current.Data[RetryAfterDataKey] : null;
            value ??= TryGetRawResponseHeader(current, "Retry-After");
            TimeSpan? parsed = value switch
            {
                TimeSpan span => span,
                string text => ParseRetryAfter(text, timeProvider),
                _ => null,
            };
            if (parsed is { } delay)
            {
                return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
            }
        }

        return null;
    }

    /// <summary>Parses a <c>Retry-After</c> header value: whole seconds or an HTTP date.</summary>
    /// <param name="value">The header value.</param>
    /// <param name="timeProvider">The clock for HTTP dates.</param>
    /// <returns>The delay, or null when the value is neither.</returns>
    public static TimeSpan? ParseRetryAfter(string? value, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        string trimmed = value.Trim();
        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && double.IsFinite(seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.MaxValue.TotalSeconds / 2));
        }

        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset date))
        {
            TimeSpan delta = date - timeProvider.GetUtcNow();
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        return null;
    }

    private static bool IsTransientStatus(int status) =>
        status is (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500 and <= 599;

    // Why: System.ClientModel.ClientResultException is not reachable from Core without a new dependency; its public
    // int Status property (0 when there was no response) is read by reflection instead. Vendor SDKs that are not on
    // System.ClientModel (Anthropic's AnthropicApiException) expose HttpStatusCode StatusCode instead.
    private static bool TryGetStatus(Exception exception, out int status)
    {
        Type type = exception.GetType();
        PropertyInfo? property = type.GetProperty("Status", BindingFlags.Public | BindingFlags.Instance, null, typeof(int), Type.EmptyTypes, null);
        if (property?.GetValue(exception) is int value)
        {
            // A status of 0 means no response arrived: a connection failure.
            status = value == 0 ? (int)HttpStatusCode.ServiceUnavailable : value;
            return true;
        }

        PropertyInfo? statusCode = type.GetProperty("StatusCode", BindingFlags.Public | BindingFlags.Instance, null, typeof(HttpStatusCode), Type.EmptyTypes, null);
        if (statusCode?.GetValue(exception) is HttpStatusCode code && code != 0)
        {
            status = (int)code;
            return true;
        }

        status = 0;
        return false;
    }

    private static string? TryGetRawResponseHeader(Exception exception, string name)
    {
        try
        {
            MethodInfo? getRawResponse = exception.GetType().GetMethod("GetRawResponse", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
            object? response = getRawResponse?.Invoke(exception, null);
            object? headers = response?.GetType().GetProperty("Headers", BindingFlags.Public | BindingFlags.Instance)?.GetValue(response);
            MethodInfo? tryGetValue = headers?.GetType().GetMethod(
                "TryGetValue", BindingFlags.Public | BindingFlags.Instance, [typeof(string), typeof(string).MakeByRefType()]);
            if (tryGetValue is null)
            {
                return null;
            }

            object?[] arguments = [name, null];
            return tryGetValue.Invoke(headers, arguments) is true ? arguments[1] as string : null;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }
}
