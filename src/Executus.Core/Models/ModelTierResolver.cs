using System.Collections.Concurrent;
using Executus.Configuration;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// Turns a tier name ("fast", "smart", "vision"…) or a model reference into an <see cref="IChatClient"/>: reads
/// <c>Executus:Models:Tiers:{tier}</c> (a comma-separated list of <c>provider:model</c>) from configuration at every
/// resolve, and returns a <see cref="ModelFailoverChatClient"/> over the candidates, each decorated with
/// <see cref="UsageRecordingChatClient"/>, <see cref="TraceRecordingChatClient"/> and M.E.AI's OpenTelemetry client.
/// </summary>
/// <remarks>
/// <para>Provider clients are created once per model reference and kept (creating one may be expensive); a candidate's
/// cool-down is shared by every tier that lists the same model. The tier lists and <c>Executus:Models:Cooldown</c> are
/// read at every resolve, so a changed tier takes effect for the next resolve.</para>
/// <para>Returned clients may be disposed freely: the shared provider clients live until the resolver is disposed.</para>
/// </remarks>
public sealed class ModelTierResolver : IDisposable
{
    /// <summary>The prefix of tier keys: <c>Executus:Models:Tiers:{tier}</c>.</summary>
    public const string TiersPrefix = "Executus:Models:Tiers:";

    /// <summary>The key of the cool-down after a transient failure without <c>Retry-After</c>.</summary>
    public const string CooldownKey = "Executus:Models:Cooldown";

    /// <summary>The key of the least time between two probes of a cooling candidate (<see cref="FailoverOptions.ProbeInterval"/>); <c>off</c> disables probing.</summary>
    public const string ProbeIntervalKey = "Executus:Models:ProbeInterval";

