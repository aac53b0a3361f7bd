using Executus.Identity;

namespace Executus.Mcp;

/// <summary>One API key accepted by the MCP agent server over HTTP, and the caller it stands for.</summary>
public sealed class McpApiKey
{
    /// <summary>Initializes a new instance of the <see cref="McpApiKey"/> class.</summary>
    /// <param name="key">The secret key a client sends (<c>Authorization: Bearer {key}</c> or <c>X-Api-Key: {key}</c>).</param>
    /// <param name="caller">The caller identity runs started with this key get.</param>
    public McpApiKey(string key, CallerIdentity caller)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(caller);
        Key = key;
        Caller = caller;
    }

    /// <summary>Gets the secret key.</summary>
    public string Key { get; }

    /// <summary>Gets the caller identity.</summary>
    public CallerIdentity Caller { get; }
}
