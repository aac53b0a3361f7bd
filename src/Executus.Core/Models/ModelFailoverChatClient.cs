using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>
/// An <see cref="IChatClient"/> that tries its candidates in order and moves to the next one when a call fails with a
/// transient error (per <see cref="ITransientErrorClassifier"/>); a failed candidate cools down for the server's
/// <c>Retry-After</c> or, without one, for <see cref="FailoverOptions.Cooldown"/>, and is skipped meanwhile.
/// </summary>
/// <remarks>
/// <para>Non-transient errors (400, 401, 403, content filter…) and cancellation by the caller's token surface at once.
/// An empty reply with no finish reason (<see cref="ModelEmptyResponseException"/>) fails over like a transient error.
/// A streaming call fails over only before its first update reached the caller; a failure after that is surfaced,
/// because the caller has already seen part of an answer. When every candidate is cooling down, the one whose
/// cool-down ends soonest is probed once (see <see cref="FailoverOptions.ProbeInterval"/>), so a single-model tier is not
/// refused for a whole cool-down after one transient error. When no candidate can answer, a
/// <see cref="ModelUnavailableException"/> lists every failure and skip.</para>
/// <para>Why not M.E.AI's <c>OrderedFailoverChatClient</c>: in 10.11 it is experimental (<c>MEAI001</c>), so exposing or
/// deriving from it would put an experimental type in Executus's public API; and it fails over on every failure
/// (a 401 or a content filter would be retried on the next model), with no classifier, no <c>Retry-After</c> and no
/// cool-down shared across requests. Its rule "no failover after streamed output is exposed" is kept here. The name
/// differs from M.E.AI's experimental <c>FailoverChatClient</c> base class so code importing both namespaces compiles.</para>
/// </remarks>
public sealed class ModelFailoverChatClient : IChatClient
{
    private readonly FailoverCandidate[] _candidates;
    private readonly FailoverOptions _options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="candidates">The candidates, in order of preference; at least one.</param>
    /// <param name="options">Options; defaults when null.</param>
    public ModelFailoverChatClient(IEnumerable<FailoverCandidate> candidates, FailoverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        _candidates = [.. candidates];
        if (_candidates.Length == 0)
        {
            throw new ArgumentException("At least one candidate is needed.", nameof(candidates));
        }

        if (Array.Exists(_candidates, static c => c is null))
        {
            throw new ArgumentException("A candidate is null.", nameof(candidates));
        }

        _options = options ?? new FailoverOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Cooldown, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxRetryAfter, TimeSpan.Zero, nameof(options));
        if (_options.ProbeInterval is { } probeInterval)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(probeInterval, TimeSpan.Zero, nameof(options));
        }

        ArgumentNullException.ThrowIfNull(_options.TimeProvider, nameof(options));
        ArgumentNullException.ThrowIfNull(_options.Classifier, nameof(options));
    }

    /// <summary>Gets the candidates, in order.</summary>
    public IReadOnlyList<FailoverCandidate> Candidates => _candidates;

    /// <summary>Gets the tier this client serves, if known.</summary>
    public string? Tier => _options.Tier;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var attempt = new AttemptLog();
        foreach ((FailoverCandidate candidate, bool probe) in Walk(attempt))
        {
            try
            {
                ChatResponse response = await candidate.Client.GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
                if (ModelEmptyResponseException.IsEmpty(response))
                {
                    throw Empty(candidate);
                }

                if (probe)
                {
                    candidate.ResetCooldown();
                }

                return response;
            }
            catch (Exception ex) when (ShouldFailOver(ex, cancellationToken))
            {
                Fail(candidate, ex, attempt);
            }
        }

        throw Unavailable(attempt);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var attempt = new AttemptLog();
        foreach ((FailoverCandidate candidate, bool probe) in Walk(attempt))
        {
            IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
            List<ChatResponseUpdate>? held = null;
            try
            {
                // Why: updates that carry nothing a caller would see (a role, usage) are held back until the first one
                // that does; a stream that ends before that (an error event inside an HTTP 200 stream) is a failure
                // that may still fail over, since nothing reached the caller.
                enumerator = candidate.Client.GetStreamingResponseAsync(list, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                while (true)
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        throw Empty(candidate);
                    }

                    if (ModelEmptyResponseException.IsMeaningful(enumerator.Current))
                    {
                        break;
                    }

                    (held ??= []).Add(enumerator.Current);
                }
            }
            catch (Exception ex)
            {
                if (enumerator is not null)
                {
                    await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
                }

                if (!ShouldFailOver(ex, cancellationToken))
                {
                    throw;
                }

                Fail(candidate, ex, attempt);
                continue;
            }

            if (probe)
            {
                candidate.ResetCooldown();
            }

            // From here on output has reached (or is about to reach) the caller: no more failover.
            try
            {
                if (held is not null)
                {
                    foreach (ChatResponseUpdate update in held)
                    {
                        yield return update;
                    }
                }

                yield return enumerator.Current;
                while (await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield return enumerator.Current;
                }
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }

            yield break;
        }

        throw Unavailable(attempt);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return _candidates[0].Client.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_options.LeaveOpen)
        {
            return;
        }

        foreach (FailoverCandidate candidate in _candidates)
        {
            candidate.Client.Dispose();
        }
    }

    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<ChatResponseUpdate> enumerator)
    {
        try
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Why: the original failure matters more than a failure to dispose the failed stream.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static ModelEmptyResponseException Empty(FailoverCandidate candidate) =>
        new($"Model '{candidate.Name}' answered with an empty reply and no finish reason (an error inside the stream?).");

    private bool ShouldFailOver(Exception exception, CancellationToken cancellationToken) =>
        !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested) &&
        (exception is ModelEmptyResponseException || _options.Classifier.IsTransient(exception));

    // Why: lazy, so the probe is chosen only after every candidate that was not cooling has been tried.
    private IEnumerable<(FailoverCandidate Candidate, bool Probe)> Walk(AttemptLog attempt)
    {
        foreach (FailoverCandidate candidate in _candidates)
        {
            if (!IsSkipped(candidate, attempt))
            {
                yield return (candidate, false);
            }
        }

        if (_options.ProbeInterval is not { } interval || attempt.SkippedCandidates.Count == 0)
        {
            yield break;
        }

        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        foreach (FailoverCandidate candidate in attempt.SkippedCandidates.OrderBy(c => c.CooldownUntil ?? DateTimeOffset.MinValue))
        {
            if (candidate.TryTakeProbe(now, interval))
            {
                attempt.Skipped.Remove(candidate.Name);
                ModelsTelemetry.CooldownProbes.Add(1, ModelsTelemetry.Tags(_options.Tier, candidate.Name));
                yield return (candidate, true);
                yield break;
            }
        }
    }

    private bool IsSkipped(FailoverCandidate candidate, AttemptLog attempt)
    {
        DateTimeOffset now = _options.TimeProvider.GetUtcNow();
        if (!candidate.IsCoolingDown(now))
        {
            return false;
        }

        attempt.Skipped.Add(candidate.Name);
        attempt.SkippedCandidates.Add(candidate);
        TimeSpan wait = candidate.CooldownUntil!.Value - now;
        attempt.EarliestRetry = attempt.EarliestRetry is { } earliest && earliest < wait ? earliest : wait;
        ModelsTelemetry.CooldownSkips.Add(1, ModelsTelemetry.Tags(_options.Tier, candidate.Name));
        return true;
    }

    private void Fail(FailoverCandidate candidate, Exception exception, AttemptLog attempt)
    {
        attempt.Failures.Add(new(candidate.Name, exception));
        TimeSpan? retryAfter = _options.Classifier.GetRetryAfter(exception, _options.TimeProvider);
        TimeSpan cooldown = retryAfter is { } serverWait
            ? (serverWait > _options.MaxRetryAfter ? _options.MaxRetryAfter : serverWait)
            : _options.Cooldown;
        if (cooldown > TimeSpan.Zero)
        {
            // Why: saturate; a huge Retry-After under MaxRetryAfter = TimeSpan.MaxValue must not overflow DateTimeOffset.
            DateTimeOffset now = _options.TimeProvider.GetUtcNow();
            DateTimeOffset until = cooldown >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + cooldown;
            candidate.StartCooldown(until, serverImposed: retryAfter is not null);
            attempt.EarliestRetry = attempt.EarliestRetry is { } earliest && earliest < cooldown ? earliest : cooldown;
        }

        ModelsTelemetry.Failovers.Add(1, ModelsTelemetry.Tags(_options.Tier, candidate.Name));
    }

    private ModelUnavailableException Unavailable(AttemptLog attempt)
    {
        string where = _options.Tier is null ? "No model candidate" : $"No candidate of model tier '{_options.Tier}'";
        var parts = new List<string>();
        parts.AddRange(attempt.Failures.Select(f => $"{f.Key} failed ({f.Value.GetType().Name}: {f.Value.Message})"));
        parts.AddRange(attempt.Skipped.Select(s => $"{s} is cooling down"));
        return new ModelUnavailableException(
            $"{where} could answer: {string.Join("; ", parts)}.", _options.Tier, attempt.Failures, attempt.Skipped, attempt.EarliestRetry);
    }

    private sealed class AttemptLog
    {
        public List<KeyValuePair<string, Exception>> Failures { get; } = [];

        public List<string> Skipped { get; } = [];

        public List<FailoverCandidate> SkippedCandidates { get; } = [];

        public TimeSpan? EarliestRetry { get; set; }
    }
}
