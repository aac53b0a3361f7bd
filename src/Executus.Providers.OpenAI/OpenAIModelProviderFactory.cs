using Executus.Configuration;
using Executus.Models;

namespace Executus.Providers.OpenAI;

/// <summary>
/// Creates <see cref="OpenAIModelProvider"/>s for providers configured with <c>Executus:Providers:{name}:Type = openai</c>,
/// reading <c>BaseUrl</c>, <c>ApiKey</c>, <c>MaxRetries</c> and <c>NetworkTimeout</c> under the same prefix.
/// </summary>
public sealed class OpenAIModelProviderFactory : IModelProviderFactory
{
    /// <summary>The provider type name: <c>openai</c>.</summary>
    public const string TypeName = "openai";

    private readonly IConfigSource _config;
    private readonly Action<string, OpenAIProviderOptions>? _configure;

    /// <summary>Initializes a new factory.</summary>
    /// <param name="config">Where provider settings are read.</param>
    /// <param name="configure">Changes applied to every provider's options after configuration is read (name, options).</param>
    public OpenAIModelProviderFactory(IConfigSource config, Action<string, OpenAIProviderOptions>? configure = null)
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
        OpenAIProviderOptions options = ReadOptions(_config, providerName);
        _configure?.Invoke(providerName, options);
        return new OpenAIModelProvider(providerName, options);
    }

    /// <summary>Reads <c>Executus:Providers:{name}:*</c> into options.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="providerName">The provider name.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed.</exception>
    public static OpenAIProviderOptions ReadOptions(IConfigSource config, string providerName)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        string prefix = ProviderSettings.Prefix(providerName);
        var options = new OpenAIProviderOptions();
        options.BaseUrl = ProviderSettings.ReadUrl(config, prefix + "BaseUrl", "an absolute http or https URL such as 'http://localhost:11434/v1'") ?? options.BaseUrl;

        options.ApiKey = config.GetString(prefix + "ApiKey");
        options.MaxRetries = ProviderSettings.ReadMaxRetries(config, prefix, options.MaxRetries);
        options.NetworkTimeout = ProviderSettings.ReadNetworkTimeout(config, prefix, options.NetworkTimeout);

        return options;
    }
}
