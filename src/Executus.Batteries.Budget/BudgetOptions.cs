using System.Globalization;
using Executus.Configuration;

namespace Executus.Batteries.Budget;

/// <summary>
/// The Budget battery's settings. <see cref="FromConfig"/> reads them from <c>Executus:Budget:*</c>:
/// <list type="bullet">
/// <item><c>Window</c>: the rolling window (default <c>7d</c>).</item>
/// <item><c>Scopes</c>: the limit entries, comma-separated: <c>global</c>, <c>tenant</c>, <c>caller</c>, <c>agent</c>
/// (every account of that scope) or <c>scope:key</c> (one account, replacing the scope-wide limit for it).</item>
/// <item><c>Limits:{entry}:Tokens</c> and/or <c>Limits:{entry}:Money</c>: each listed entry's limits
/// (e.g. <c>Executus:Budget:Limits:tenant:acme:Money</c>); <c>Limits:{entry}:SoftPercent</c> overrides the default.</item>
/// <item><c>SoftLimitPercent</c>: the soft limit as a percentage of each limit (default 80; 0 turns warnings off).</item>
/// <item><c>Prices:{provider:model}:Input|Output</c>, <c>Prices:Fallback:Input|Output</c>: see <see cref="ModelPriceTable"/>.</item>
/// <item><c>Estimate</c>: <see cref="BudgetEstimateMode"/> (default PreviousCall); <c>FixedEstimateTokens</c> (default 4096).</item>
/// <item><c>ReservationTimeout</c>: how long an unsettled reservation holds budget (default <c>10m</c>).</item>
/// <item><c>ShowRemainingToModel</c>: once past the soft limit, tell the model the remaining budget in one system line (default false).</item>
/// </list>
/// Bad input (negative limits, an unknown scope, an entry without a limit, malformed prices) is a
/// <see cref="ConfigException"/> naming the key.
/// </summary>
public sealed class BudgetOptions
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Budget:";

    /// <summary>The default rolling window: 7 days.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    /// <summary>Gets or sets the rolling window.</summary>
    public TimeSpan Window { get; set; } = DefaultWindow;

    /// <summary>Gets the limits.</summary>
    public IList<BudgetLimit> Limits { get; } = [];

    /// <summary>Gets or sets the default soft limit as a percentage (1–100) of each limit; 0 or null turns warnings off.</summary>
    public double? SoftLimitPercent { get; set; } = 80;

    /// <summary>Gets or sets the price table.</summary>
    public ModelPriceTable Prices { get; set; } = new();

    /// <summary>Gets or sets how the amount reserved before a call is estimated.</summary>
    public BudgetEstimateMode Estimate { get; set; } = BudgetEstimateMode.PreviousCall;

    /// <summary>Gets or sets the fixed estimate in tokens (also used when the chosen mode has nothing to go on).</summary>
    public long FixedEstimateTokens { get; set; } = 4096;

    /// <summary>Gets or sets how long an unsettled reservation holds budget before it expires.</summary>
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets whether, past the soft limit, the model is shown the remaining budget in one system line.</summary>
    public bool ShowRemainingToModel { get; set; }

    /// <summary>Reads the options from <paramref name="config"/> (prices are read from it at every lookup).</summary>
    /// <param name="config">The source.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ConfigException">A value is malformed; the exception names the key.</exception>
    public static BudgetOptions FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new BudgetOptions
        {
            Prices = new ModelPriceTable(config),
            Window = config.GetDuration(ConfigPrefix + "Window", DefaultWindow),
            SoftLimitPercent = config.GetDouble(ConfigPrefix + "SoftLimitPercent", 80, 0, 100),
            Estimate = config.GetEnum(ConfigPrefix + "Estimate", BudgetEstimateMode.PreviousCall),
            FixedEstimateTokens = config.GetLong(ConfigPrefix + "FixedEstimateTokens", 4096, 0),
            ReservationTimeout = config.GetDuration(ConfigPrefix + "ReservationTimeout", TimeSpan.FromMinutes(10)),
            ShowRemainingToModel = config.GetBool(ConfigPrefix + "ShowRemainingToModel", false),
        };
        if (options.Window <= TimeSpan.Zero)
        {
            throw new ConfigException(ConfigPrefix + "Window", options.Window.ToString("c", CultureInfo.InvariantCulture), "a positive duration");
        }

        if (options.ReservationTimeout <= TimeSpan.Zero)
        {
            throw new ConfigException(ConfigPrefix + "ReservationTimeout", options.ReservationTimeout.ToString("c", CultureInfo.InvariantCulture), "a positive duration");
        }

        string scopesKey = ConfigPrefix + "Scopes";
        foreach (string entry in config.GetList(scopesKey))
        {
            if (!TryParseEntry(entry, out BudgetScope scope, out string? key))
            {
                config.TryGet(scopesKey, out string? raw);
                throw new ConfigException(scopesKey, raw, $"a list of budget scopes (global, tenant, caller, agent, each optionally as scope:key); '{entry}' is not one");
            }

            options.Limits.Add(ReadLimit(config, entry, scope, key));
        }

        return options;
    }

    /// <summary>Checks the options (code-set limits are checked by <see cref="BudgetLimit"/>'s constructor).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The window, timeout, estimate or soft limit is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Window, TimeSpan.Zero, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReservationTimeout, TimeSpan.Zero, nameof(ReservationTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(FixedEstimateTokens, nameof(FixedEstimateTokens));
        if (SoftLimitPercent is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(SoftLimitPercent), SoftLimitPercent, "The soft limit is a percentage between 0 and 100.");
        }

        ArgumentNullException.ThrowIfNull(Prices, nameof(Prices));
    }

    private static bool TryParseEntry(string entry, out BudgetScope scope, out string? key)
    {
        int colon = entry.IndexOf(':', StringComparison.Ordinal);
        key = colon < 0 ? null : entry[(colon + 1)..].Trim();
        if (!BudgetScopeKey.TryParseScope(colon < 0 ? entry : entry[..colon], out scope))
        {
            return false;
        }

        // "global:x" names nothing; "tenant:" names no tenant.
        return colon < 0 || (scope != BudgetScope.Global && key!.Length > 0);
    }

    private static BudgetLimit ReadLimit(IConfigSource config, string entry, BudgetScope scope, string? key)
    {
        string prefix = $"{ConfigPrefix}Limits:{entry}:";
        long? tokens = config.TryGet(prefix + "Tokens", out string? rawTokens) && !string.IsNullOrWhiteSpace(rawTokens)
            ? config.GetLong(prefix + "Tokens", 0, 0)
            : null;
        decimal? money = ReadLimitMoney(config, prefix + "Money");
        if (tokens is null && money is null)
        {
            throw new ConfigException(prefix + "Tokens", null, $"a token limit ({prefix}Tokens) and/or a money limit ({prefix}Money) for the budget scope '{entry}' listed in {ConfigPrefix}Scopes");
        }

        double? soft = config.TryGet(prefix + "SoftPercent", out string? rawSoft) && !string.IsNullOrWhiteSpace(rawSoft)
            ? config.GetDouble(prefix + "SoftPercent", 0, 0, 100)
            : null;
        return new BudgetLimit(scope, key, tokens, money) { SoftLimitPercent = soft };
    }

    private static decimal? ReadLimitMoney(IConfigSource config, string key)
    {
        try
        {
            return ModelPriceTable.ReadMoney(config, key);
        }
        catch (ConfigException ex)
        {
            config.TryGet(key, out string? raw);
            throw new ConfigException(key, raw, "a non-negative money limit such as '25.00'", ex);
        }
    }
}
