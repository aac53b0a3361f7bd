using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Executus.Testing;

/// <summary>
/// A scripted <see cref="IChatClient"/> for hermetic tests: it answers requests, in order, with queued turns (text,
/// tool calls, usage, delays, exceptions, streaming updates), records every request it received, and throws a
/// <see cref="ScriptExhaustedException"/> when the script runs out (unless a fallback is set).
/// </summary>
/// <example>
/// <code>
/// var client = new ScriptedChatClient()
///     .ReplyToolCall("clock", new { zone = "UTC" })
///     .ReplyText("It is noon.", usage: new UsageDetails { InputTokenCount = 10, OutputTokenCount = 4 });
/// </code>
/// </example>
public sealed class ScriptedChatClient : IChatClient
{
    /// <summary>The provider name reported in <see cref="ChatClientMetadata"/>.</summary>
    public const string ProviderName = "scripted";

    /// <summary>The key in <see cref="Exception.Data"/> under which <see cref="ThrowHttp"/> stores the Retry-After delay (in seconds, as the HTTP header writes it).</summary>
    public const string RetryAfterDataKey = "Retry-After";

    private readonly Queue<ScriptedTurn> _turns = new();
    private readonly List<ScriptedRequest> _requests = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly ChatClientMetadata _metadata;
    private ScriptedTurn? _lastEnqueued;
    private Func<ScriptedRequest, ChatResponse>? _fallback;
    private int _callIds;
    private int _responseIds;

    /// <summary>Initializes a new scripted client.</summary>
    /// <param name="modelId">The model id reported in responses and metadata.</param>
    /// <param name="timeProvider">The time source for delays and timestamps; the system clock when null.</param>
    public ScriptedChatClient(string modelId = "scripted-model", TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ModelId = modelId;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _metadata = new ChatClientMetadata(ProviderName, defaultModelId: modelId);
    }

    /// <summary>Gets the model id reported in responses.</summary>
    public string ModelId { get; }

    /// <summary>Gets every request received so far, in order.</summary>
    public IReadOnlyList<ScriptedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Gets the number of turns not yet used.</summary>
    public int RemainingTurns
    {
        get
        {
            lock (_lock)
            {
                return _turns.Count;
            }
        }
    }

    /// <summary>Queues <paramref name="turn"/>.</summary>
    /// <param name="turn">The turn.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient Enqueue(ScriptedTurn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        if (turn.Response is null && turn.Responder is null && turn.Updates is null && turn.Exception is null)
        {
            throw new ArgumentException("A scripted turn needs a response, a responder, updates or an exception.", nameof(turn));
        }

        lock (_lock)
        {
            _turns.Enqueue(turn);
            _lastEnqueued = turn;
        }

