using System.Collections.Concurrent;
using System.Text.Json;
using Executus.Auditing;
using Executus.Identity;
using Executus.Testing;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Core.Tests.Tooling;

internal sealed class RecordingAudit : IAudit
{
    public ConcurrentQueue<AuditEvent> Events { get; } = new();

    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }
}

internal sealed class ThrowingAudit : IAudit
{
    public ValueTask RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("audit store is down");
}

internal sealed class DenyPaletteSource(string toolName, string reason) : IPaletteSource
{
    public ValueTask<PermissionDecision> CheckAsync(string agentName, RegisteredTool tool, CallerIdentity caller, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(tool.Name == toolName ? PermissionDecision.Deny(reason) : PermissionDecision.Allow);
}

internal sealed class ScriptedApprover(bool approve, string? reason = null) : IToolApprovalHandler
{
    public List<ToolApprovalRequestContent> Requests { get; } = [];

    public ValueTask<ToolApprovalResponseContent> RequestApprovalAsync(
        ToolApprovalRequestContent request, RegisteredTool tool, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        Requests.Add(request);
        return ValueTask.FromResult(request.CreateResponse(approve, reason));
    }
}

internal static class ToolingFixtures
{
    public static async Task<FunctionCallContent> ModelCallAsync(Action<ScriptedChatClient> script)
    {
        using ScriptedChatClient client = new();
        script(client);
        ChatResponse response = await client.GetResponseAsync("go");
        return response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
    }

    public static Task<FunctionCallContent> CallAsync(string name, string argumentsJson) =>
        ModelCallAsync(c => c.ReplyRawToolCall(name, argumentsJson));

    public static string ResultText(FunctionResultContent result) => result.Result switch
    {
        string s => s,
        JsonElement e when e.ValueKind == JsonValueKind.String => e.GetString()!,
        JsonElement e => e.GetRawText(),
        null => "null",
        var other => other.ToString()!,
    };
}
