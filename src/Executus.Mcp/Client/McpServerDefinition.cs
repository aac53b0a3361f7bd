namespace Executus.Mcp;

/// <summary>
/// One MCP server Executus connects to (<c>Executus:Mcp:Servers:{name}:…</c>): a local process spoken to over stdio
/// (<see cref="Command"/>) or a streamable HTTP endpoint (<see cref="Url"/>).
/// </summary>
public sealed class McpServerDefinition
{
    /// <summary>Initializes a new instance of the <see cref="McpServerDefinition"/> class.</summary>
    /// <param name="name">The server's name: the default tool-name prefix and what errors and logs name.</param>
    public McpServerDefinition(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>Gets the server's name.</summary>
    public string Name { get; }

    /// <summary>Gets or sets the executable of a stdio server (<c>Command</c>).</summary>
    public string? Command { get; set; }

    /// <summary>Gets the arguments of a stdio server (<c>Args</c>, an array).</summary>
    public IList<string> Arguments { get; } = new List<string>();

    /// <summary>Gets the environment variables set for a stdio server (<c>Env:{NAME}</c>); the host's own are inherited.</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the working directory of a stdio server (<c>WorkingDirectory</c>).</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Gets or sets the streamable HTTP endpoint of a remote server (<c>Url</c>).</summary>
    public Uri? Url { get; set; }

    /// <summary>Gets the HTTP headers sent to a remote server (<c>Headers:{Name}</c>), for example an authorization header.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets whether a remote server may be on a private or loopback address (<c>AllowPrivateNetwork</c>): its
    /// requests then bypass the SSRF guard. Default <see langword="false"/>: the SSRF-safe client refuses internal
    /// addresses unless <c>Executus:Net:Ssrf:AllowHosts|AllowCidrs</c> lists them.
    /// </summary>
    public bool AllowPrivateNetwork { get; set; }

    /// <summary>Gets or sets the tool-name prefix (<c>Prefix</c>); default the server's <see cref="Name"/>.</summary>
    public string? Prefix { get; set; }

    /// <summary>Gets or sets when the server starts (<c>Start</c>: <c>Eager</c> (default) or <c>Lazy</c>).</summary>
    public McpServerStartMode StartMode { get; set; } = McpServerStartMode.Eager;

    /// <summary>Gets or sets how long one tool call may take (<c>CallTimeout</c>, default 2 minutes); the run's own
    /// cancellation and deadline apply as well.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how long starting (launch + initialize + list) may take (<c>StartTimeout</c>, default 60 s).</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the most characters of a tool result given to the model (<c>MaxResultChars</c>, default
    /// 32,000); longer results are cut with a visible note.</summary>
    public int MaxResultChars { get; set; } = 32_000;

    /// <summary>Gets or sets the first restart delay after a crash (<c>RestartDelay</c>, default 1 s); it doubles per failed attempt.</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest restart delay (<c>MaxRestartDelay</c>, default 1 minute).</summary>
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how many restarts in a row may fail before the server is marked
    /// <see cref="McpServerState.Failed"/> (<c>MaxRestartAttempts</c>, default 5); a successful start resets the count.</summary>
    public int MaxRestartAttempts { get; set; } = 5;

    /// <summary>Gets the scopes a caller must all have for every tool of this server (<c>RequiredScopes</c>).</summary>
    public IList<string> RequiredScopes { get; } = new List<string>();

    /// <summary>Gets the roles of which a caller needs one for every tool of this server (<c>RequiredRoles</c>).</summary>
    public IList<string> RequiredRoles { get; } = new List<string>();

    /// <summary>Gets the per-tool settings by the server's own tool name (<c>Tools:{tool}:…</c>).</summary>
    public IDictionary<string, McpToolOverride> Tools { get; } = new Dictionary<string, McpToolOverride>(StringComparer.Ordinal);

    /// <summary>Gets the transport this server uses: <c>stdio</c> or <c>http</c>.</summary>
    public string Transport => Url is null ? "stdio" : "http";

    /// <summary>Gets what errors name as the server's target: the command line or the URL.</summary>
    public string Target => Url is not null
        ? Url.GetLeftPart(UriPartial.Path)
        : string.Join(' ', new[] { Command ?? string.Empty }.Concat(Arguments));

    /// <summary>Checks the definition.</summary>
    /// <exception cref="Configuration.ConfigException">Neither or both of <see cref="Command"/> and <see cref="Url"/> are
    /// set, or a number is out of range.</exception>
    public void Validate()
    {
        string key = $"{McpServersOptions.ServersSection}:{Name}";
        if (string.IsNullOrWhiteSpace(Command) == (Url is null))
        {
            throw new Configuration.ConfigException(
                $"MCP server '{Name}': set exactly one of {key}:Command (stdio) or {key}:Url (streamable HTTP).");
        }

        if (Url is not null && Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps)
        {
            throw new Configuration.ConfigException($"{key}:Url", Url.ToString(), "an absolute http or https URL");
        }

        if (CallTimeout <= TimeSpan.Zero || StartTimeout <= TimeSpan.Zero || RestartDelay <= TimeSpan.Zero || MaxRestartDelay < RestartDelay)
        {
            throw new Configuration.ConfigException(
                $"MCP server '{Name}': CallTimeout, StartTimeout and RestartDelay must be positive and MaxRestartDelay at least RestartDelay.");
        }

        if (MaxResultChars < 100)
        {
            throw new Configuration.ConfigException($"{key}:MaxResultChars", MaxResultChars.ToString(System.Globalization.CultureInfo.InvariantCulture), "at least 100");
        }

        if (MaxRestartAttempts < 0)
        {
            throw new Configuration.ConfigException($"{key}:MaxRestartAttempts", MaxRestartAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture), "zero or more");
        }
    }
}
