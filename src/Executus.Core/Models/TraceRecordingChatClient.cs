using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// A decorator that reports every call, completed or failed, to an <see cref="ITraceSink"/>, tagged like
/// <see cref="UsageRecordingChatClient"/>. A streaming call is reported when the stream ends or fails (not when the caller stops reading early).
/// </summary>
public sealed class TraceRecordingChatClient : DelegatingChatClient
{
    private readonly ITraceSink _sink;
    private readonly ModelReference _model;
    private readonly string? _tier;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerClient">The client to decorate.</param>
    /// <param name="sink">Where traces go.</param>
    /// <param name="model">The model this client talks to.</param>
    /// <param name="tier">The tier the client belongs to, if any (else the context's tier is reported).</param>
    /// <param name="timeProvider">The clock for latency and timestamps; the system clock when null.</param>
    public TraceRecordingChatClient(IChatClient innerClient, ITraceSink sink, ModelReference model, string? tier = null, TimeProvider? timeProvider = null)
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
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyCollection<ChatMessage> list = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        long start = _timeProvider.GetTimestamp();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await RecordAsync(list.Count, start, streaming: false, null, null, null, null, ex, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        await RecordAsync(list.Count, start, streaming: false, response.ModelId, response.ResponseId, response.FinishReason, response.Usage, null, cancellationToken)
            .ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyCollection<ChatMessage> list = messages as IReadOnlyCollection<ChatMessage> ?? [.. messages];
        long start = _timeProvider.GetTimestamp();
        UsageDetails? usage = null;
        string? modelId = null;
        string? responseId = null;
        ChatFinishReason? finishReason = null;
        IAsyncEnumerator<ChatResponseUpdate> enumerator = base.GetStreamingResponseAsync(list, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception ex)
                {
                    await RecordAsync(list.Count, start, streaming: true, modelId, responseId, finishReason, usage, ex, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }

                modelId ??= update.ModelId;
                responseId ??= update.ResponseId;
                finishReason ??= update.FinishReason;
                usage = ModelCallRecording.AddUsage(usage, update);
                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        await RecordAsync(list.Count, start, streaming: true, modelId, responseId, finishReason, usage, null, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask RecordAsync(
        int messageCount, long start, bool streaming, string? modelId, string? responseId, ChatFinishReason? finishReason,
        UsageDetails? usage, Exception? error, CancellationToken cancellationToken)
    {
        ModelCallContext? context = ModelCallContext.Current;
        return _sink.RecordAsync(
            new ModelTraceRecord
            {
                ModelId = modelId ?? _model.Model,
                Provider = _model.Provider,
                Tier = _tier ?? context?.Tier,
                Caller = context?.Caller,
                RunId = context?.RunId,
                Purpose = context?.Purpose,
                RequestMessageCount = messageCount,
                ResponseId = responseId,
                FinishReason = finishReason,
                Usage = usage,
                Latency = _timeProvider.GetElapsedTime(start),
                Timestamp = _timeProvider.GetUtcNow(),
                Streaming = streaming,
                Error = error,
            },
            cancellationToken);
    }
}
