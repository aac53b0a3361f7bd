using Executus.Auditing;
using Executus.Identity;
using Executus.Tooling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static Executus.Core.Tests.Tooling.ToolingFixtures;

namespace Executus.Core.Tests.Tooling;

public sealed class ToolboxTests
{
    private static readonly CallerIdentity Alice = new("alice", roles: ["admin"], scopes: ["files:write"]);
    private static readonly CallerIdentity Bob = new("bob", roles: ["user"]);

    private readonly RecordingAudit _audit = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly ToolRegistry _registry = new();

    public ToolboxTests()
    {
        _registry.Register(AIFunctionFactory.Create((string text) => $"echo:{text}", "echo"));
        _registry.Register(AIFunctionFactory.Create((int a, int b) => a + b, "add"));
        _registry.Register(AIFunctionFactory.Create((string url) => $"fetched {url}", "fetch"), new ToolMetadata
        {
            Category = "web",
            SideEffect = SideEffect.External,
            Validators = [new UrlArgumentValidator(null, "url")],
        });
        _registry.Register(AIFunctionFactory.Create(() => "reset", "admin_reset"), new ToolMetadata { RequiredRoles = ["admin", "ops"] });
        _registry.Register(AIFunctionFactory.Create((string path) => $"wrote {path}", "write_file"), new ToolMetadata
        {
            SideEffect = SideEffect.Write,
            RequiredScopes = ["files:write"],
        });
        _registry.Register(AIFunctionFactory.Create((string id) => $"deleted {id}", "delete"), new ToolMetadata { NeedsApproval = true });
        _registry.Register(new ApprovalRequiredAIFunction(AIFunctionFactory.Create(() => "paid", "pay")));
        _registry.Register(AIFunctionFactory.Create(string () => throw new InvalidOperationException("disk on fire"), "boom"));
        _registry.Register(AIFunctionFactory.Create(async (CancellationToken ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return "never";
        }, "hang"));
    }

    private ToolboxFactory Factory(IPaletteSource? palette = null, IToolApprovalHandler? approver = null, IAudit? audit = null) =>
        new(_registry, palette, audit ?? _audit, approver, _time);

    private Task<Toolbox> ToolboxAsync(CallerIdentity caller, params string[] tools) =>
        Factory().CreateAsync(new ToolboxRequest("helper", tools, caller) { RunId = "run-1" }).AsTask();

