using Executus.Configuration;
using Executus.Models;

namespace Executus.Providers.Anthropic;

/// <summary>
/// Creates <see cref="AnthropicModelProvider"/>s for providers configured with <c>Executus:Providers:{name}:Type = anthropic</c>,
/// reading <c>ApiKey</c>, <c>BaseUrl</c>, <c>MaxOutputTokens</c>, <c>MaxRetries</c> and <c>NetworkTimeout</c> under the same prefix.
/// </summary>
public sealed class AnthropicModelProviderFactory : IModelProviderFactory
{
    /// <summary>The provider type name: <c>anthropic</c>.</summary>
    public const string TypeName = "anthropic";

    private readonly IConfigSource _config;
    private readonly Action<string, AnthropicProviderOptions>? _configure;

    /// <summary>Initializes a new factory.</summary>
    /// <param name="config">Where provider settings are read.</param>
    /// <param name="configure">Changes applied to every provider's options after configuration is read (name, options).</param>
    public AnthropicModelProviderFactory(IConfigSource config, Action<string, AnthropicProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _configure = configure;
    }

    /// <inheritdoc />
    public string Type => TypeName;

    /// <inheritdoc />
    public IModelProvider Create(string providerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        AnthropicProviderOptions options = ReadOptions(_config, providerName);
        _configure?.Invoke(providerName, options);
        return new AnthropicModelProvider(providerName, options);
    }

    /// <summary>Reads <c>Executus:Providers:{name}:*</c> into options.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="providerName">The provider name.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed.</exception>
    public static AnthropicProviderOptions ReadOptions(IConfigSource config, string providerName)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        string prefix = ProviderSettings.Prefix(providerName);
        var options = new AnthropicProviderOptions();
        options.BaseUrl = ProviderSettings.ReadUrl(config, prefix + "BaseUrl", "an absolute http or https URL such as 'https://api.anthropic.com'") ?? options.BaseUrl;

        options.ApiKey = config.GetString(prefix + "ApiKey");
        if (config.GetString(prefix + "MaxOutputTokens") is not null)
        {
            options.MaxOutputTokens = config.GetInt(prefix + "MaxOutputTokens", 0, min: 1);
        }

        options.MaxRetries = ProviderSettings.ReadMaxRetries(config, prefix, options.MaxRetries);
        options.NetworkTimeout = ProviderSettings.ReadNetworkTimeout(config, prefix, options.NetworkTimeout);

        return options;
    }
}
