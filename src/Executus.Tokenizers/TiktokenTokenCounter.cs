using System.Collections.Concurrent;
using System.Text.Json;
using Executus.Compaction;
using Executus.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Executus.Tokenizers;

/// <summary>
/// An <see cref="ITokenCounter"/> that counts with a real tiktoken tokenizer (Microsoft.ML.Tokenizers with the
/// <c>o200k_base</c> or <c>cl100k_base</c> data package), chosen from the model's family; for a model of no known family
/// it falls back to <see cref="EstimatingTokenCounter"/> and says so in <see cref="IsEstimate"/>.
/// </summary>
/// <remarks>
/// A message counts <see cref="MessageOverheadTokens"/> for its framing (OpenAI's chat format: 3 per message plus the
/// role), its text, reasoning text, function calls (name and arguments as JSON) and function results (as text or JSON);
/// binary data counts <see cref="EstimatingTokenCounter.DataContentTokens"/>. Tokenizers are loaded once per process and
/// shared; counting is thread-safe.
/// </remarks>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    /// <summary>The configuration prefix: <c>Executus:Tokenizers:</c>.</summary>
    public const string Prefix = "Executus:Tokenizers:";

    /// <summary>Tokens added per message for its framing and role (OpenAI's published chat-format count: 3 + the role's 1).</summary>
    public const int MessageOverheadTokens = 4;

    // Why: models receive arguments and results as compact JSON; M.E.AI's default options indent.
    private static readonly JsonSerializerOptions s_compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> s_tokenizers = new(StringComparer.OrdinalIgnoreCase);

    private readonly Tokenizer? _tokenizer;

    private TiktokenTokenCounter(string? model, string? encoding)
    {
        Model = model;
        Encoding = encoding;
        _tokenizer = encoding is null ? null : Load(encoding);
    }

    /// <summary>Gets the model the counter was chosen for, if any.</summary>
    public string? Model { get; }

    /// <summary>Gets the encoding counted with (<c>o200k_base</c> or <c>cl100k_base</c>), or null when estimating.</summary>
    public string? Encoding { get; }

    /// <summary>Gets whether counts are <see cref="EstimatingTokenCounter"/>'s estimate (the model's family is unknown).</summary>
    public bool IsEstimate => _tokenizer is null;

    /// <summary>Creates a counter with the given encoding.</summary>
    /// <param name="encoding"><see cref="TokenizerEncodings.O200kBase"/> or <see cref="TokenizerEncodings.Cl100kBase"/>.</param>
    /// <returns>The counter.</returns>
    /// <exception cref="ArgumentException">The encoding is not one this package ships.</exception>
    public static TiktokenTokenCounter ForEncoding(string encoding)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(encoding);
        if (!TokenizerEncodings.IsSupported(encoding))
        {
            throw new ArgumentException($"Unknown tokenizer encoding '{encoding}'; expected '{TokenizerEncodings.O200kBase}' or '{TokenizerEncodings.Cl100kBase}'.", nameof(encoding));
        }

        return new TiktokenTokenCounter(null, encoding.ToLowerInvariant());
    }

    /// <summary>
    /// Creates a counter for <paramref name="model"/>: the encoding of the longest matching family prefix in
    /// <paramref name="families"/> (then <see cref="TokenizerEncodings.BuiltInFamilies"/>), else the estimate.
    /// </summary>
    /// <param name="model">The model id, e.g. <c>gpt-4o-mini</c>; a <c>provider:</c> prefix is ignored.</param>
    /// <param name="families">Extra or overriding families (model id prefix → encoding); null for the built-in ones only.</param>
    /// <returns>The counter; <see cref="IsEstimate"/> tells whether a tokenizer was found.</returns>
    /// <exception cref="ArgumentException">A family names an encoding this package does not ship.</exception>
    public static TiktokenTokenCounter ForModel(string model, IReadOnlyDictionary<string, string>? families = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return new TiktokenTokenCounter(model, ResolveEncoding(model, families));
    }

    /// <summary>
    /// Creates a counter from <c>Executus:Tokenizers:*</c>: <c>Encoding</c> (used as is) or else <c>Model</c> (its family
    /// chooses the encoding; <c>Families:{prefix}</c> keys add families); with neither, the estimate.
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The counter.</returns>
    /// <exception cref="ConfigException">An encoding is not one this package ships.</exception>
    public static TiktokenTokenCounter FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string? encoding = config.GetString(Prefix + "Encoding");
        if (encoding is not null)
        {
            if (!TokenizerEncodings.IsSupported(encoding))
            {
                throw new ConfigException(Prefix + "Encoding", encoding, $"'{TokenizerEncodings.O200kBase}' or '{TokenizerEncodings.Cl100kBase}'");
            }

            return new TiktokenTokenCounter(config.GetString(Prefix + "Model"), encoding.ToLowerInvariant());
        }

        string? model = config.GetString(Prefix + "Model");
        if (model is null)
        {
            return new TiktokenTokenCounter(null, null);
        }

        var families = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string prefix in config.GetList(Prefix + "FamilyPrefixes"))
        {
            string key = Prefix + "Families:" + prefix;
            string value = config.GetString(key) ?? throw new ConfigException(key, null, "an encoding for the listed family prefix");
            if (!TokenizerEncodings.IsSupported(value))
            {
                throw new ConfigException(key, value, $"'{TokenizerEncodings.O200kBase}' or '{TokenizerEncodings.Cl100kBase}'");
            }

            families[prefix] = value;
        }

        return new TiktokenTokenCounter(model, ResolveEncoding(model, families));
    }

    /// <summary>Counts the tokens of <paramref name="text"/> (no message overhead).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The count (the estimate when <see cref="IsEstimate"/>).</returns>
    public int CountText(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        return _tokenizer is null ? EstimatingTokenCounter.EstimateText(text) : _tokenizer.CountTokens(text, considerPreTokenization: true, considerNormalization: true);
    }

    /// <inheritdoc />
    public int CountTokens(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_tokenizer is null)
        {
            return EstimatingTokenCounter.Instance.CountTokens(message);
        }

        long tokens = MessageOverheadTokens;
        if (message.AuthorName is { Length: > 0 } author)
        {
            tokens += 1 + CountText(author);
        }

        foreach (AIContent content in message.Contents)
        {
            tokens += content switch
            {
                TextContent text => CountText(text.Text),
                TextReasoningContent reasoning => CountText(reasoning.Text),
                FunctionCallContent call => CountText(call.Name) + CountText(call.Arguments is null ? null : JsonSerializer.Serialize(call.Arguments, s_compact.GetTypeInfo(typeof(IDictionary<string, object?>)))),
                FunctionResultContent result => CountText(ValueText(result.Result)),
                DataContent => EstimatingTokenCounter.DataContentTokens,
                _ => 0,
            };
        }

        return tokens > int.MaxValue ? int.MaxValue : (int)tokens;
    }

    /// <inheritdoc />
    public override string ToString() => IsEstimate ? $"estimate (no tokenizer for '{Model ?? "(no model)"}')" : $"{Encoding} ({Model ?? "fixed"})";

    internal static string? ResolveEncoding(string model, IReadOnlyDictionary<string, string>? families)
    {
        int colon = model.IndexOf(':', StringComparison.Ordinal);
        string id = colon >= 0 ? model[(colon + 1)..] : model;
        string? best = null;
        int bestLength = -1;
        foreach (IReadOnlyDictionary<string, string> map in families is null ? [TokenizerEncodings.BuiltInFamilies] : new[] { families, TokenizerEncodings.BuiltInFamilies })
        {
            foreach (KeyValuePair<string, string> family in map)
            {
                if (family.Key.Length > bestLength && id.StartsWith(family.Key, StringComparison.OrdinalIgnoreCase))
                {
                    if (!TokenizerEncodings.IsSupported(family.Value))
                    {
                        throw new ArgumentException($"Model family '{family.Key}' names unknown encoding '{family.Value}'.", nameof(families));
                    }

                    best = family.Value.ToLowerInvariant();
                    bestLength = family.Key.Length;
                }
            }

            if (best is not null)
            {
                // Why: configured families win over built-in ones even when a built-in prefix is longer.
                return best;
            }
        }

        return best;
    }

    private static Tokenizer Load(string encoding) =>
        s_tokenizers.GetOrAdd(encoding, e => new Lazy<Tokenizer>(() => TiktokenTokenizer.CreateForEncoding(e), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private static string? ValueText(object? value) => value switch
    {
        null => null,
        string s => s,
        JsonElement element => element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText(),
        Exception ex => ex.Message,
        _ => JsonSerializer.Serialize(value, s_compact.GetTypeInfo(value.GetType())),
    };
}
