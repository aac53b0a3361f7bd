using Microsoft.Extensions.AI;

namespace Executus.Runs;

/// <summary>
/// The serializable part of a <see cref="RunnableAgent"/>, stored in a <see cref="RunCheckpoint"/>: everything but
/// live objects. Of <see cref="RunnableAgent.ChatOptions"/> it keeps the plain settings (temperature, top-p, top-k,
/// max output tokens, penalties, seed, stop sequences, model id, additional properties); tools are kept by name.
/// A host that resumes with live options passes its own agent to <see cref="RunRequest.Resume(RunCheckpoint, RunnableAgent)"/>.
/// </summary>
public sealed record AgentSnapshot
{
    /// <summary>Gets the agent's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the agent's version, if its source is versioned.</summary>
    public string? Version { get; init; }

    /// <summary>Gets the description.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the system instructions.</summary>
    public string? Instructions { get; init; }

    /// <summary>Gets the model tier.</summary>
    public string? Tier { get; init; }

    /// <summary>Gets the explicit model reference.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the tool allow-list.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Gets the bound on model calls.</summary>
    public int MaxIterations { get; init; } = RunnableAgent.DefaultMaxIterations;

    /// <summary>Gets the bound on consecutive failed tool turns.</summary>
    public int MaxConsecutiveToolErrors { get; init; } = RunnableAgent.DefaultMaxConsecutiveToolErrors;

    /// <summary>Gets the run timeout, if the agent sets one.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the soft deadline at which a critic reviews the run, if the agent sets one.</summary>
    public TimeSpan? SoftTimeout { get; init; }

    /// <summary>Gets whether tool calls of one turn may run concurrently.</summary>
    public bool AllowConcurrentToolCalls { get; init; }

    /// <summary>Gets the response format.</summary>
    public ChatResponseFormat? ResponseFormat { get; init; }

    /// <summary>Gets <see cref="ChatOptions.Temperature"/>.</summary>
    public float? Temperature { get; init; }

    /// <summary>Gets <see cref="ChatOptions.TopP"/>.</summary>
    public float? TopP { get; init; }

    /// <summary>Gets <see cref="ChatOptions.TopK"/>.</summary>
    public int? TopK { get; init; }

    /// <summary>Gets <see cref="ChatOptions.MaxOutputTokens"/>.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets <see cref="ChatOptions.FrequencyPenalty"/>.</summary>
    public float? FrequencyPenalty { get; init; }

    /// <summary>Gets <see cref="ChatOptions.PresencePenalty"/>.</summary>
    public float? PresencePenalty { get; init; }

    /// <summary>Gets <see cref="ChatOptions.Seed"/>.</summary>
    public long? Seed { get; init; }

    /// <summary>Gets <see cref="ChatOptions.StopSequences"/>.</summary>
    public IReadOnlyList<string>? StopSequences { get; init; }

    /// <summary>Gets <see cref="ChatOptions.ModelId"/>.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets <see cref="ChatOptions.Instructions"/> (appended to <see cref="Instructions"/> at each call).</summary>
    public string? OptionsInstructions { get; init; }

    /// <summary>Gets <see cref="ChatOptions.AdditionalProperties"/> (values come back as JSON elements).</summary>
    public AdditionalPropertiesDictionary? AdditionalProperties { get; init; }

    /// <summary>Gets the agent's metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Takes the serializable part of <paramref name="agent"/>.</summary>
    /// <param name="agent">The agent.</param>
    /// <returns>The snapshot.</returns>
    public static AgentSnapshot From(RunnableAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ChatOptions? options = agent.ChatOptions;
        return new AgentSnapshot
        {
            Name = agent.Name,
            Version = agent.Version,
            Description = agent.Description,
            Instructions = agent.Instructions,
            Tier = agent.Tier,
            Model = agent.Model,
            Tools = [.. agent.Tools],
            MaxIterations = agent.MaxIterations,
            MaxConsecutiveToolErrors = agent.MaxConsecutiveToolErrors,
            Timeout = agent.Timeout,
            SoftTimeout = agent.SoftTimeout,
            AllowConcurrentToolCalls = agent.AllowConcurrentToolCalls,
            ResponseFormat = agent.ResponseFormat ?? options?.ResponseFormat,
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            TopK = options?.TopK,
            MaxOutputTokens = options?.MaxOutputTokens,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
            Seed = options?.Seed,
            StopSequences = options?.StopSequences is { } stops ? [.. stops] : null,
            ModelId = options?.ModelId,
            OptionsInstructions = options?.Instructions,
            AdditionalProperties = options?.AdditionalProperties?.Clone(),
            Metadata = new Dictionary<string, string>(agent.Metadata),
        };
    }

    /// <summary>Rebuilds a runnable agent from the snapshot.</summary>
    /// <returns>The agent.</returns>
    public RunnableAgent ToRunnable()
    {
        bool hasOptions = Temperature is not null || TopP is not null || TopK is not null || MaxOutputTokens is not null
            || FrequencyPenalty is not null || PresencePenalty is not null || Seed is not null || StopSequences is not null
            || ModelId is not null || OptionsInstructions is not null || AdditionalProperties is not null;
        return new RunnableAgent(Name)
        {
            Version = Version,
            Description = Description,
            Instructions = Instructions,
            Tier = Tier,
            Model = Model,
            Tools = [.. Tools],
            MaxIterations = MaxIterations,
            MaxConsecutiveToolErrors = MaxConsecutiveToolErrors,
            Timeout = Timeout,
            SoftTimeout = SoftTimeout,
            AllowConcurrentToolCalls = AllowConcurrentToolCalls,
            ResponseFormat = ResponseFormat,
            ChatOptions = hasOptions
                ? new ChatOptions
                {
                    Temperature = Temperature,
                    TopP = TopP,
                    TopK = TopK,
                    MaxOutputTokens = MaxOutputTokens,
                    FrequencyPenalty = FrequencyPenalty,
                    PresencePenalty = PresencePenalty,
                    Seed = Seed,
                    StopSequences = StopSequences is null ? null : [.. StopSequences],
                    ModelId = ModelId,
                    Instructions = OptionsInstructions,
                    AdditionalProperties = AdditionalProperties?.Clone(),
                }
                : null,
            Metadata = new Dictionary<string, string>(Metadata),
        };
    }
}
