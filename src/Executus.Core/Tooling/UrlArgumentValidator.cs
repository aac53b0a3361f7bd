using Executus.Net;

namespace Executus.Tooling;

/// <summary>
/// Refuses a call whose named URL arguments fail the <see cref="SsrfGuard"/> (scheme, user-info, internal literal
/// addresses in any spelling, local host names). With a resolver, names are resolved and every address checked too;
/// the safe HTTP client checks the connected address again, so this is the early, readable refusal.
/// </summary>
public sealed class UrlArgumentValidator : IToolArgumentValidator
{
    private readonly SsrfGuard _guard;
    private readonly IHostResolver? _resolver;
    private readonly string[] _argumentNames;

    /// <summary>Initializes a validator of <paramref name="argumentNames"/>.</summary>
    /// <param name="guard">The guard; <see langword="null"/> for <see cref="SsrfGuard.Default"/>.</param>
    /// <param name="argumentNames">The arguments holding URLs (string or array of strings).</param>
    public UrlArgumentValidator(SsrfGuard? guard, params string[] argumentNames)
        : this(guard, resolver: null, argumentNames)
    {
    }

    /// <summary>Initializes a validator of <paramref name="argumentNames"/> that also resolves host names.</summary>
    /// <param name="guard">The guard; <see langword="null"/> for <see cref="SsrfGuard.Default"/>.</param>
    /// <param name="resolver">The resolver used to check names; <see langword="null"/> for the pure check only.</param>
    /// <param name="argumentNames">The arguments holding URLs (string or array of strings).</param>
    public UrlArgumentValidator(SsrfGuard? guard, IHostResolver? resolver, params string[] argumentNames)
    {
        ArgumentNullException.ThrowIfNull(argumentNames);
        if (argumentNames.Length == 0)
        {
            throw new ArgumentException("Name at least one URL argument.", nameof(argumentNames));
        }

        _guard = guard ?? SsrfGuard.Default;
        _resolver = resolver;
        _argumentNames = argumentNames;
    }

    /// <inheritdoc />
    public async ValueTask<PermissionDecision> ValidateAsync(
        RegisteredTool tool, IReadOnlyDictionary<string, object?> arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        foreach ((string name, System.Text.Json.JsonElement value) in ToolArguments.NamedValues(arguments, _argumentNames))
        {
            if (value.ValueKind == System.Text.Json.JsonValueKind.Null)
            {
                continue;
            }

            if (value.ValueKind != System.Text.Json.JsonValueKind.String)
            {
                return PermissionDecision.Deny($"argument '{name}' must be a URL string");
            }

            SsrfDecision decision = await CheckAsync(value.GetString()!, cancellationToken).ConfigureAwait(false);
            if (!decision.IsAllowed)
            {
                return PermissionDecision.Deny($"argument '{name}' is not an allowed URL: {ToolText.Echo(decision.Detail, 2 * ToolText.MaxEcho)}");
            }
        }

        return PermissionDecision.Allow;
    }

    private async ValueTask<SsrfDecision> CheckAsync(string url, CancellationToken cancellationToken)
    {
        if (_resolver is null || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? uri))
        {
            return _guard.CheckUrl(url);
        }

        return await _guard.CheckUrlAsync(uri, _resolver, cancellationToken).ConfigureAwait(false);
    }
}
