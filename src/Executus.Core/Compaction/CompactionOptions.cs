using Executus.Configuration;

namespace Executus.Compaction;

/// <summary>
/// When and how far <see cref="TokenBudgetCompactor"/> compacts: fractions of the model's context window, or composed
/// <see cref="Trigger"/> and <see cref="Target"/> objects. Read from <c>Executus:Compaction:*</c> by <see cref="FromConfig"/>
/// (<c>TriggerMessages</c> adds a message-count trigger beside the fraction).
/// </summary>
public sealed class CompactionOptions
{
    /// <summary>The configuration prefix: <c>Executus:Compaction:</c>.</summary>
    public const string Prefix = "Executus:Compaction:";

    /// <summary>Gets or sets the model's context window in tokens when the caller does not give one (default 128,000).</summary>
    public int ContextWindowTokens { get; set; } = 128_000;

    /// <summary>
    /// Gets or sets the tokens reserved from the window for the model's answer (its max output tokens; default 0). The
    /// trigger and target fractions apply to the window less this reserve.
    /// </summary>
    public int ReservedOutputTokens { get; set; }

    /// <summary>Gets or sets the fraction of the window above which compaction starts (default 0.8).</summary>
    public double TriggerFraction { get; set; } = 0.8;

    /// <summary>Gets or sets the fraction of the window compaction reduces to (default 0.5); at most <see cref="TriggerFraction"/>.</summary>
    public double TargetFraction { get; set; } = 0.5;

    /// <summary>
    /// Gets or sets the largest tool result kept whole, in tokens (default 8,000; 0 disables trimming). A larger result
    /// keeps its head and tail with a visible marker in between, whether or not compaction is triggered.
    /// </summary>
    public int MaxToolResultTokens { get; set; } = 8_000;

    /// <summary>
    /// Gets or sets how many of the most recent turns (a message, or a function call with its results) are never
    /// evicted, summarized or removed (default 4).
    /// </summary>
    public int KeepRecentTurns { get; set; } = 4;

    /// <summary>Gets or sets the length limit given to the summarizing model, in words (default 300).</summary>
    public int SummaryMaxWords { get; set; } = 300;

    /// <summary>
    /// Gets or sets when compaction starts; when null (the default), <see cref="CompactionTrigger.FractionExceeds"/> of
    /// <see cref="TriggerFraction"/>. Compose triggers with <see cref="CompactionTrigger.Any"/> and
    /// <see cref="CompactionTrigger.All"/>.
    /// </summary>
    public CompactionTrigger? Trigger { get; set; }

    /// <summary>
    /// Gets or sets how far a triggered compaction reduces the conversation; when null (the default),
    /// <see cref="CompactionTarget.Fraction"/> of <see cref="TargetFraction"/>.
    /// </summary>
    public CompactionTarget? Target { get; set; }

    /// <summary>Gets the trigger in effect: <see cref="Trigger"/>, or one built from <see cref="TriggerFraction"/>.</summary>
    internal CompactionTrigger EffectiveTrigger => Trigger ?? CompactionTrigger.FractionExceeds(TriggerFraction);

    /// <summary>Gets the target in effect: <see cref="Target"/>, or one built from <see cref="TargetFraction"/>.</summary>
    internal CompactionTarget EffectiveTarget => Target ?? CompactionTarget.Fraction(TargetFraction);

    /// <summary>Reads options from <paramref name="config"/>, with defaults for missing keys.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range.</exception>
    public static CompactionOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = new CompactionOptions();
        var options = new CompactionOptions
        {
            ContextWindowTokens = config.GetInt(Prefix + "ContextWindowTokens", defaults.ContextWindowTokens, min: 256),
            ReservedOutputTokens = config.GetInt(Prefix + "ReservedOutputTokens", defaults.ReservedOutputTokens, min: 0),
            TriggerFraction = config.GetDouble(Prefix + "TriggerFraction", defaults.TriggerFraction, min: 0.05, max: 1.0),
            TargetFraction = config.GetDouble(Prefix + "TargetFraction", defaults.TargetFraction, min: 0.01, max: 1.0),
            MaxToolResultTokens = config.GetInt(Prefix + "MaxToolResultTokens", defaults.MaxToolResultTokens, min: 0),
            KeepRecentTurns = config.GetInt(Prefix + "KeepRecentTurns", defaults.KeepRecentTurns, min: 0),
            SummaryMaxWords = config.GetInt(Prefix + "SummaryMaxWords", defaults.SummaryMaxWords, min: 10),
        };

        // Why: a message-count trigger composes with the size trigger (either starts compaction) rather than replacing it.
        int triggerMessages = config.GetInt(Prefix + "TriggerMessages", 0, min: 0);
        if (triggerMessages > 0)
        {
            options.Trigger = CompactionTrigger.Any(CompactionTrigger.FractionExceeds(options.TriggerFraction), CompactionTrigger.MessagesExceed(triggerMessages));
        }
        if (options.TargetFraction > options.TriggerFraction)
        {
            throw new ConfigException(
                Prefix + "TargetFraction",
                options.TargetFraction.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"a fraction no larger than {Prefix}TriggerFraction ({options.TriggerFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }

        if (options.ReservedOutputTokens >= options.ContextWindowTokens)
        {
            throw new ConfigException(
                Prefix + "ReservedOutputTokens",
                options.ReservedOutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"fewer tokens than {Prefix}ContextWindowTokens ({options.ContextWindowTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }

        return options;
    }

    internal void Validate()
    {
        if (ContextWindowTokens < 1 || ReservedOutputTokens < 0 || ReservedOutputTokens >= ContextWindowTokens || TriggerFraction is <= 0 or > 1 || TargetFraction is <= 0 || TargetFraction > TriggerFraction ||
            MaxToolResultTokens < 0 || KeepRecentTurns < 0 || SummaryMaxWords < 1)
        {
            throw new ArgumentException(
                "Compaction options are out of range: the window must be positive and larger than the reserved output tokens, 0 < target <= trigger <= 1, and the counts non-negative.");
        }
    }
}
