using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// A decorator that reports the usage of every completed call to an <see cref="IUsageSink"/>, tagged with the model,
/// provider and tier it was built for and the caller, run id and purpose of the ambient <see cref="ModelCallContext"/>.
/// Streaming calls are reported once the stream has been read to its end, with the usage contents summed.
/// </summary>
public sealed class UsageRecordingChatClient : DelegatingChatClient
{
    private readonly IUsageSink _sink;
    private readonly ModelReference _model;
    private readonly string? _tier;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The client to decorate.</param>
    /// <param name="sink">Where usage goes.</param>
    /// <param name="model">The model this client talks to.</param>
    /// <param name="tier">The tier the client belongs to, if any (else the context's tier is reported).</param>
    /// <param name="timeProvider">The clock for latency and timestamps; the system clock when null.</param>
    public UsageRecordingChatClient(IChatClient innerClient, IUsageSink sink, ModelReference model, string? tier = null, TimeProvider? timeProvider = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(model);
        _sink = sink;
        _model = model;
        _tier = tier;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        long start = _timeProvider.GetTimestamp();
        ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        await RecordAsync(response.ModelId, response.Usage, start, streaming: false, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long start = _timeProvider.GetTimestamp();
        UsageDetails? usage = null;
        string? modelId = null;
        await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            modelId ??= update.ModelId;
            usage = ModelCallRecording.AddUsage(usage, update);
            yield return update;
        }

        await RecordAsync(modelId, usage, start, streaming: true, cancellationToken).ConfigureAwait(false);
    }

    // Why: the record must keep this call's numbers; callers such as FunctionInvokingChatClient add later calls' usage
    // into the first response's UsageDetails instance, which the record would otherwise share.
    private static UsageDetails? Snapshot(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var copy = new UsageDetails();
        copy.Add(usage);
        return copy;
    }

    private ValueTask RecordAsync(string? modelId, UsageDetails? usage, long start, bool streaming, CancellationToken cancellationToken)
    {
        ModelCallContext? context = ModelCallContext.Current;
        return _sink.RecordAsync(
            new UsageRecord
            {
                ModelId = modelId ?? _model.Model,
                Provider = _model.Provider,
                Tier = _tier ?? context?.Tier,
                Caller = context?.Caller,
                RunId = context?.RunId,
                Purpose = context?.Purpose,
                Usage = Snapshot(usage),
                Latency = _timeProvider.GetElapsedTime(start),
                Timestamp = _timeProvider.GetUtcNow(),
                Streaming = streaming,
            },
            cancellationToken);
    }
}
