using System.Text.RegularExpressions;
using Executus.Configuration;
using Executus.Models;

namespace Executus.Providers.AzureOpenAI;

/// <summary>
/// Creates <see cref="AzureOpenAIModelProvider"/>s for providers configured with <c>Executus:Providers:{name}:Type = azure-openai</c>,
/// reading <c>Endpoint</c>, <c>ApiKey</c>, <c>ApiVersion</c>, <c>MaxRetries</c> and <c>NetworkTimeout</c> under the same prefix.
/// </summary>
public sealed partial class AzureOpenAIModelProviderFactory : IModelProviderFactory
{
    /// <summary>The provider type name: <c>azure-openai</c>.</summary>
    public const string TypeName = "azure-openai";

    private readonly IConfigSource _config;
    private readonly Action<string, AzureOpenAIProviderOptions>? _configure;

    /// <summary>Initializes a new factory.</summary>
    /// <param name="config">Where provider settings are read.</param>
    /// <param name="configure">Changes applied to every provider's options after configuration is read (name, options).</param>
    public AzureOpenAIModelProviderFactory(IConfigSource config, Action<string, AzureOpenAIProviderOptions>? configure = null)
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
        AzureOpenAIProviderOptions options = ReadOptions(_config, providerName);
        _configure?.Invoke(providerName, options);
        return new AzureOpenAIModelProvider(providerName, options);
    }

    /// <summary>Reads <c>Executus:Providers:{name}:*</c> into options.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="providerName">The provider name.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed.</exception>
    public static AzureOpenAIProviderOptions ReadOptions(IConfigSource config, string providerName)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        string prefix = ProviderSettings.Prefix(providerName);
        var options = new AzureOpenAIProviderOptions();
        options.Endpoint = ProviderSettings.ReadUrl(config, prefix + "Endpoint", "an absolute https URL such as 'https://my-resource.openai.azure.com/'") ?? options.Endpoint;

        options.ApiKey = config.GetString(prefix + "ApiKey");
        if (config.GetString(prefix + "ApiVersion") is { } version)
        {
            if (!IsApiVersion(version))
            {
                throw new ConfigException(prefix + "ApiVersion", version, "an Azure OpenAI API version such as '2024-10-21' or '2025-01-01-preview'");
            }

            options.ApiVersion = version;
        }

        options.MaxRetries = ProviderSettings.ReadMaxRetries(config, prefix, options.MaxRetries);
        options.NetworkTimeout = ProviderSettings.ReadNetworkTimeout(config, prefix, options.NetworkTimeout);

        return options;
    }

    internal static bool IsApiVersion(string? value) => value is not null && ApiVersionPattern().IsMatch(value);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersionPattern();
}
