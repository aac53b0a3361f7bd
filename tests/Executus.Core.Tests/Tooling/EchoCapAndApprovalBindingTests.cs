using System.ComponentModel;
using System.Text.Json;
using Executus.Auditing;
using Executus.Dispatch;
using Executus.Identity;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static Executus.Core.Tests.Tooling.ToolingFixtures;

namespace Executus.Core.Tests.Tooling;

/// <summary>Issue 23 items 4 and 6: errors never echo megabytes; an approval binds to its own request.</summary>
public sealed class EchoCapAndApprovalBindingTests
{
    private const int Huge = 10 * 1024 * 1024;
    private static readonly CallerIdentity Bob = new("bob");
    private readonly RecordingAudit _audit = new();
    private readonly ToolRegistry _registry = new();

    public EchoCapAndApprovalBindingTests()
    {
        _registry.Register(AIFunctionFactory.Create((Speed speed) => $"going {speed}", "go"));
        _registry.Register(AIFunctionFactory.Create((string id) => $"deleted {id}", "delete"), new ToolMetadata { NeedsApproval = true });
        _registry.Register(AIFunctionFactory.Create(string (string text) => throw new InvalidOperationException("bad " + text), "echo_fail"));
        _registry.Register(AIFunctionFactory.Create((string path) => path, "read"), new ToolMetadata
        {
            Validators = [new SandboxPathValidator(Path.GetTempPath(), "path"), new UrlArgumentValidator(null, "url")],
        });
        _registry.Register(AIFunctionFactory.Create((string url) => url, "fetch"), new ToolMetadata { Validators = [new UrlArgumentValidator(null, "url")] });
    }

    public enum Speed
    {
        /// <summary>Slow.</summary>
        [Description("slow")]
        Slow,

        /// <summary>Fast.</summary>
        Fast,
    }

    private Task<Toolbox> ToolboxAsync(IToolApprovalHandler? approver = null, params string[] tools) =>
        new ToolboxFactory(_registry, null, _audit, approver, new FakeTimeProvider())
            .CreateAsync(new ToolboxRequest("helper", tools.Length == 0 ? ["go", "delete", "echo_fail", "read", "fetch"] : tools, Bob)).AsTask();

