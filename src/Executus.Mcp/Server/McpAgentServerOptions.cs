using Executus.Configuration;
using Executus.Identity;
using Microsoft.Extensions.Configuration;

namespace Executus.Mcp;

/// <summary>
/// How Executus agents are served as MCP tools (<c>Executus:Mcp:AgentServer:…</c>).
/// </summary>
public sealed class McpAgentServerOptions
{
    /// <summary>The configuration section: <c>Executus:Mcp:AgentServer</c>.</summary>
    public const string SectionName = "Executus:Mcp:AgentServer";

    /// <summary>Gets or sets the server name reported to clients (<c>Name</c>, default <c>executus</c>).</summary>
    public string ServerName { get; set; } = "executus";

    /// <summary>Gets the agents served (<c>Agents</c>, a list of catalog names); empty serves every agent of the catalog.</summary>
    public IList<string> Agents { get; } = new List<string>();

    /// <summary>Gets the API keys accepted over HTTP (<c>ApiKeys:{callerId}:Key</c> with optional <c>DisplayName</c>,
    /// <c>Tenant</c>, <c>Roles</c>, <c>Scopes</c>). A request without a known key is refused with 401.</summary>
    public IList<McpApiKey> ApiKeys { get; } = new List<McpApiKey>();

    /// <summary>Gets or sets whether HTTP requests without a key are served as <see cref="CallerIdentity.Anonymous"/>
    /// (<c>AllowAnonymous</c>, default <see langword="false"/>).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Gets or sets the caller of runs started over stdio or a stream (<c>Stdio:CallerId</c>, <c>Stdio:Roles</c>,
    /// <c>Stdio:Scopes</c>); <see langword="null"/> leaves it to the host's <see cref="ICallerIdentityResolver"/>, which
    /// receives an <see cref="McpCallerContext"/>.</summary>
    public CallerIdentity? StdioCaller { get; set; }

    /// <summary>Gets or sets the most characters of input text accepted per call (<c>MaxInputChars</c>, default 100,000).</summary>
    public int MaxInputChars { get; set; } = 100_000;

    /// <summary>Reads <c>Executus:Mcp:AgentServer</c> from <paramref name="configuration"/> into these options.</summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <exception cref="ConfigException">A value is malformed.</exception>
    public void ApplyConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ConfigurationConfigSource config = new(configuration);
        ServerName = config.GetString($"{SectionName}:Name", ServerName)!;
        foreach (string agent in config.GetList($"{SectionName}:Agents"))
        {
            if (!Agents.Contains(agent))
            {
                Agents.Add(agent);
            }
        }

        AllowAnonymous = config.GetBool($"{SectionName}:AllowAnonymous", AllowAnonymous);
        MaxInputChars = config.GetInt($"{SectionName}:MaxInputChars", MaxInputChars, min: 1);
        foreach (IConfigurationSection key in configuration.GetSection($"{SectionName}:ApiKeys").GetChildren())
        {
            string prefix = $"{SectionName}:ApiKeys:{key.Key}";
            ApiKeys.Add(new McpApiKey(config.GetRequiredString($"{prefix}:Key"), Identity(config, prefix, key.Key)));
        }

        if (config.GetString($"{SectionName}:Stdio:CallerId") is { } stdioId)
        {
            StdioCaller = Identity(config, $"{SectionName}:Stdio", stdioId);
        }
    }

    private static CallerIdentity Identity(ConfigurationConfigSource config, string prefix, string id) => new(
        id,
        config.GetString($"{prefix}:DisplayName", id)!,
        config.GetString($"{prefix}:Tenant"),
        config.GetList($"{prefix}:Roles"),
        config.GetList($"{prefix}:Scopes"));
}
