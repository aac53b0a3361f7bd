using Executus.Attachments;
using Executus.Configuration;
using Executus.Tooling;

namespace Executus.Runs;

/// <summary>Settings of the <see cref="Executor"/>.</summary>
public sealed class ExecutorOptions
{
    /// <summary>The prefix of the executor's configuration keys.</summary>
    public const string Prefix = "Executus:Runs:";

    /// <summary>Gets or sets the timeout of runs whose agent sets none (<c>Executus:Runs:DefaultTimeout</c>, default 10 minutes).</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how long delivery may take after the run ended (<c>Executus:Runs:DeliveryTimeout</c>, default 30 s).</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the per-run attachment limits.</summary>
    public PendingAttachmentsOptions Attachments { get; set; } = new();

    /// <summary>Gets or sets the approval hook of stage 3 of the tool permissions, if any.</summary>
    public IToolApprovalHandler? ApprovalHandler { get; set; }

    /// <summary>Gets or sets argument validators applied to every tool call (stage 3), in addition to each tool's own.</summary>
    public IReadOnlyList<IToolArgumentValidator> ToolValidators { get; set; } = [];

    /// <summary>Gets or sets the services handed to tools through their invocation context.</summary>
    public IServiceProvider? Services { get; set; }

    /// <summary>Reads the options from configuration.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed.</exception>
    public static ExecutorOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new ExecutorOptions();
        options.DefaultTimeout = config.GetDuration(Prefix + "DefaultTimeout", options.DefaultTimeout);
        options.DeliveryTimeout = config.GetDuration(Prefix + "DeliveryTimeout", options.DeliveryTimeout);
        if (options.DefaultTimeout <= TimeSpan.Zero)
        {
            throw new ConfigException(Prefix + "DefaultTimeout", "0", "a positive duration");
        }

        return options;
    }
}