    private static FunctionCallContent Call(string name, object arguments, string callId = "c1") =>
        new(callId, name, JsonSerializer.SerializeToElement(arguments).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone()));

    public static TheoryData<string, object> HugeCalls() => new()
    {
        { "go", new { speed = new string('x', Huge) } },
        { new string('t', Huge), new { } },
        { "read", new { path = "../" + new string('p', Huge) } },
        { "read", new { path = new string('p', 100_000) } },
        { "fetch", new { url = "http://" + new string('h', Huge) + ".local/" } },
        { "echo_fail", new { text = new string('e', Huge) } },
    };

    [Theory]
    [MemberData(nameof(HugeCalls))]
    public async Task A_huge_argument_or_name_is_echoed_at_most_a_few_hundred_characters(string tool, object arguments)
    {
        Toolbox toolbox = await ToolboxAsync();
        FunctionResultContent result = await toolbox.InvokeAsync(Call(tool, arguments));

        string text = ResultText(result);
        Assert.StartsWith("Error:", text, StringComparison.Ordinal);
        Assert.True(text.Length < 2_500, $"the error is {text.Length} characters");
        Assert.Contains(" chars)", text, StringComparison.Ordinal);
        Assert.All(_audit.Events, e => Assert.True(e.Detail!.Length <= 2_100 && e.ToolName!.Length <= 250));
    }

    [Fact]
    public void Huge_unknown_argument_and_property_names_and_numbers_are_capped_by_the_schema_check()
    {
        using JsonDocument schema = JsonDocument.Parse("""
            {"type":"object","additionalProperties":false,"properties":{
              "o":{"type":"object","additionalProperties":false},
              "n":{"type":"string"}}}
            """);
        Dictionary<string, object?> arguments = new()
        {
            [new string('k', Huge)] = 1,
            ["o"] = JsonSerializer.SerializeToElement(new Dictionary<string, int> { [new string('q', Huge)] = 1 }),
            ["n"] = JsonSerializer.SerializeToElement(decimal.MaxValue),
        };
        arguments["n"] = JsonDocument.Parse("1" + new string('0', 100_000)).RootElement.Clone();

        List<string> errors = ToolSchemaValidator.Validate(schema.RootElement, arguments);

        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.True(e.Length < 400, $"error of {e.Length} characters"));
        Assert.All(errors, e => Assert.Contains(" chars)", e, StringComparison.Ordinal));
    }

    [Fact]
    public void A_huge_repeated_tool_name_is_capped_by_the_dispatch_guard()
    {
        string name = new string('n', Huge);
        using DispatchEntry run = new DispatchGuard(new DispatchLimits { MaxRepeats = 1 }).Enter("agent", "input");

        Assert.Null(DispatchGuard.CheckToolCall(name, "{}"));
        DispatchDenied? denied = DispatchGuard.CheckToolCall(name, "{}");

        Assert.NotNull(denied);
        Assert.True(denied.Message.Length < 600, $"the message is {denied.Message.Length} characters");
    }

    [Fact]
    public async Task An_approval_for_another_request_is_denied_and_audited()
    {
        Toolbox toolbox = await ToolboxAsync(new DelegateApprover((request, _) =>
            new ToolApprovalResponseContent("approval:other", true, request.ToolCall)));

        FunctionResultContent result = await toolbox.InvokeAsync(Call("delete", new { id = "42" }));

        Assert.Contains("ApprovalMismatch", ResultText(result), StringComparison.Ordinal);
        Assert.Contains("another approval request", ResultText(result), StringComparison.Ordinal);
        Assert.Equal("ApprovalMismatch", Assert.Single(_audit.Events).Data["code"]);
        Assert.Equal(ToolDenialCode.ApprovalMismatch, Assert.IsType<ToolDeniedException>(result.Exception).Denial!.Code);
    }

    [Fact]
    public async Task An_approval_of_another_call_with_other_arguments_is_denied()
    {
        // The approver answers with the right request id but a response built for a different call and arguments.
        Toolbox toolbox = await ToolboxAsync(new DelegateApprover((request, _) =>
            new ToolApprovalResponseContent(request.RequestId, true, Call("delete", new { id = "1" }, callId: "c9"))));

        FunctionResultContent result = await toolbox.InvokeAsync(Call("delete", new { id = "42" }));

        Assert.Contains("approves another tool call", ResultText(result), StringComparison.Ordinal);
        Assert.Equal("ApprovalMismatch", Assert.Single(_audit.Events).Data["code"]);
    }

    [Fact]
    public async Task An_approval_for_the_same_call_id_with_other_arguments_is_denied()
    {
        Toolbox toolbox = await ToolboxAsync(new DelegateApprover((request, _) =>
            new ToolApprovalResponseContent(request.RequestId, true, Call("delete", new { id = "1" }))));

        FunctionResultContent result = await toolbox.InvokeAsync(Call("delete", new { id = "42" }));

        Assert.Contains("arguments changed", ResultText(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_changed_in_place_while_approving_are_denied()
    {
        Toolbox toolbox = await ToolboxAsync(new DelegateApprover((request, _) =>
        {
            ((FunctionCallContent)request.ToolCall).Arguments!["id"] = JsonSerializer.SerializeToElement("everything");
            return request.CreateResponse(true);
        }));

        FunctionResultContent result = await toolbox.InvokeAsync(Call("delete", new { id = "42" }));

        Assert.Contains("ApprovalMismatch", ResultText(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_matching_approval_runs_the_tool_and_carries_the_argument_hash()
    {
        string? hash = null;
        Toolbox toolbox = await ToolboxAsync(new DelegateApprover((request, _) =>
        {
            hash = request.AdditionalProperties?[Toolbox.ApprovalArgumentHashKey] as string;
            ToolApprovalResponseContent response = request.CreateResponse(true);
            response.AdditionalProperties = new() { [Toolbox.ApprovalArgumentHashKey] = hash };
            return response;
        }));

        FunctionResultContent result = await toolbox.InvokeAsync(Call("delete", new { id = "42" }));

        Assert.Equal("deleted 42", ResultText(result));
        Assert.Matches("^[0-9A-F]{64}$", hash);
        Assert.Empty(_audit.Events);
    }

    [Fact]
    public async Task An_echoed_hash_for_other_arguments_is_denied()
    {
        Toolbox toolbox = await ToolboxAsync(new DelegateApprover((request, _) =>
        {
            ToolApprovalResponseContent response = request.CreateResponse(true);
            response.AdditionalProperties = new() { [Toolbox.ApprovalArgumentHashKey] = new string('0', 64) };
            return response;
        }));

        FunctionResultContent result = await toolbox.InvokeAsync(Call("delete", new { id = "42" }));

        Assert.Contains("given for other arguments", ResultText(result), StringComparison.Ordinal);
    }

    private sealed class DelegateApprover(Func<ToolApprovalRequestContent, RegisteredTool, ToolApprovalResponseContent> answer) : IToolApprovalHandler
    {
        public ValueTask<ToolApprovalResponseContent> RequestApprovalAsync(
            ToolApprovalRequestContent request, RegisteredTool tool, ToolInvocationContext context, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(answer(request, tool));
    }
}
