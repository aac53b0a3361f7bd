using Executus.Tooling;

namespace Executus.Tools;

/// <summary>Which generic tool groups <c>AddGenericTools</c> adds, and their caps.</summary>
public sealed class GenericToolsOptions
{
    /// <summary>Gets or sets whether to add <c>web_fetch</c>. Default <see langword="true"/>.</summary>
    public bool Web { get; set; } = true;

    /// <summary>Gets or sets whether to add <c>dns_lookup</c> and <c>http_head</c>. Default <see langword="true"/>.</summary>
    public bool Net { get; set; } = true;

    /// <summary>Gets or sets whether to add the <c>memory_*</c> tools. Default <see langword="true"/>.</summary>
    public bool Memory { get; set; } = true;

    /// <summary>Gets or sets whether to add <c>run_agent</c>. Default <see langword="true"/>.</summary>
    public bool Compose { get; set; } = true;

    /// <summary>Gets or sets whether to add <c>list_tools</c>, <c>current_time</c> and <c>run_info</c>. Default <see langword="true"/>.</summary>
    public bool Meta { get; set; } = true;

    /// <summary>Gets or sets whether to add <c>send_message</c>. Default <see langword="true"/>.</summary>
    public bool Comms { get; set; } = true;

    /// <summary>Gets or sets the characters <c>web_fetch</c> returns when the model gives no <c>maxChars</c>. Default 20,000.</summary>
    public int WebDefaultMaxChars { get; set; } = 20_000;

    /// <summary>Gets or sets the most characters <c>web_fetch</c> returns whatever the model asks. Default 200,000.</summary>
    public int WebMaxChars { get; set; } = 200_000;

    /// <summary>
    /// Gets or sets the most body bytes <c>web_fetch</c> reads; the rest is cut with a marker. Default 2 MiB. The safe
    /// client's own <c>SsrfOptions.MaxResponseBytes</c> still applies (the smaller wins).
    /// </summary>
    public long WebMaxBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>
    /// Gets or sets the time a web or net tool call may take. Default 20 seconds. The safe client's own
    /// <c>SsrfOptions.Timeout</c> still applies (the smaller wins).
    /// </summary>
    public TimeSpan WebTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Gets or sets whose memory the <c>memory_*</c> tools use. Default <see cref="Tools.MemoryScope.Caller"/>.</summary>
    public MemoryScope MemoryScope { get; set; } = MemoryScope.Caller;

    /// <summary>Gets or sets the longest memory key, in characters. Default 128.</summary>
    public int MaxKeyLength { get; set; } = 128;

    /// <summary>Gets or sets the largest memory value, in UTF-8 bytes. Default 16 KiB.</summary>
    public int MaxValueBytes { get; set; } = 16 * 1024;

    /// <summary>Gets or sets the most keys one memory scope (caller × agent) may hold. Default 500.</summary>
    public int MaxKeysPerScope { get; set; } = 500;

    /// <summary>Gets or sets the longest <c>run_agent</c> input, in characters. Default 20,000.</summary>
    public int MaxAgentInputChars { get; set; } = 20_000;

    /// <summary>Gets or sets the longest <c>send_message</c> text, in characters. Default 4,000.</summary>
    public int MaxMessageChars { get; set; } = 4_000;

    /// <summary>
    /// Gets or sets a hook that changes each tool's metadata before it is registered (add required scopes or roles, ask
    /// for approval…). Receives the tool's name and its default metadata; returns the metadata to register.
    /// </summary>
    public Func<string, ToolMetadata, ToolMetadata>? ConfigureMetadata { get; set; }

    /// <summary>Checks the caps, throwing an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A cap is not positive, or the default exceeds the maximum.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(WebDefaultMaxChars, 1, nameof(WebDefaultMaxChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(WebMaxChars, WebDefaultMaxChars, nameof(WebMaxChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(WebMaxBytes, 1, nameof(WebMaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WebTimeout, TimeSpan.Zero, nameof(WebTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxKeyLength, 1, nameof(MaxKeyLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValueBytes, 1, nameof(MaxValueBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxKeysPerScope, 1, nameof(MaxKeysPerScope));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAgentInputChars, 1, nameof(MaxAgentInputChars));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageChars, 1, nameof(MaxMessageChars));
    }

    internal ToolMetadata Apply(string toolName, ToolMetadata metadata) =>
        ConfigureMetadata?.Invoke(toolName, metadata) ?? metadata;
}
