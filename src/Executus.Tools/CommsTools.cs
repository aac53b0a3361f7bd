using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Executus.Deliver;
using Executus.Tooling;
using Microsoft.Extensions.AI;

namespace Executus.Tools;

/// <summary>
/// The comms tool group: <c>send_message</c> sends an interim message (progress, a question, a partial result)
/// through the host's <see cref="IDelivery"/> while the run goes on. The <see cref="Delivery"/> carries the run id, the
/// caller, and metadata <c>kind=interim</c> (<see cref="KindKey"/>, <see cref="InterimKind"/>) so a host can tell it
/// from the run's final output.
/// </summary>
/// <remarks>An empty or oversized text, or a delivery that fails, throws <see cref="GenericToolException"/>.</remarks>
public sealed class CommsTools
{
    /// <summary>The <see cref="Delivery.Metadata"/> key naming what kind of delivery this is.</summary>
    public const string KindKey = "kind";

    /// <summary>The <see cref="KindKey"/> value of a message sent by <c>send_message</c>.</summary>
    public const string InterimKind = "interim";

    /// <summary>The <see cref="Delivery.Metadata"/> key holding the sending agent's name.</summary>
    public const string AgentKey = "agent";

    private readonly IDelivery _delivery;
    private readonly GenericToolsOptions _options;

    /// <summary>Initializes the group.</summary>
    /// <param name="delivery">Where messages go.</param>
    /// <param name="options">Caps; <see langword="null"/> for defaults.</param>
    public CommsTools(IDelivery delivery, GenericToolsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        _delivery = delivery;
        _options = options ?? new GenericToolsOptions();
        _options.Validate();
        SendMessage = new RegisteredTool(
            AIFunctionFactory.Create(
                ([Description("The message to send to the user now.")] string text, AIFunctionArguments arguments, CancellationToken cancellationToken) =>
                    SendAsync(text, arguments, cancellationToken),
                GenericToolNames.SendMessage,
                "Sends a short message to the user right away (progress, a question, a partial result) while you keep working."),
            _options.Apply(GenericToolNames.SendMessage, new ToolMetadata { Category = "comms", SideEffect = SideEffect.External }));
        Tools = [SendMessage];
    }

    /// <summary>Gets <c>send_message</c>.</summary>
    public RegisteredTool SendMessage { get; }

    /// <summary>Gets every tool of the group.</summary>
    public IReadOnlyList<RegisteredTool> Tools { get; }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any delivery failure becomes a readable tool error; only cancellation propagates.")]
    private async Task<string> SendAsync(string text, AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new GenericToolException("the message is empty");
        }

        if (text.Length > _options.MaxMessageChars)
        {
            throw new GenericToolException(string.Create(
                CultureInfo.InvariantCulture,
                $"the message is {text.Length} characters; the limit is {_options.MaxMessageChars}. Send a shorter message"));
        }

        ToolCallContext context = ToolCallContext.From(arguments);
        Dictionary<string, string> metadata = new(StringComparer.Ordinal) { [KindKey] = InterimKind };
        if (context.AgentName is { } agent)
        {
            metadata[AgentKey] = agent;
        }

        Delivery delivery = new(text) { RunId = context.RunId, Caller = context.Caller, Metadata = metadata };
        try
        {
            await _delivery.DeliverAsync(delivery, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new GenericToolException($"the message could not be delivered: {ex.Message}", ex);
        }

        return "Message sent.";
    }
}