        return this;
    }

    /// <summary>Queues an assistant text answer.</summary>
    /// <param name="text">The text.</param>
    /// <param name="usage">The usage the response reports, if any.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient ReplyText(string text, UsageDetails? usage = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Enqueue(ScriptedTurn.FromResponse(CreateResponse([new TextContent(text)], usage)));
    }

    /// <summary>Queues an answer that calls one tool.</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="arguments">The arguments: an <see cref="IDictionary{TKey, TValue}"/>, or any object serialised to JSON (e.g. an anonymous object).</param>
    /// <param name="callId">The call id; <c>call_1</c>, <c>call_2</c>… when null.</param>
    /// <param name="usage">The usage the response reports, if any.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient ReplyToolCall(string name, object? arguments = null, string? callId = null, UsageDetails? usage = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return ReplyToolCalls([new FunctionCallContent(callId ?? NextCallId(), name, ToArguments(arguments))], usage);
    }

    /// <summary>Queues an answer that calls several tools at once.</summary>
    /// <param name="calls">The calls.</param>
    /// <param name="usage">The usage the response reports, if any.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient ReplyToolCalls(IEnumerable<FunctionCallContent> calls, UsageDetails? usage = null)
    {
        ArgumentNullException.ThrowIfNull(calls);
        AIContent[] contents = [.. calls];
        if (contents.Length == 0)
        {
            throw new ArgumentException("At least one call is needed.", nameof(calls));
        }

        return Enqueue(ScriptedTurn.FromResponse(CreateResponse(contents, usage)));
    }

    /// <summary>
    /// Queues a tool call whose arguments are raw JSON text, parsed the way a provider parses them: malformed JSON
    /// yields a call whose <see cref="FunctionCallContent.Exception"/> is set, as a real model's garbage would.
    /// </summary>
    /// <param name="name">The tool name.</param>
    /// <param name="argumentsJson">The arguments as JSON text, possibly malformed.</param>
    /// <param name="callId">The call id; generated when null.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient ReplyRawToolCall(string name, string argumentsJson, string? callId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(argumentsJson);
        FunctionCallContent call = FunctionCallContent.CreateFromParsedArguments(
            argumentsJson,
            callId ?? NextCallId(),
            name,
            static json => JsonSerializer.Deserialize<Dictionary<string, object?>>(json, AIJsonUtilities.DefaultOptions));
        return Enqueue(ScriptedTurn.FromResponse(CreateResponse([call], null)));
    }

    /// <summary>Queues a streamed text answer delivered as one update per chunk.</summary>
    /// <param name="chunks">The text chunks.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient ReplyStreaming(params IEnumerable<string> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        string responseId = NextResponseId();
        ChatResponseUpdate[] updates =
        [
            .. chunks.Select(c => new ChatResponseUpdate(ChatRole.Assistant, c)
            {
                ModelId = ModelId,
                ResponseId = responseId,
                MessageId = responseId,
            }),
        ];
        if (updates.Length == 0)
        {
            throw new ArgumentException("At least one chunk is needed.", nameof(chunks));
        }

        updates[^1].FinishReason = ChatFinishReason.Stop;
        return Enqueue(new ScriptedTurn { Updates = updates });
    }

    /// <summary>Queues an answer computed from the request when it arrives.</summary>
    /// <param name="responder">Computes the response.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient Reply(Func<ScriptedRequest, ChatResponse> responder)
    {
        ArgumentNullException.ThrowIfNull(responder);
        return Enqueue(new ScriptedTurn { Responder = responder });
    }

    /// <summary>Queues a fixed response.</summary>
    /// <param name="response">The response.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient Reply(ChatResponse response) => Enqueue(ScriptedTurn.FromResponse(response));

    /// <summary>Queues an exception.</summary>
    /// <param name="exception">The exception to throw.</param>
    /// <param name="afterUpdates">For a streaming request: how many updates of <paramref name="partialText"/> to send first.</param>
    /// <param name="partialText">Text sent as updates before the failure when streaming, one update per character group.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient Throw(Exception exception, int afterUpdates = 0, string? partialText = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentOutOfRangeException.ThrowIfNegative(afterUpdates);
        IReadOnlyList<ChatResponseUpdate>? updates = null;
        if (afterUpdates > 0)
        {
            string text = partialText ?? "partial";
            updates = [.. Enumerable.Range(0, afterUpdates).Select(i => new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? text : " " + text) { ModelId = ModelId })];
        }

        return Enqueue(new ScriptedTurn { Exception = exception, ThrowAfterUpdates = afterUpdates, Updates = updates });
    }

    /// <summary>
    /// Queues an <see cref="HttpRequestException"/> with <paramref name="statusCode"/>, as a provider's HTTP client
    /// throws for 429 or 5xx. A <paramref name="retryAfter"/> is stored in <see cref="Exception.Data"/> under
    /// <see cref="RetryAfterDataKey"/> as whole seconds (a string, as the header carries it).
    /// </summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="retryAfter">The server's Retry-After, if any.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient ThrowHttp(HttpStatusCode statusCode, TimeSpan? retryAfter = null)
    {
        var exception = new HttpRequestException(
            string.Create(CultureInfo.InvariantCulture, $"Response status code does not indicate success: {(int)statusCode} ({statusCode})."),
            inner: null,
            statusCode);
        if (retryAfter is { } delay)
        {
            exception.Data[RetryAfterDataKey] = ((long)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return Throw(exception);
    }

    /// <summary>Makes the most recently queued turn wait <paramref name="delay"/> before answering.</summary>
    /// <param name="delay">The delay, on the client's <see cref="TimeProvider"/>.</param>
    /// <returns>This client, for chaining.</returns>
    /// <exception cref="InvalidOperationException">No turn was queued yet.</exception>
    public ScriptedChatClient WithDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        lock (_lock)
        {
            ScriptedTurn last = _lastEnqueued ?? throw new InvalidOperationException("WithDelay applies to the last queued turn; queue a turn first.");
            ScriptedTurn[] turns = [.. _turns];
            int index = Array.LastIndexOf(turns, last);
            if (index < 0)
            {
                throw new InvalidOperationException("The last queued turn was already used; WithDelay must follow the turn it delays.");
            }

            turns[index] = last with { Delay = delay };
            _lastEnqueued = turns[index];
            _turns.Clear();
            foreach (ScriptedTurn turn in turns)
            {
                _turns.Enqueue(turn);
            }
        }

        return this;
    }

    /// <summary>
    /// Answers every request that finds the script empty with <paramref name="fallback"/> instead of throwing
    /// <see cref="ScriptExhaustedException"/>: for loops and benchmarks that run indefinitely.
    /// </summary>
    /// <param name="fallback">Computes the response.</param>
    /// <returns>This client, for chaining.</returns>
    public ScriptedChatClient WhenExhausted(Func<ScriptedRequest, ChatResponse> fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        lock (_lock)
        {
            _fallback = fallback;
        }

        return this;
    }

    /// <summary>Creates an assistant response with this client's model id and a fresh response id.</summary>
    /// <param name="contents">The contents of the assistant message.</param>
    /// <param name="usage">The usage to report, if any.</param>
    /// <returns>The response.</returns>
    public ChatResponse CreateResponse(IList<AIContent> contents, UsageDetails? usage = null)
    {
        ArgumentNullException.ThrowIfNull(contents);
        string responseId = NextResponseId();
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = responseId })
        {
            ResponseId = responseId,
            ModelId = ModelId,
            CreatedAt = _timeProvider.GetUtcNow(),
            FinishReason = contents.OfType<FunctionCallContent>().Any() ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = usage,
        };
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (ScriptedRequest request, ScriptedTurn? turn) = Take(messages, options, streaming: false);
        if (turn is null)
        {
            return Fallback(request);
        }

        await DelayAsync(turn, cancellationToken).ConfigureAwait(false);
        if (turn.Exception is not null)
        {
            throw turn.Exception;
        }

        return turn.Response
            ?? turn.Responder?.Invoke(request)
            ?? turn.Updates!.ToChatResponse();
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        (ScriptedRequest request, ScriptedTurn? turn) = Take(messages, options, streaming: true);
        if (turn is null)
        {
            foreach (ChatResponseUpdate update in Fallback(request).ToChatResponseUpdates())
            {
                yield return update;
            }

            yield break;
        }

        await DelayAsync(turn, cancellationToken).ConfigureAwait(false);
        if (turn.Exception is not null)
        {
            foreach (ChatResponseUpdate update in (turn.Updates ?? []).Take(turn.ThrowAfterUpdates))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }

            throw turn.Exception;
        }

        IEnumerable<ChatResponseUpdate> updates = turn.Updates
            ?? (turn.Response ?? turn.Responder!(request)).ToChatResponseUpdates();
        foreach (ChatResponseUpdate update in updates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing to release: the client holds no unmanaged resources.
    }

    private static IDictionary<string, object?>? ToArguments(object? arguments) => arguments switch
    {
        null => null,
        IDictionary<string, object?> dictionary => dictionary,
        _ => JsonSerializer.SerializeToElement(arguments, arguments.GetType(), AIJsonUtilities.DefaultOptions)
                .EnumerateObject()
                .ToDictionary(p => p.Name, p => (object?)p.Value.Clone()),
    };

    private (ScriptedRequest Request, ScriptedTurn? Turn) Take(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        lock (_lock)
        {
            var request = new ScriptedRequest(_requests.Count, [.. messages], options?.Clone(), streaming);
            _requests.Add(request);
            if (_turns.TryDequeue(out ScriptedTurn? turn))
            {
                return (request, turn);
            }

            return _fallback is not null ? (request, null) : throw new ScriptExhaustedException(request);
        }
    }

    private ChatResponse Fallback(ScriptedRequest request)
    {
        Func<ScriptedRequest, ChatResponse> fallback;
        lock (_lock)
        {
            fallback = _fallback!;
        }

        return fallback(request);
    }

    private Task DelayAsync(ScriptedTurn turn, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return turn.Delay > TimeSpan.Zero ? Task.Delay(turn.Delay, _timeProvider, cancellationToken) : Task.CompletedTask;
    }

    private string NextCallId() => string.Create(CultureInfo.InvariantCulture, $"call_{Interlocked.Increment(ref _callIds)}");

    private string NextResponseId() => string.Create(CultureInfo.InvariantCulture, $"resp_{Interlocked.Increment(ref _responseIds)}");
}