    [Fact]
    public async Task Allowed_call_invokes_the_function()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "echo", "add");
        FunctionCallContent call = await ModelCallAsync(c => c.ReplyToolCall("add", new { a = 2, b = 3 }));

        FunctionResultContent result = await toolbox.InvokeAsync(call);

        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal("5", ResultText(result));
        Assert.Null(result.Exception);
        Assert.Empty(_audit.Events);
        Assert.Equal(["echo", "add"], toolbox.Functions.Select(f => f.Name));
    }

    [Fact]
    public async Task Palette_agent_names_an_unregistered_tool()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "echo", "ghost");

        ToolDenial denial = Assert.Single(toolbox.Denials);
        Assert.Equal(new ToolDenial(PermissionStage.Palette, ToolDenialCode.NotRegistered, "ghost", "agent 'helper' lists tool 'ghost', which is not registered"), denial);
        AuditEvent recorded = Assert.Single(_audit.Events);
        Assert.Equal(AuditEventKind.ToolDenied, recorded.Kind);
        Assert.Equal("ghost", recorded.ToolName);
        Assert.Equal("run-1", recorded.RunId);
        Assert.Equal("helper", recorded.AgentName);
        Assert.Equal(Bob, recorded.Caller);
        Assert.Equal(_time.GetUtcNow(), recorded.Timestamp);
        Assert.Equal("Palette", recorded.Data["stage"]);
        Assert.Equal("NotRegistered", recorded.Data["code"]);

        FunctionResultContent result = await toolbox.InvokeAsync(await CallAsync("ghost", "{}"));
        Assert.Contains("denied (PALETTE check, NotRegistered)", ResultText(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Palette_tool_outside_the_agent_allow_list_is_denied_when_called()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "echo");

        FunctionResultContent result = await toolbox.InvokeAsync(await ModelCallAsync(c => c.ReplyToolCall("add", new { a = 1, b = 2 })));

        Assert.Equal("Error: the call to tool 'add' was denied (PALETTE check, NotInAgentPalette): tool 'add' is not available to agent 'helper'", ResultText(result));
        Assert.Equal("NotInAgentPalette", Assert.Single(_audit.Events).Data["code"]);
    }

    [Fact]
    public async Task Palette_source_can_refuse_a_tool()
    {
        Toolbox toolbox = await Factory(palette: new DenyPaletteSource("fetch", "web access is off for this server"))
            .CreateAsync(new ToolboxRequest("helper", ["echo", "fetch"], Bob));

        Assert.Equal(["echo"], toolbox.Tools.Select(t => t.Name));
        Assert.Equal(ToolDenialCode.PaletteSourceDenied, Assert.Single(toolbox.Denials).Code);
        FunctionResultContent result = await toolbox.InvokeAsync(await ModelCallAsync(c => c.ReplyToolCall("fetch", new { url = "https://example.com" })));
        Assert.Contains("web access is off for this server", ResultText(result), StringComparison.Ordinal);
        Assert.Equal(2, _audit.Events.Count);
    }

    [Fact]
    public async Task Caller_without_a_required_role_is_denied_and_with_it_allowed()
    {
        Toolbox bobs = await ToolboxAsync(Bob, "admin_reset");
        Toolbox alices = await ToolboxAsync(Alice, "admin_reset");

        ToolDenial denial = Assert.Single(bobs.Denials);
        Assert.Equal(PermissionStage.Caller, denial.Stage);
        Assert.Equal(ToolDenialCode.MissingRole, denial.Code);
        Assert.Equal("caller 'bob' has none of the roles 'admin', 'ops' this tool requires", denial.Reason);
        FunctionResultContent denied = await bobs.InvokeAsync(await CallAsync("admin_reset", "{}"));
        Assert.StartsWith("Error: the call to tool 'admin_reset' was denied (CALLER check, MissingRole)", ResultText(denied), StringComparison.Ordinal);

        Assert.Empty(alices.Denials);
        Assert.Equal("reset", ResultText(await alices.InvokeAsync(await CallAsync("admin_reset", "{}"))));
    }

    [Fact]
    public async Task Caller_without_a_required_scope_is_denied()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "write_file");

        ToolDenial denial = Assert.Single(toolbox.Denials);
        Assert.Equal(ToolDenialCode.MissingScope, denial.Code);
        Assert.Contains("'files:write'", denial.Reason, StringComparison.Ordinal);
        Assert.True(_registry.TryGet("write_file", out RegisteredTool? tool));
        Assert.Null(tool.CheckCaller(Alice));
        Assert.Equal(ToolDenialCode.MissingScope, tool.CheckCaller(Bob)!.Code);
    }

    [Fact]
    public void RegisteredTool_CheckCaller_is_stage_two_all_scopes_and_any_role()
    {
        Assert.True(_registry.TryGet("admin_reset", out RegisteredTool? admin));
        Assert.True(_registry.TryGet("echo", out RegisteredTool? echo));

        Assert.Null(admin.CheckCaller(Alice)); // holds one of admin|ops
        ToolDenial denial = admin.CheckCaller(Bob)!;
        Assert.Equal((PermissionStage.Caller, ToolDenialCode.MissingRole, "admin_reset"), (denial.Stage, denial.Code, denial.ToolName));
        Assert.Contains("'admin', 'ops'", denial.Reason, StringComparison.Ordinal);
        Assert.Null(echo.CheckCaller(CallerIdentity.Anonymous)); // no requirements
        Assert.Throws<ArgumentNullException>(() => echo.CheckCaller(null!));
    }

    [Fact]
    public async Task Unknown_tool_gets_a_readable_error_listing_available_tools()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "echo", "add");

        FunctionResultContent result = await toolbox.InvokeAsync(await CallAsync("nope", "{}"));

        Assert.Equal("Error: there is no tool named 'nope'. Available tools: echo, add", ResultText(result));
        AuditEvent recorded = Assert.Single(_audit.Events);
        Assert.Equal("UnknownTool", recorded.Data["code"]);
        Assert.Equal("Invocation", recorded.Data["stage"]);
    }

    [Fact]
    public async Task Malformed_arguments_from_the_model_are_a_readable_error()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "echo");
        FunctionCallContent call = await CallAsync("echo", "{\"text\": \"unterminated");
        Assert.NotNull(call.Exception);

        FunctionResultContent result = await toolbox.InvokeAsync(call);

        Assert.StartsWith("Error: the arguments for tool 'echo' could not be parsed", ResultText(result), StringComparison.Ordinal);
        Assert.Equal("MalformedArguments", Assert.Single(_audit.Events).Data["code"]);
    }

    [Theory]
    [InlineData("{\"a\": \"five\", \"b\": 1}", "argument 'a' must be an integer, but was a string")]
    [InlineData("{\"a\": 1}", "missing required argument 'b'")]
    [InlineData("{\"a\": 1.5, \"b\": 1}", "argument 'a' must be an integer, but was the number 1.5")]
    [InlineData("{\"a\": null, \"b\": 1}", "argument 'a' must be an integer, but was null")]
    [InlineData("{\"a\": [1], \"b\": {}}", "argument 'a' must be an integer, but was an array; argument 'b' must be an integer, but was an object")]
    public async Task Schema_invalid_arguments_are_a_readable_error(string json, string expected)
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "add");

        FunctionResultContent result = await toolbox.InvokeAsync(await CallAsync("add", json));

        Assert.Equal($"Error: invalid arguments for tool 'add': {expected}", ResultText(result));
        Assert.Equal("SchemaViolation", Assert.Single(_audit.Events).Data["code"]);
    }

    [Fact]
    public async Task Numbers_sent_as_strings_pass_the_schema_like_MEAI_marshalling_allows()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "add");

        FunctionResultContent result = await toolbox.InvokeAsync(await CallAsync("add", "{\"a\": \"2\", \"b\": 3}"));

        Assert.Equal("5", ResultText(result));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://0x7f.1/admin", "loopback")]
    [InlineData("file:///etc/passwd", "scheme 'file'")]
    [InlineData("http://evil.com@127.0.0.1/", "user information")]
    public async Task Url_validator_refuses_internal_targets(string url, string expectedFragment)
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "fetch");

        FunctionResultContent result = await toolbox.InvokeAsync(await ModelCallAsync(c => c.ReplyToolCall("fetch", new { url })));

        string text = ResultText(result);
        Assert.StartsWith("Error: the call to tool 'fetch' was denied (INVOCATION check, ArgumentRejected): argument 'url' is not an allowed URL", text, StringComparison.Ordinal);
        Assert.Contains(expectedFragment, text, StringComparison.Ordinal);
        Assert.Equal("ArgumentRejected", Assert.Single(_audit.Events).Data["code"]);
    }

    [Fact]
    public async Task Url_validator_lets_public_urls_through()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "fetch");

        FunctionResultContent result = await toolbox.InvokeAsync(await ModelCallAsync(c => c.ReplyToolCall("fetch", new { url = "https://example.com/a" })));

        Assert.Equal("fetched https://example.com/a", ResultText(result));
    }

    [Fact]
    public async Task Approval_unavailable_denied_and_granted()
    {
        FunctionCallContent call = await ModelCallAsync(c => c.ReplyToolCall("delete", new { id = "42" }));

        Toolbox noApprover = await Factory().CreateAsync(new ToolboxRequest("helper", ["delete"], Bob));
        Assert.Equal(
            "Error: the call to tool 'delete' was denied (INVOCATION check, ApprovalUnavailable): this tool needs approval and no approver is configured",
            ResultText(await noApprover.InvokeAsync(call)));

        ScriptedApprover no = new(approve: false, reason: "not on a Friday");
        Toolbox denied = await Factory(approver: no).CreateAsync(new ToolboxRequest("helper", ["delete"], Bob));
        Assert.Equal(
            "Error: the call to tool 'delete' was denied (INVOCATION check, ApprovalDenied): the approver declined this call: not on a Friday",
            ResultText(await denied.InvokeAsync(call)));
        Assert.Same(call, Assert.Single(no.Requests).ToolCall);

        ScriptedApprover yes = new(approve: true);
        Toolbox granted = await Factory(approver: yes).CreateAsync(new ToolboxRequest("helper", ["delete"], Bob));
        Assert.Equal("deleted 42", ResultText(await granted.InvokeAsync(call)));
        Assert.Single(yes.Requests);

        Assert.Equal(["ApprovalUnavailable", "ApprovalDenied"], _audit.Events.Select(e => e.Data["code"]));
    }

    [Fact]
    public async Task ApprovalRequiredAIFunction_goes_through_the_approver()
    {
        ScriptedApprover yes = new(approve: true);
        Toolbox toolbox = await Factory(approver: yes).CreateAsync(new ToolboxRequest("helper", ["pay"], Bob));

        FunctionResultContent result = await toolbox.InvokeAsync(await CallAsync("pay", "{}"));

        Assert.Equal("paid", ResultText(result));
        Assert.Single(yes.Requests);
    }

    [Fact]
    public async Task A_throwing_tool_becomes_its_message_without_a_stack_trace()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "boom");

        FunctionResultContent result = await toolbox.InvokeAsync(await CallAsync("boom", "{}"));

        Assert.Equal("Error: tool 'boom' failed: disk on fire", ResultText(result));
        Assert.IsType<InvalidOperationException>(result.Exception);
        Assert.DoesNotContain(" at ", ResultText(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_propagates()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "hang", "echo");
        using CancellationTokenSource cts = new();
        Task<FunctionResultContent> pending = toolbox.InvokeAsync(await CallAsync("hang", "{}"), cancellationToken: cts.Token).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => toolbox.InvokeAsync(new FunctionCallContent("c", "nope"), cancellationToken: cts.Token).AsTask());
    }

    [Fact]
    public async Task All_tools_wildcard_and_nil_audit()
    {
        ToolboxFactory factory = new(_registry);

        Toolbox toolbox = await factory.CreateAsync(new ToolboxRequest("helper", [ToolboxRequest.AllTools], Bob));

        Assert.Contains(toolbox.Tools, t => t.Name == "echo");
        Assert.DoesNotContain(toolbox.Tools, t => t.Name == "admin_reset");
        Assert.Equal(2, toolbox.Denials.Count);
        Assert.StartsWith("Error: there is no tool", ResultText(await toolbox.InvokeAsync(new FunctionCallContent("c", "nope"))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throwing_audit_never_breaks_the_readable_result()
    {
        Toolbox toolbox = await Factory(audit: new ThrowingAudit()).CreateAsync(new ToolboxRequest("helper", ["echo", "ghost"], Bob));

        FunctionResultContent result = await toolbox.InvokeAsync(new FunctionCallContent("c", "nope"));

        Assert.StartsWith("Error: there is no tool named 'nope'", ResultText(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Context_overrides_caller_and_run_in_audit()
    {
        Toolbox toolbox = await ToolboxAsync(Bob, "echo");

        await toolbox.InvokeAsync(new FunctionCallContent("c", "nope"), new ToolInvocationContext { Caller = Alice, RunId = "run-2", AgentName = "sub" });

        AuditEvent recorded = Assert.Single(_audit.Events);
        Assert.Equal(Alice, recorded.Caller);
        Assert.Equal("run-2", recorded.RunId);
        Assert.Equal("sub", recorded.AgentName);
    }

    [Fact]
    public async Task A_throwing_validator_refuses_the_call_readably()
    {
        ToolRegistry registry = new();
        registry.Register(AIFunctionFactory.Create((string text) => text, "echo"), new ToolMetadata { Validators = [new ThrowingValidator()] });
        Toolbox toolbox = await new ToolboxFactory(registry).CreateAsync(new ToolboxRequest("helper", ["echo"]));

        FunctionResultContent result = await toolbox.InvokeAsync(await ModelCallAsync(c => c.ReplyToolCall("echo", new { text = "hi" })));

        Assert.Contains("the argument check ThrowingValidator failed: validator bug", ResultText(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_function_sees_the_invocation_context()
    {
        ToolRegistry registry = new();
        registry.Register(AIFunctionFactory.Create(
            (AIFunctionArguments args) => ((ToolInvocationContext)args.Context![typeof(ToolInvocationContext)]!).Caller.Id + "/" +
                                          ((ToolInvocationContext)args.Context[typeof(ToolInvocationContext)]!).RunId,
            "whoami"));
        Toolbox toolbox = await new ToolboxFactory(registry).CreateAsync(new ToolboxRequest("helper", ["whoami"], Alice) { RunId = "run-9" });

        FunctionResultContent result = await toolbox.InvokeAsync(await CallAsync("whoami", "{}"));

        Assert.Equal("alice/run-9", ResultText(result));
    }

    private sealed class ThrowingValidator : IToolArgumentValidator
    {
        public ValueTask<PermissionDecision> ValidateAsync(
            RegisteredTool tool, IReadOnlyDictionary<string, object?> arguments, ToolInvocationContext context, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("validator bug");
    }
}
