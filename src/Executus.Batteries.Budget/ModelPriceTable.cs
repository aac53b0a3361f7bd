using System.Collections.Concurrent;
using System.Globalization;
using Executus.Configuration;

namespace Executus.Batteries.Budget;

/// <summary>
/// Prices per model reference (<c>provider:model</c>): entries set in code first, then the configuration keys
/// <c>Executus:Budget:Prices:{provider:model}:Input</c> and <c>:Output</c> (money per one million tokens), then the
/// explicit fallback (<see cref="Fallback"/> or <c>Executus:Budget:Prices:Fallback:Input|Output</c>). A model with no
/// price and no fallback is a <see cref="ConfigException"/>, never a silent zero.
/// </summary>
public sealed class ModelPriceTable
{
    /// <summary>The configuration prefix of prices.</summary>
    public const string ConfigPrefix = "Executus:Budget:Prices:";

    /// <summary>The pseudo model reference of the fallback price in configuration.</summary>
    public const string FallbackName = "Fallback";

    private readonly ConcurrentDictionary<string, ModelPrice> _prices = new(StringComparer.OrdinalIgnoreCase);
    private readonly IConfigSource? _config;
    private LastLookup? _last;
    private int _version;

    /// <summary>Initializes a new table.</summary>
    /// <param name="config">Where configured prices are read (at every lookup), or null for code-set prices only.</param>
    public ModelPriceTable(IConfigSource? config = null)
    {
        _config = config;
    }

    /// <summary>Gets or sets the price used for models without their own; null (the default) means none.</summary>
    public ModelPrice? Fallback { get; set; }

    /// <summary>Gets whether any price is set in code (configured prices are not counted).</summary>
    public bool HasCodePrices => !_prices.IsEmpty || Fallback is not null;

    /// <summary>Sets a model's price.</summary>
    /// <param name="modelReference">The <c>provider:model</c> reference.</param>
    /// <param name="price">The price.</param>
    /// <returns>This table.</returns>
    public ModelPriceTable Set(string modelReference, ModelPrice price)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelReference);
        ArgumentNullException.ThrowIfNull(price);
        if (price.InputPerMillion < 0 || price.OutputPerMillion < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, "A price cannot be negative.");
        }

        _prices[modelReference] = price;
        Interlocked.Increment(ref _version);
        return this;
    }

    /// <summary>Looks up a model's price, falling back to the fallback price.</summary>
    /// <param name="modelReference">The <c>provider:model</c> reference.</param>
    /// <param name="price">The price when found.</param>
    /// <returns><see langword="true"/> when the model or the fallback has a price.</returns>
    /// <exception cref="ConfigException">A configured price is malformed or negative.</exception>
    public bool TryGetPrice(string? modelReference, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelPrice? price)
    {
        // Why: a run asks for the same model's price at every check and settle, with the same string; a code-set price
        // found by that string is remembered (a Set forgets it) instead of hashing the name case-insensitively again.
        int version = Volatile.Read(ref _version);
        if (Volatile.Read(ref _last) is { } last && last.Version == version && ReferenceEquals(last.Reference, modelReference))
        {
            price = last.Price;
            return true;
        }

        if (!string.IsNullOrWhiteSpace(modelReference))
        {
            if (_prices.TryGetValue(modelReference, out price))
            {
                Volatile.Write(ref _last, new LastLookup(modelReference, price, version));
                return true;
            }

            price = ReadConfigured(modelReference);
            if (price is not null)
            {
                return true;
            }
        }

        price = Fallback ?? ReadConfigured(FallbackName);
        return price is not null;
    }

    /// <summary>Gets a model's price or the fallback.</summary>
    /// <param name="modelReference">The <c>provider:model</c> reference.</param>
    /// <returns>The price.</returns>
    /// <exception cref="ConfigException">The model has no price and there is no fallback, or a price is malformed.</exception>
    public ModelPrice GetPrice(string? modelReference)
    {
        if (TryGetPrice(modelReference, out ModelPrice? price))
        {
            return price;
        }

        string name = string.IsNullOrWhiteSpace(modelReference) ? "<unknown model>" : modelReference;
        throw new ConfigException(
            $"{ConfigPrefix}{name}:Input",
            null,
            $"a price per 1M tokens for model '{name}' (set {ConfigPrefix}{name}:Input and :Output, or a fallback at {ConfigPrefix}{FallbackName}:Input and :Output)");
    }

    /// <summary>Reads a price per 1M tokens: a non-negative decimal in invariant culture.</summary>
    /// <param name="config">The source.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value, or null when the key is missing.</returns>
    /// <exception cref="ConfigException">The value is malformed or negative.</exception>
    internal static decimal? ReadMoney(IConfigSource config, string key)
    {
        if (!config.TryGet(key, out string? raw) || string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        if (decimal.TryParse(raw.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out decimal value) && value >= 0)
        {
            return value;
        }

        throw new ConfigException(key, raw, "a non-negative decimal amount such as '2.50'");
    }

    private ModelPrice? ReadConfigured(string modelReference)
    {
        if (_config is null)
        {
            return null;
        }

        string inputKey = $"{ConfigPrefix}{modelReference}:Input";
        string outputKey = $"{ConfigPrefix}{modelReference}:Output";
        decimal? input = ReadMoney(_config, inputKey);
        decimal? output = ReadMoney(_config, outputKey);
        if (input is null && output is null)
        {
            return null;
        }

        if (input is null)
        {
            throw new ConfigException(inputKey, null, $"the input price per 1M tokens (the output price is set at {outputKey})");
        }

        if (output is null)
        {
            throw new ConfigException(outputKey, null, $"the output price per 1M tokens (the input price is set at {inputKey})");
        }

        return new ModelPrice(input.Value, output.Value);
    }

    private sealed record LastLookup(string Reference, ModelPrice Price, int Version);
}
