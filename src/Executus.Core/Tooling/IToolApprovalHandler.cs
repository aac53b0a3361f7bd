using Microsoft.Extensions.AI;

namespace Executus.Tooling;

/// <summary>
/// The human-in-the-loop hook of stage 3: asked for every call to a tool that needs approval, with M.E.AI's
/// <see cref="ToolApprovalRequestContent"/>; answers with <see cref="ToolApprovalRequestContent.CreateResponse"/>.
/// </summary>
public interface IToolApprovalHandler
{
    /// <summary>Asks for approval of a call.</summary>
    /// <param name="request">The request (its <see cref="ToolApprovalRequestContent.ToolCall"/> is the <see cref="FunctionCallContent"/>).</param>
    /// <param name="tool">The tool being called.</param>
    /// <param name="context">The call's context.</param>
    /// <param name="cancellationToken">A token to cancel the wait.</param>
    /// <returns>The response; <see cref="ToolApprovalResponseContent.Approved"/> decides, <see cref="ToolApprovalResponseContent.Reason"/> explains.</returns>
    ValueTask<ToolApprovalResponseContent> RequestApprovalAsync(
        ToolApprovalRequestContent request,
        RegisteredTool tool,
        ToolInvocationContext context,
        CancellationToken cancellationToken = default);
}
