using Executus.Attachments;
using Executus.Compaction;
using Executus.Configuration;
using Executus.Identity;
using Executus.Tooling;

namespace Executus.Runs;

/// <summary>
/// Settings of the <see cref="Executor"/>. When <see cref="Config"/> is set (as <c>AddExecutus()</c> does), the
/// <c>Executus:Runs:*</c> values and the attachment limits are read from it at every run, so they can change at run time.
/// </summary>
public sealed class ExecutorOptions
{
    /// <summary>The prefix of the executor's configuration keys.</summary>
    public const string Prefix = "Executus:Runs:";

    /// <summary>The value of <c>Executus:Runs:DefaultTimeout</c> that means no limit (case-insensitive; <c>none</c> too).</summary>
    public const string InfiniteValue = "infinite";

    /// <summary>
    /// Gets or sets the timeout of runs whose agent sets none (<c>Executus:Runs:DefaultTimeout</c>, default 10 minutes).
    /// <see cref="Timeout.InfiniteTimeSpan"/> (config: <c>infinite</c>) means no limit; long spans such as <c>60d</c> are honoured.
    /// </summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how long delivery and the other end-of-run port work may take (<c>Executus:Runs:DeliveryTimeout</c>, default 30 s).</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long a tool that ignores its cancellation token may keep a timed-out or cancelled run waiting
    /// (<c>Executus:Runs:ToolGrace</c>, default 2 s). After it the run ends and the tool is left running detached: it is
    /// logged and counted (<c>executus.run.tools_detached</c>), and its side effect may still happen.
    /// </summary>
    public TimeSpan ToolGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets the per-run attachment limits.</summary>
    public PendingAttachmentsOptions Attachments { get; set; } = new();

    /// <summary>Gets or sets the approval hook of stage 3 of the tool permissions, if any.</summary>
    public IToolApprovalHandler? ApprovalHandler { get; set; }

    /// <summary>Gets or sets argument validators applied to every tool call (stage 3), in addition to each tool's own.</summary>
    public IReadOnlyList<IToolArgumentValidator> ToolValidators { get; set; } = [];

    /// <summary>Gets or sets the services handed to tools through their invocation context.</summary>
    public IServiceProvider? Services { get; set; }

    /// <summary>Gets or sets who resolves the caller of a request that names none (anonymous when null).</summary>
    public ICallerIdentityResolver? CallerResolver { get; set; }

    /// <summary>Gets or sets the counter that estimates a call's input tokens for budget checks (the estimate when null).</summary>
    public ITokenCounter? TokenCounter { get; set; }

    /// <summary>Gets or sets the configuration read at every run (<c>Executus:Runs:*</c>, <c>Executus:Attachments:*</c>); none when null.</summary>
    public IConfigSource? Config { get; set; }

    /// <summary>Gets or sets a source of the attachment limits read per run (the DI container's options factory).</summary>
    internal Func<PendingAttachmentsOptions>? AttachmentsProvider { get; set; }

    /// <summary>Reads the options from configuration (once; set <see cref="Config"/> to read them at every run).</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed.</exception>
    public static ExecutorOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new ExecutorOptions();
        options.ReadFrom(config);
        return options;
    }

    /// <summary>Checks the settings, throwing an <see cref="ArgumentOutOfRangeException"/> naming the bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A duration is out of range.</exception>
    public void Validate()
    {
        if (DefaultTimeout <= TimeSpan.Zero && DefaultTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultTimeout), DefaultTimeout, "DefaultTimeout must be positive, or Timeout.InfiniteTimeSpan for no limit.");
        }

        if (DeliveryTimeout <= TimeSpan.Zero || DeliveryTimeout > RunnableAgent.MaxFiniteTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(DeliveryTimeout), DeliveryTimeout, $"DeliveryTimeout must be positive and at most {RunnableAgent.MaxFiniteTimeout.TotalDays:0.#} days.");
        }

        if (ToolGrace < TimeSpan.Zero || ToolGrace > RunnableAgent.MaxFiniteTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(ToolGrace), ToolGrace, $"ToolGrace must be zero or positive and at most {RunnableAgent.MaxFiniteTimeout.TotalDays:0.#} days.");
        }

        Attachments.Validate();
    }

    /// <summary>The settings for one run: this object, or a copy refreshed from <see cref="Config"/>.</summary>
    internal ExecutorOptions ForRun()
    {
        if (Config is null && AttachmentsProvider is null)
        {
            return this;
        }

        var run = (ExecutorOptions)MemberwiseClone();
        if (Config is not null)
        {
            run.ReadFrom(Config);
        }

        if (AttachmentsProvider is not null)
        {
            run.Attachments = AttachmentsProvider();
        }
        else if (Config is not null)
        {
            run.Attachments = ReadAttachments(Config, Attachments);
        }

        run.Validate();
        return run;
    }

    private static PendingAttachmentsOptions ReadAttachments(IConfigSource config, PendingAttachmentsOptions defaults)
    {
        const string AttachmentsPrefix = ExecutusOptions.SectionName + ":Attachments:";
        return new PendingAttachmentsOptions
        {
            MaxCount = config.GetInt(AttachmentsPrefix + "MaxCount", defaults.MaxCount, min: 1),
            MaxTotalBytes = config.GetLong(AttachmentsPrefix + "MaxTotalBytes", defaults.MaxTotalBytes, min: 1),
            NameConflict = config.GetEnum(AttachmentsPrefix + "NameConflict", defaults.NameConflict),
        };
    }

    private void ReadFrom(IConfigSource config)
    {
        string raw = config.GetString(Prefix + "DefaultTimeout") ?? string.Empty;
        DefaultTimeout = raw.Trim() is var trimmed && (trimmed.Equals(InfiniteValue, StringComparison.OrdinalIgnoreCase) || trimmed.Equals("none", StringComparison.OrdinalIgnoreCase))
            ? Timeout.InfiniteTimeSpan
            : config.GetDuration(Prefix + "DefaultTimeout", DefaultTimeout);
        if (DefaultTimeout == TimeSpan.Zero)
        {
            throw new ConfigException(Prefix + "DefaultTimeout", raw, "a positive duration, or 'infinite' for no limit");
        }

        DeliveryTimeout = config.GetDuration(Prefix + "DeliveryTimeout", DeliveryTimeout);
        if (DeliveryTimeout == TimeSpan.Zero || DeliveryTimeout > RunnableAgent.MaxFiniteTimeout)
        {
            throw new ConfigException(Prefix + "DeliveryTimeout", config.GetString(Prefix + "DeliveryTimeout"), "a positive duration of at most 49 days");
        }

        ToolGrace = config.GetDuration(Prefix + "ToolGrace", ToolGrace);
        if (ToolGrace > RunnableAgent.MaxFiniteTimeout)
        {
            throw new ConfigException(Prefix + "ToolGrace", config.GetString(Prefix + "ToolGrace"), "a duration of at most 49 days");
        }
    }
}
