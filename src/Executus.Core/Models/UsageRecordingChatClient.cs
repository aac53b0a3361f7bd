using System.Runtime.CompilerServices;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// The accounting channel of a resolved client: before a call it checks the ambient run's budget
/// (<see cref="ModelCallContext.Account"/>, reserving the estimate; a refusal throws <see cref="BudgetExceededException"/>
/// and the call is not made); after it, it reports the usage to an <see cref="IUsageSink"/> and settles the run's
/// budget and usage total; when the call throws, is cancelled or its stream is abandoned, it releases the reservation
/// at once. Records are tagged with the model, provider and tier the client was built for and the caller, run id and
/// purpose of the ambient <see cref="ModelCallContext"/>. Streaming calls are reported once the stream has been read to
/// its end, with the usage contents summed. A missing total is filled as input + output.
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
    /// <param name="model">The model this client talks to (the <c>provider:model</c> reference budgets are checked with).</param>
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

    /// <summary>Gets the model reference this client accounts calls to.</summary>
    public ModelReference Model => _model;

    /// <summary>
    /// Gets the inner client when this decorator would only add usage to the run's account: no usage sink, and
    /// <paramref name="account"/> has no budget. Null otherwise.
    /// </summary>
    internal IChatClient? PassThroughFor(RunAccount? account) =>
        _sink is NullUsageSink && account?.Budget is NullBudget ? InnerClient : null;

    /// <summary>
    /// Gets the inner client when this decorator reports to no usage sink: what it would add to a call is the run
    /// account's reserve, settle and release, which the kernel can do itself around the inner call. Null otherwise.
    /// </summary>
    internal IChatClient? InnerWithoutSink => _sink is NullUsageSink ? InnerClient : null;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ModelCallContext? context = ModelCallContext.Current;
        RunAccount? account = context?.Account;
        BudgetReservation? reservation = account is null
            ? null
            : await account.ReserveAsync(_model, messages, options, context!.Purpose, cancellationToken).ConfigureAwait(false);
        messages = WithNotice(messages, reservation);
        long start = Timestamp();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (account is not null)
            {
                await account.ReleaseAsync(reservation).ConfigureAwait(false);
            }

            throw;
        }

        UsageDetails? usage = UsageTotals.WithTotal(response.Usage);
        if (account is not null)
        {
            await account.SettleAsync(reservation, usage, response.ModelId).ConfigureAwait(false);
        }

        await RecordAsync(context, response.ModelId, usage, start, streaming: false, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ModelCallContext? context = ModelCallContext.Current;
        RunAccount? account = context?.Account;
        BudgetReservation? reservation = account is null
            ? null
            : await account.ReserveAsync(_model, messages, options, context!.Purpose, cancellationToken).ConfigureAwait(false);
        messages = WithNotice(messages, reservation);
        long start = Timestamp();
        UsageDetails? usage = null;
        string? modelId = null;
        bool completed = false;
        try
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                modelId ??= update.ModelId;
                usage = ModelCallRecording.AddUsage(usage, update);
                yield return update;
            }

            completed = true;
        }
        finally
        {
            // Why: a stream that threw, was cancelled or was abandoned by its reader releases its reservation at once.
            if (!completed && account is not null)
            {
                await account.ReleaseAsync(reservation).ConfigureAwait(false);
            }
        }

        usage = UsageTotals.WithTotal(usage);
        if (account is not null)
        {
            await account.SettleAsync(reservation, usage, modelId).ConfigureAwait(false);
        }

        await RecordAsync(context, modelId, usage, start, streaming: true, cancellationToken).ConfigureAwait(false);
    }

    // Why: latency is only reported to a sink; without one the clock is not read.
    private long Timestamp() => _sink is NullUsageSink ? 0 : _timeProvider.GetTimestamp();

    // Why: the budget's notice (e.g. the remaining budget past a soft limit) reaches the model as one system line on this
    // call only; the run's transcript is not changed.
    internal static IEnumerable<ChatMessage> WithNotice(IEnumerable<ChatMessage> messages, BudgetReservation? reservation) =>
        reservation?.ModelNotice is { Length: > 0 } notice ? [.. messages, new ChatMessage(ChatRole.System, notice)] : messages;

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

    private ValueTask RecordAsync(ModelCallContext? context, string? modelId, UsageDetails? usage, long start, bool streaming, CancellationToken cancellationToken)
    {
        if (_sink is NullUsageSink)
        {
            return default;
        }

        return _sink.RecordAsync(
            new UsageRecord
            {
                ModelId = modelId ?? _model.Model,
                Provider = _model.Provider,
                Tier = _tier ?? context?.Tier,
                Caller = context?.Caller,
                RunId = context?.RunId,
                Purpose = context?.Purpose,
                Phase = context?.Phase,
                Usage = Snapshot(usage),
                Latency = _timeProvider.GetElapsedTime(start),
                Timestamp = _timeProvider.GetUtcNow(),
                Streaming = streaming,
            },
            cancellationToken);
    }
}
