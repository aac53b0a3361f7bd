using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace BotHost;

/// <summary>
/// The offline model: it reads the conversation (not a queue), so a run resumed after a restart goes on where it was.
/// It calls the tools a real model would for a few phrases, loads a skill for "release notes", and reports usage so
/// the budget battery has something to count.
/// </summary>
/// <remarks>
/// Phrases: "time" → <c>current_time</c>; "remember X" → <c>memory_set</c>; "recall" → <c>memory_get</c>; "release notes"
/// → <c>load_skill</c> + <c>read_skill_resource</c> + <c>current_time</c>; "announce X" → <c>post_announcement</c>
/// (moderators only); "fetch URL" → <c>web_fetch</c> (a private or loopback URL is denied by the SSRF guard); "slow" → <c>current_time</c>, then a pause of <see cref="SlowDelay"/> before the answer (to
/// interrupt a run); "dawdle" → the pause first, then <c>current_time</c> (to reach the critic's soft deadline); "essay" → an answer billed at 7,000 output tokens (to reach the budget's soft and hard limits).
/// </remarks>
internal sealed class DemoChatClient : IChatClient
{
    public const string Provider = "scripted";
    public const string Model = "demo";

    private static readonly ChatClientMetadata Metadata = new(Provider, null, Model);

    public DemoChatClient(TimeSpan slowDelay) => SlowDelay = slowDelay;

    public TimeSpan SlowDelay { get; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatMessage> list = [.. messages];
        int lastUser = list.FindLastIndex(m => m.Role == ChatRole.User);
        string input = lastUser < 0 ? string.Empty : list[lastUser].Text;
        string lower = input.ToLowerInvariant();
        List<FunctionCallContent> calls = [.. list.Skip(lastUser + 1).SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
        List<FunctionResultContent> results = [.. list.Skip(lastUser + 1).SelectMany(m => m.Contents).OfType<FunctionResultContent>()];
        HashSet<string> tools = [.. options?.Tools?.Select(t => t.Name) ?? []];
        long inputTokens = Math.Max(1, list.Sum(m => (long)m.Text.Length) / 4 + (options?.Instructions?.Length ?? 0) / 4);

        if (lower.Contains("dawdle", StringComparison.Ordinal) && results.Count == 0)
        {
            // Why: a pause BEFORE the tool call, so the run reaches a model-call boundary after it (the critic's deadlines
            // are checked there); "slow" pauses in the final answer, where no boundary follows.
            await Task.Delay(SlowDelay, cancellationToken).ConfigureAwait(false);
        }

        FunctionCallContent? next = NextCall(lower, input, calls, tools);
        if (next is not null)
        {
            return Response(new ChatMessage(ChatRole.Assistant, [next]), inputTokens, 20);
        }

        if (lower.Contains("slow", StringComparison.Ordinal))
        {
            await Task.Delay(SlowDelay, cancellationToken).ConfigureAwait(false);
        }

        string answer = Answer(lower, input, results);
        long output = lower.Contains("essay", StringComparison.Ordinal) ? 7_000 : Math.Max(1, answer.Length / 4);
        return Response(new ChatMessage(ChatRole.Assistant, answer), inputTokens, output);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ChatResponse response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        ChatMessage message = response.Messages[0];
        if (message.Contents is [TextContent text])
        {
            // Why: word-sized deltas, so the channels show streaming as a real model would.
            string[] words = text.Text.Split(' ');
            for (int i = 0; i < words.Length; i++)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, i == words.Length - 1 ? words[i] : words[i] + " ")
                {
                    MessageId = response.ResponseId,
                    ResponseId = response.ResponseId,
                    ModelId = Model,
                };
            }

            yield return new ChatResponseUpdate { Contents = [new UsageContent(response.Usage!)], ResponseId = response.ResponseId, ModelId = Model, FinishReason = ChatFinishReason.Stop };
            yield break;
        }

        foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private static FunctionCallContent? NextCall(string lower, string input, List<FunctionCallContent> calls, HashSet<string> tools)
    {
        bool Called(string name) => calls.Any(c => c.Name == name);
        FunctionCallContent? Call(string name, Dictionary<string, object?> arguments) =>
            tools.Contains(name) && !Called(name) ? new FunctionCallContent("call_" + Guid.NewGuid().ToString("N")[..12], name, arguments) : null;

        if (lower.Contains("release notes", StringComparison.Ordinal))
        {
            return Call("load_skill", new() { ["name"] = "release-notes" })
                ?? Call("read_skill_resource", new() { ["skill"] = "release-notes", ["resource"] = "references/style.md" })
                ?? Call("current_time", []);
        }

        if (lower.StartsWith("remember ", StringComparison.Ordinal))
        {
            return Call("memory_set", new() { ["key"] = "note", ["value"] = input["remember ".Length..].Trim() });
        }

        if (lower.Contains("recall", StringComparison.Ordinal))
        {
            return Call("memory_get", new() { ["key"] = "note" });
        }

        if (lower.StartsWith("fetch ", StringComparison.Ordinal))
        {
            return Call("web_fetch", new() { ["url"] = input["fetch ".Length..].Trim() });
        }

        if (lower.StartsWith("announce ", StringComparison.Ordinal))
        {
            return Call("post_announcement", new() { ["text"] = input["announce ".Length..].Trim() });
        }

        if (lower.Contains("time", StringComparison.Ordinal) || lower.Contains("slow", StringComparison.Ordinal) || lower.Contains("dawdle", StringComparison.Ordinal))
        {
            return Call("current_time", []);
        }

        return null;
    }

    private static string Answer(string lower, string input, List<FunctionResultContent> results)
    {
        var text = new StringBuilder();
        if (lower.Contains("release notes", StringComparison.Ordinal))
        {
            text.Append("**Added**\n- Bots now resume runs after a restart.\n\nFollowing the release-notes skill. ");
        }
        else if (lower.Contains("essay", StringComparison.Ordinal))
        {
            text.Append("Here is a (very expensive) essay: agents should stay inside their budgets. ");
        }
        else if (lower.StartsWith("announce ", StringComparison.Ordinal) && results.Count == 0)
        {
            text.Append("I cannot announce that: the post_announcement tool is not available to you (moderators only). ");
        }
        else if (results.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"You said: {input.Trim()}. ");
        }

        foreach (FunctionResultContent result in results)
        {
            string value = result.Result?.ToString() ?? string.Empty;
            text.Append("[tool said: ").Append(value.Length > 120 ? value[..120] + "…" : value).Append("] ");
        }

        return text.ToString().ReplaceLineEndings(" ").Trim();
    }

    private static ChatResponse Response(ChatMessage message, long input, long output) => new(message)
    {
        ResponseId = "resp_" + Guid.NewGuid().ToString("N")[..12],
        ModelId = Model,
        FinishReason = message.Contents.OfType<FunctionCallContent>().Any() ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
    };
}
