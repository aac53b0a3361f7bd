using Microsoft.Extensions.AI;

namespace Executus.Personas;

/// <summary>
/// A persona's model options, named as in the Microsoft Agent Framework's declarative agents
/// (<c>model.options</c>): each maps onto the same <see cref="ChatOptions"/> property.
/// </summary>
public sealed record PersonaModelOptions
{
    /// <summary>Gets the sampling temperature (0–2).</summary>
    public float? Temperature { get; init; }

    /// <summary>Gets the nucleus sampling probability (0–1).</summary>
    public float? TopP { get; init; }

    /// <summary>Gets the number of most probable tokens to sample from.</summary>
    public int? TopK { get; init; }

    /// <summary>Gets the maximum number of output tokens per model call.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets the frequency penalty (−2–2).</summary>
    public float? FrequencyPenalty { get; init; }

    /// <summary>Gets the presence penalty (−2–2).</summary>
    public float? PresencePenalty { get; init; }

    /// <summary>Gets the sampling seed.</summary>
    public long? Seed { get; init; }

    /// <summary>Gets the stop sequences.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Creates the <see cref="ChatOptions"/> these options describe.</summary>
    /// <returns>A new options object.</returns>
    public ChatOptions ToChatOptions() => new()
    {
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        MaxOutputTokens = MaxOutputTokens,
        FrequencyPenalty = FrequencyPenalty,
        PresencePenalty = PresencePenalty,
        Seed = Seed,
        StopSequences = StopSequences.Count == 0 ? null : [.. StopSequences],
    };

    /// <summary>Reads the options a persona can hold from <paramref name="options"/>.</summary>
    /// <param name="options">The chat options.</param>
    /// <returns>The persona options.</returns>
    public static PersonaModelOptions FromChatOptions(ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PersonaModelOptions
        {
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            MaxOutputTokens = options.MaxOutputTokens,
            FrequencyPenalty = options.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty,
            Seed = options.Seed,
            StopSequences = options.StopSequences is { } stops ? [.. stops] : [],
        };
    }
}
