using Executus.Configuration;
using Executus.Tooling;
using Microsoft.Extensions.Configuration;

namespace Executus.Mcp;

/// <summary>
/// The MCP servers whose tools Executus registers (<c>Executus:Mcp:…</c>), and how their tools are named.
/// </summary>
public sealed class McpServersOptions
{
    /// <summary>The configuration section of the servers: <c>Executus:Mcp:Servers:{name}:…</c>.</summary>
    public const string ServersSection = "Executus:Mcp:Servers";

    /// <summary>The default separator between the prefix and the tool name.</summary>
    /// <remarks>Why not '.': OpenAI (and Anthropic) accept only <c>[a-zA-Z0-9_-]</c> in function names, so
    /// <c>{server}.{tool}</c> would be refused by the model APIs; <c>{server}__{tool}</c> is the common MCP spelling.</remarks>
    public const string DefaultToolNameSeparator = "__";

    /// <summary>Gets the servers.</summary>
    public IList<McpServerDefinition> Servers { get; } = new List<McpServerDefinition>();

    /// <summary>Gets or sets the separator between the prefix and the tool name (<c>Executus:Mcp:ToolNameSeparator</c>,
    /// default <c>__</c>): a registered tool is named <c>{prefix}{separator}{tool}</c>.</summary>
    public string ToolNameSeparator { get; set; } = DefaultToolNameSeparator;

    /// <summary>Reads the servers under <c>Executus:Mcp:Servers</c> of <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <returns>The options read.</returns>
    /// <exception cref="ConfigException">A value is malformed (the key and value are named).</exception>
    public static McpServersOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        McpServersOptions options = new();
        options.ApplyConfiguration(configuration);
        return options;
    }

    /// <summary>Adds the servers configured under <c>Executus:Mcp:Servers</c> (a configured server whose name is already
    /// in <see cref="Servers"/> updates that one).</summary>
    /// <param name="configuration">The host's configuration.</param>
    /// <exception cref="ConfigException">A value is malformed (the key and value are named).</exception>
    public void ApplyConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ConfigurationConfigSource config = new(configuration);
        ToolNameSeparator = config.GetString("Executus:Mcp:ToolNameSeparator", ToolNameSeparator)!;
        foreach (IConfigurationSection section in configuration.GetSection(ServersSection).GetChildren())
        {
            McpServerDefinition server = Servers.FirstOrDefault(s => string.Equals(s.Name, section.Key, StringComparison.OrdinalIgnoreCase))
                ?? Add(new McpServerDefinition(section.Key));
            string key = $"{ServersSection}:{section.Key}";
            server.Command = config.GetString($"{key}:Command", server.Command);
            AddAll(server.Arguments, config.GetList($"{key}:Args"));
            server.WorkingDirectory = config.GetString($"{key}:WorkingDirectory", server.WorkingDirectory);
            if (config.GetString($"{key}:Url") is { } url)
            {
                server.Url = Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
                    ? uri
                    : throw new ConfigException($"{key}:Url", url, "an absolute http or https URL");
            }

            foreach (IConfigurationSection env in section.GetSection("Env").GetChildren())
            {
                server.Environment[env.Key] = env.Value ?? string.Empty;
            }

            foreach (IConfigurationSection header in section.GetSection("Headers").GetChildren())
            {
                server.Headers[header.Key] = header.Value ?? string.Empty;
            }

            server.AllowPrivateNetwork = config.GetBool($"{key}:AllowPrivateNetwork", server.AllowPrivateNetwork);
            server.Prefix = config.GetString($"{key}:Prefix", server.Prefix);
            server.StartMode = config.GetEnum($"{key}:Start", server.StartMode);
            server.CallTimeout = config.GetDuration($"{key}:CallTimeout", server.CallTimeout);
            server.StartTimeout = config.GetDuration($"{key}:StartTimeout", server.StartTimeout);
            server.MaxResultChars = config.GetInt($"{key}:MaxResultChars", server.MaxResultChars, min: 100);
            server.RestartDelay = config.GetDuration($"{key}:RestartDelay", server.RestartDelay);
            server.MaxRestartDelay = config.GetDuration($"{key}:MaxRestartDelay", server.MaxRestartDelay);
            server.MaxRestartAttempts = config.GetInt($"{key}:MaxRestartAttempts", server.MaxRestartAttempts, min: 0);
            AddAll(server.RequiredScopes, config.GetList($"{key}:RequiredScopes"));
            AddAll(server.RequiredRoles, config.GetList($"{key}:RequiredRoles"));
            foreach (IConfigurationSection tool in section.GetSection("Tools").GetChildren())
            {
                string toolKey = $"{key}:Tools:{tool.Key}";
                if (!server.Tools.TryGetValue(tool.Key, out McpToolOverride? o))
                {
                    server.Tools[tool.Key] = o = new McpToolOverride();
                }

                if (config.GetString($"{toolKey}:SideEffect") is not null)
                {
                    o.SideEffect = config.GetEnum($"{toolKey}:SideEffect", SideEffect.Read);
                }

                if (config.GetString($"{toolKey}:NeedsApproval") is not null)
                {
                    o.NeedsApproval = config.GetBool($"{toolKey}:NeedsApproval", false);
                }

                if (config.GetString($"{toolKey}:SafeToRepeat") is not null)
                {
                    o.SafeToRepeat = config.GetBool($"{toolKey}:SafeToRepeat", false);
                }

                AddAll(o.RequiredScopes, config.GetList($"{toolKey}:RequiredScopes"));
                AddAll(o.RequiredRoles, config.GetList($"{toolKey}:RequiredRoles"));
                o.Description = config.GetString($"{toolKey}:Description", o.Description);
            }
        }
    }

    /// <summary>Checks every server and that names and prefixes are unique.</summary>
    /// <exception cref="ConfigException">A server is misconfigured or two share a name or prefix.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(ToolNameSeparator))
        {
            throw new ConfigException("Executus:Mcp:ToolNameSeparator", ToolNameSeparator, "a non-empty separator such as __");
        }

        HashSet<string> prefixes = new(StringComparer.Ordinal);
        HashSet<string> names = new(StringComparer.OrdinalIgnoreCase);
        foreach (McpServerDefinition server in Servers)
        {
            server.Validate();
            if (!names.Add(server.Name))
            {
                throw new ConfigException($"MCP server '{server.Name}' is configured twice.");
            }

            if (!prefixes.Add(McpToolNames.Sanitize(server.Prefix ?? server.Name)))
            {
                throw new ConfigException($"MCP server '{server.Name}': its tool prefix '{server.Prefix ?? server.Name}' is used by another server; set {ServersSection}:{server.Name}:Prefix.");
            }
        }
    }

    private McpServerDefinition Add(McpServerDefinition server)
    {
        Servers.Add(server);
        return server;
    }

    private static void AddAll(IList<string> target, IReadOnlyList<string> values)
    {
        foreach (string value in values)
        {
            if (!target.Contains(value))
            {
                target.Add(value);
            }
        }
    }
}
