using Executus.Configuration;
using Executus.Models;

namespace Executus.Providers.Ollama;

/// <summary>
/// Creates <see cref="OllamaModelProvider"/>s for providers configured with <c>Executus:Providers:{name}:Type = ollama</c>,
/// reading <c>BaseUrl</c>, <c>ApiKey</c> and <c>NetworkTimeout</c> under the same prefix.
/// </summary>
public sealed class OllamaModelProviderFactory : IModelProviderFactory
{
    /// <summary>The provider type name: <c>ollama</c>.</summary>
    public const string TypeName = "ollama";

    private readonly IConfigSource _config;
    private readonly Action<string, OllamaProviderOptions>? _configure;

    /// <summary>Initializes a new factory.</summary>
    /// <param name="config">Where provider settings are read.</param>
    /// <param name="configure">Changes applied to every provider's options after configuration is read (name, options).</param>
    public OllamaModelProviderFactory(IConfigSource config, Action<string, OllamaProviderOptions>? configure = null)
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
        OllamaProviderOptions options = ReadOptions(_config, providerName);
        _configure?.Invoke(providerName, options);
        return new OllamaModelProvider(providerName, options);
    }

    /// <summary>Reads <c>Executus:Providers:{name}:*</c> into options.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="providerName">The provider name.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed.</exception>
    public static OllamaProviderOptions ReadOptions(IConfigSource config, string providerName)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        string prefix = ProviderSettings.Prefix(providerName);
        var options = new OllamaProviderOptions();
        options.BaseUrl = ProviderSettings.ReadUrl(config, prefix + "BaseUrl", "an absolute http or https URL such as 'http://localhost:11434'") ?? options.BaseUrl;

        options.ApiKey = config.GetString(prefix + "ApiKey");
        options.NetworkTimeout = ProviderSettings.ReadNetworkTimeout(config, prefix, options.NetworkTimeout);

        return options;
    }
}
