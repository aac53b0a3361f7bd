using System.Text.RegularExpressions;
using Executus.Configuration;

namespace Gadfly;

/// <summary>Gadfly's configuration, read only from <see cref="IConfigSource"/> (the environment in production).</summary>
public sealed partial class GadflySettings
{
    /// <summary>Comma-separated models: tier names or <c>provider:model</c> references. Unset: two scripted models.</summary>
    public const string ModelsKey = "GADFLY_MODELS";

    /// <summary>Comma-separated lens names. Default: correctness, security, performance, readability.</summary>
    public const string LensesKey = "GADFLY_LENSES";

    /// <summary>How many cells (model × lens) run at once. Default 4, 1 to 64.</summary>
    public const string ConcurrencyKey = "GADFLY_CONCURRENCY";

    /// <summary>How long one cell may take (<c>90s</c>, <c>2m</c>, <c>00:01:30</c>). Default 2 minutes.</summary>
    public const string CellTimeoutKey = "GADFLY_CELL_TIMEOUT";

    /// <summary>How many times a model is asked for a valid structured answer per cell. Default 3, 1 to 10.</summary>
    public const string MaxAttemptsKey = "GADFLY_MAX_ATTEMPTS";

    /// <summary>The severity from which the exit code is 1: info, low, medium, high (default), critical, or none.</summary>
    public const string FailOnKey = "GADFLY_FAIL_ON";

    /// <summary>Where to write the JSON report; unset: none.</summary>
    public const string JsonKey = "GADFLY_JSON";

    /// <summary>Where to write the SARIF 2.1.0 report; unset: none.</summary>
    public const string SarifKey = "GADFLY_SARIF";

    /// <summary>Gets the configured models (empty: the scripted offline models).</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>Gets the lenses, in order.</summary>
    public required IReadOnlyList<Lens> Lenses { get; init; }

    /// <summary>Gets how many cells run at once.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Gets the per-cell timeout.</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets how many tries a cell makes for a valid answer.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Gets the severity at or above which the exit code is 1; null never fails.</summary>
    public Severity? FailOn { get; init; } = Severity.High;

    /// <summary>Gets the JSON report path, or null.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Gets the SARIF report path, or null.</summary>
    public string? SarifPath { get; init; }

    /// <summary>Reads the settings.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ConfigException">A value is malformed; the message names the variable, the value and what is expected.</exception>
    public static GadflySettings Read(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        IReadOnlyList<string> lensNames = config.GetList(LensesKey, Lens.DefaultNames);
        if (lensNames.Count == 0)
        {
            throw new ConfigException(LensesKey, string.Empty, "at least one lens, e.g. correctness,security");
        }

        var lenses = new List<Lens>();
        foreach (string name in lensNames)
        {
            if (!LensName().IsMatch(name))
            {
                throw new ConfigException(LensesKey, string.Join(',', lensNames), $"lens names of lower-case letters, digits and '-' ('{name}' is not)");
            }

            if (lenses.Any(l => l.Name == name))
            {
                throw new ConfigException(LensesKey, string.Join(',', lensNames), $"each lens once ('{name}' is repeated)");
            }

            lenses.Add(Lens.Named(name));
        }

        IReadOnlyList<string> models = config.GetList(ModelsKey, []);
        string? repeated = models.GroupBy(m => m, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (repeated is not null)
        {
            throw new ConfigException(ModelsKey, string.Join(',', models), $"each model once ('{repeated}' is repeated)");
        }

        TimeSpan timeout = config.GetDuration(CellTimeoutKey, TimeSpan.FromMinutes(2));
        if (timeout <= TimeSpan.Zero)
        {
            throw new ConfigException(CellTimeoutKey, config.GetString(CellTimeoutKey) ?? string.Empty, "a positive duration such as 90s or 2m");
        }

        return new GadflySettings
        {
            Models = models,
            Lenses = lenses,
            MaxConcurrency = config.GetInt(ConcurrencyKey, 4, 1, 64),
            CellTimeout = timeout,
            MaxAttempts = config.GetInt(MaxAttemptsKey, 3, 1, 10),
            FailOn = ReadFailOn(config),
            JsonPath = Path(config, JsonKey),
            SarifPath = Path(config, SarifKey),
        };
    }

    private static Severity? ReadFailOn(IConfigSource config)
    {
        string? raw = config.GetString(FailOnKey);
        if (raw is null || raw.Trim().Length == 0)
        {
            return Severity.High;
        }

        if (string.Equals(raw.Trim(), "none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return Severities.TryParse(raw, out Severity severity)
            ? severity
            : throw new ConfigException(FailOnKey, raw, $"one of {string.Join(", ", Severities.Names)}, none");
    }

    private static string? Path(IConfigSource config, string key) =>
        config.GetString(key) is { } value && value.Trim().Length > 0 ? value.Trim() : null;

    [GeneratedRegex("^[a-z][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LensName();
}