    private readonly ModelProviderRegistry _registry;
    private readonly IConfigSource _config;
    private readonly ModelTierResolverOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<IChatClient>> _rawClients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FailoverCandidate> _health = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string? Tier, string Reference), FailoverCandidate> _candidates = new();
    private bool _disposed;

    /// <summary>Initializes a new resolver.</summary>
    /// <param name="registry">The providers.</param>
    /// <param name="config">Where tiers are read.</param>
    /// <param name="options">Sinks, classifier, clock and telemetry; defaults when null.</param>
    public ModelTierResolver(ModelProviderRegistry registry, IConfigSource config, ModelTierResolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(config);
        _registry = registry;
        _config = config;
        _options = options ?? new ModelTierResolverOptions();
    }

    /// <summary>Gets the clock used for latency and cool-downs.</summary>
    public TimeProvider TimeProvider => _options.TimeProvider;

    /// <summary>Returns whether <paramref name="tier"/> is configured (with at least one candidate).</summary>
    /// <param name="tier">The tier name.</param>
    /// <returns><see langword="true"/> when configured.</returns>
    public bool HasTier(string tier)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tier);
        return _config.GetList(TiersPrefix + tier.Trim()).Count > 0;
    }

    /// <summary>Reads the candidates of <paramref name="tier"/> from configuration.</summary>
    /// <param name="tier">The tier name.</param>
    /// <returns>The candidates, in order.</returns>
    /// <exception cref="ModelResolutionException">The tier is unknown or empty, or a candidate is malformed.</exception>
    public IReadOnlyList<ModelReference> GetCandidates(string tier)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tier);
        tier = tier.Trim();
        string key = TiersPrefix + tier;
        if (!_config.TryGet(key, out string? raw))
        {
            throw new ModelResolutionException(
                ModelResolutionError.UnknownTier,
                $"Model tier '{tier}' is not configured; set '{key}' to a comma-separated list of 'provider:model' candidates.",
                tier);
        }

        IReadOnlyList<string> items = _config.GetList(key);
        if (items.Count == 0)
        {
            throw new ModelResolutionException(
                ModelResolutionError.EmptyTier,
                $"Model tier '{tier}' ('{key}' = '{raw}') lists no candidate; write at least one 'provider:model'.",
                tier);
        }

        var references = new List<ModelReference>(items.Count);
        foreach (string item in items)
        {
            if (!ModelReference.TryParse(item, out ModelReference? reference, out string? error))
            {
                throw new ModelResolutionException(ModelResolutionError.MalformedReference, $"Model tier '{tier}' ('{key}'): {error}", tier, item);
            }

            references.Add(reference);
        }

        return references;
    }

    /// <summary>Resolves a tier name, or a model reference when the text contains a colon.</summary>
    /// <param name="tierOrModel">A tier name (<c>smart</c>) or a model reference (<c>openai:gpt-4.1</c>).</param>
    /// <returns>The client.</returns>
    /// <exception cref="ModelResolutionException">The tier or reference cannot be resolved.</exception>
    public IChatClient Resolve(string tierOrModel)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tierOrModel);
        return tierOrModel.Contains(':', StringComparison.Ordinal) ? ResolveModel(tierOrModel) : ResolveTier(tierOrModel);
    }

    /// <summary>Resolves <paramref name="tier"/> to a failover client over its configured candidates.</summary>
    /// <param name="tier">The tier name.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ModelResolutionException">The tier is unknown or empty, a candidate is malformed, or its provider is unknown.</exception>
    public ModelFailoverChatClient ResolveTier(string tier)
    {
        IReadOnlyList<ModelReference> references = GetCandidates(tier);
        tier = tier.Trim();
        return CreateFailover(tier, [.. references.Select(r => GetCandidate(tier, r))]);
    }

    /// <summary>Resolves one model reference to a decorated client (a failover client with a single candidate).</summary>
    /// <param name="reference">The <c>provider:model</c> reference.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ModelResolutionException">The reference is malformed or its provider unknown.</exception>
    public ModelFailoverChatClient ResolveModel(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (!ModelReference.TryParse(reference, out ModelReference? parsed, out string? error))
        {
            throw new ModelResolutionException(ModelResolutionError.MalformedReference, error, reference: reference);
        }

        return CreateFailover(null, [GetCandidate(null, parsed)]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (FailoverCandidate candidate in _candidates.Values)
        {
            candidate.Client.Dispose();
        }

        foreach (Lazy<IChatClient> client in _rawClients.Values)
        {
            if (client.IsValueCreated)
            {
                client.Value.Dispose();
            }
        }
    }

    private ModelFailoverChatClient CreateFailover(string? tier, FailoverCandidate[] candidates) =>
        new(candidates, new FailoverOptions
        {
            Cooldown = _config.GetDuration(CooldownKey, FailoverOptions.DefaultCooldown),
            ProbeInterval = string.Equals(_config.GetString(ProbeIntervalKey), "off", StringComparison.OrdinalIgnoreCase)
                ? null
                : _config.GetDuration(ProbeIntervalKey, FailoverOptions.DefaultProbeInterval),
            TimeProvider = _options.TimeProvider,
            Classifier = _options.Classifier,
            Tier = tier,
            LeaveOpen = true,
        });

    private FailoverCandidate GetCandidate(string? tier, ModelReference reference)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string name = reference.ToString();
        if (_candidates.TryGetValue((tier, name), out FailoverCandidate? existing))
        {
            return existing;
        }

        IChatClient raw = GetRawClient(tier, reference);
        var builder = new ChatClientBuilder(new NonDisposingChatClient(raw))
            .Use(inner => new UsageRecordingChatClient(inner, _options.UsageSink, reference, tier, _options.TimeProvider))
            .Use(inner => new TraceRecordingChatClient(inner, _options.TraceSink, reference, tier, _options.TimeProvider));
        if (_options.EnableOpenTelemetry)
        {
            builder.UseOpenTelemetry(_options.LoggerFactory, _options.OpenTelemetrySourceName, ConfigureOpenTelemetry);
        }

        IChatClient decorated = builder.Build(_options.Services);
        FailoverCandidate health = _health.GetOrAdd(name, n => new FailoverCandidate(n, raw));
        var candidate = new FailoverCandidate(name, decorated, sharesCooldownWith: health);
        FailoverCandidate kept = _candidates.GetOrAdd((tier, name), candidate);
        if (!ReferenceEquals(kept, candidate))
        {
            decorated.Dispose();
        }

        return kept;
    }

    // Why: setting EnableSensitiveData at all overrides M.E.AI's reading of OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT.
    private void ConfigureOpenTelemetry(OpenTelemetryChatClient otel)
    {
        if (_options.EnableSensitiveData is { } sensitive)
        {
            otel.EnableSensitiveData = sensitive;
        }
    }

    private IChatClient GetRawClient(string? tier, ModelReference reference)
    {
        IModelProvider provider;
        try
        {
            if (!_registry.TryGet(reference.Provider, out IModelProvider? found))
            {
                string known = _registry.Names.Count == 0 ? "no provider is registered" : "registered: " + string.Join(", ", _registry.Names);
                string typeKey = $"{ModelProviderRegistry.ProvidersPrefix}{reference.Provider}:Type";
                IReadOnlyCollection<string> types = _registry.FactoryTypes;
                string example = types.Count == 0 ? "<type>" : types.First();
                string valid = types.Count == 0
                    ? "no provider type has a factory (reference a provider package such as Executus.Providers.OpenAI and call its Add…Provider())"
                    : "valid types: " + string.Join(", ", types);

                // Why: hosts mostly configure through environment variables; show that spelling beside the colon key.
                throw new ModelResolutionException(
                    ModelResolutionError.UnknownProvider,
                    $"{Describe(tier, reference)} names the unknown provider '{reference.Provider}' ({known}); register it or set " +
                    $"'{typeKey}' (environment: {typeKey.Replace(":", "__", StringComparison.Ordinal)}={example}); {valid}.",
                    tier,
                    reference.ToString(),
                    reference.Provider);
            }

            provider = found;
        }
        catch (ConfigException ex)
        {
            throw new ModelResolutionException(
                ModelResolutionError.UnknownProvider, $"{Describe(tier, reference)}: {ex.Message}", tier, reference.ToString(), reference.Provider, ex);
        }

        Lazy<IChatClient> lazy = _rawClients.GetOrAdd(
            reference.ToString(),
            _ => new Lazy<IChatClient>(() => provider.CreateChatClient(reference.Model, _options.Services), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch (Exception ex) when (ex is not ModelResolutionException)
        {
            _rawClients.TryRemove(new KeyValuePair<string, Lazy<IChatClient>>(reference.ToString(), lazy));
            throw new ModelResolutionException(
                ModelResolutionError.ProviderFailed,
                $"{Describe(tier, reference)}: provider '{reference.Provider}' could not create a client: {ex.Message}",
                tier,
                reference.ToString(),
                reference.Provider,
                ex);
        }
    }

    private static string Describe(string? tier, ModelReference reference) =>
        tier is null ? $"Model reference '{reference}'" : $"Model tier '{tier}' candidate '{reference}'";
}
