using System.Text.Json;
using Executus.Auditing;
using Executus.Core.Tests.Runs;
using Executus.Runs;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Auditing;

/// <summary>A tool call's arguments are kept as a copy of their pairs and serialized only when read.</summary>
public class AuditArgumentValuesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_pairs_are_a_copy_and_their_json_matches_serializing_the_dictionary()
    {
        using JsonDocument nested = JsonDocument.Parse("""{"deep":[1,2,{"x":"y"}]}""");
        var arguments = new Dictionary<string, object?>
        {
            ["url"] = "https://example.com",
            ["count"] = 3,
            ["ratio"] = 0.5,
            ["flag"] = true,
            ["none"] = null,
            ["nested"] = nested.RootElement.Clone(),
        };
        string expected = JsonSerializer.SerializeToElement(arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(Dictionary<string, object?>))).GetRawText();

        var auditEvent = new AuditEvent(AuditEventKind.ToolCall, T0) { ArgumentValues = arguments };
        arguments["url"] = "https://changed.example";
        arguments["added"] = 1;

        Assert.Equal(6, auditEvent.ArgumentValues!.Count);
        Assert.Equal("https://example.com", auditEvent.ArgumentValues.Single(p => p.Key == "url").Value);
        Assert.Equal(expected, auditEvent.Arguments!.Value.GetRawText());
        Assert.Equal(auditEvent.Arguments.Value.GetRawText(), auditEvent.Arguments.Value.GetRawText());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Any_number_of_pairs_from_any_collection_keep_their_order(int count)
    {
        KeyValuePair<string, object?>[] pairs = [.. Enumerable.Range(0, count).Select(i => new KeyValuePair<string, object?>("k" + i, i))];
        var fromDictionary = new AuditEvent(AuditEventKind.ToolCall, T0) { ArgumentValues = pairs.ToDictionary(p => p.Key, p => p.Value) };
        var fromList = new AuditEvent(AuditEventKind.ToolCall, T0) { ArgumentValues = pairs.ToList() };

        Assert.Equal(pairs, fromDictionary.ArgumentValues!);
        Assert.Equal(pairs, fromList.ArgumentValues!);
        Assert.Equal(count, fromList.ArgumentValues!.Count);
        string expected = "{" + string.Join(",", pairs.Select(p => $"\"{p.Key}\":{p.Value}")) + "}";
        Assert.Equal(expected, JsonSerializer.Serialize(fromDictionary.Arguments!.Value));
        Assert.Equal(expected, JsonSerializer.Serialize(fromList.Arguments!.Value));
    }

    [Fact]
    public void A_mutable_value_is_serialized_when_the_event_is_built()
    {
        var items = new List<int> { 1, 2 };
        var auditEvent = new AuditEvent(AuditEventKind.ToolCall, T0) { ArgumentValues = new Dictionary<string, object?> { ["items"] = items } };
        items.Add(3);

        object? kept = Assert.Single(auditEvent.ArgumentValues!).Value;
        Assert.IsType<JsonElement>(kept);
        Assert.Equal("""{"items":[1,2]}""", JsonSerializer.Serialize(auditEvent.Arguments!.Value));
    }

    [Fact]
    public void Setting_json_replaces_the_pairs_and_setting_pairs_replaces_json()
    {
        var withPairs = new AuditEvent(AuditEventKind.ToolCall, T0) { ArgumentValues = new Dictionary<string, object?> { ["a"] = 1 } };
        JsonElement replacement = JsonSerializer.SerializeToElement(new { b = 2 });

        AuditEvent withJson = withPairs with { Arguments = replacement };
        Assert.Null(withJson.ArgumentValues);
        Assert.Equal("""{"b":2}""", JsonSerializer.Serialize(withJson.Arguments!.Value));

        AuditEvent backToPairs = withJson with { ArgumentValues = new Dictionary<string, object?> { ["c"] = "3" } };
        Assert.Equal("""{"c":"3"}""", JsonSerializer.Serialize(backToPairs.Arguments!.Value));
        Assert.Equal(withJson.Arguments.Value.GetRawText(), (withJson with { ArgumentValues = null }).Arguments!.Value.GetRawText());
    }

    [Fact]
    public async Task The_kernel_audits_a_tool_call_with_its_argument_pairs()
    {
        var arguments = new Dictionary<string, object?> { ["a"] = 2, ["b"] = 3 };
        using var model = new ScriptedChatClient()
            .Reply(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "add", arguments)])))
            .ReplyText("done");
        var tools = new ToolRegistry();
        tools.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        var audit = new RecordingAudit();
        var executor = new Executor(new FixedModelResolver(model), tools, new RunPorts { Audit = audit });

        await executor.RunAsync(new RunRequest(new RunnableAgent("ops") { Tools = ["add"] }, "go"));
        arguments["b"] = 99;

        AuditEvent call = Assert.Single(audit.Events, e => e.Kind == AuditEventKind.ToolCall);
        Assert.Equal(["a", "b"], call.ArgumentValues!.Select(p => p.Key));
        Assert.Equal("""{"a":2,"b":3}""", JsonSerializer.Serialize(call.Arguments!.Value));
    }
}
