namespace Executus.Testing.Conformance;

/// <summary>
/// Azure OpenAI's wire format: OpenAI's Chat Completions bodies at
/// <c>POST /openai/deployments/{deployment}/chat/completions?api-version=…</c> (the model id is the deployment name),
/// as documented in Azure OpenAI's REST reference.
/// </summary>
public sealed class AzureOpenAIWireFormat : OpenAIChatCompletionsWireFormat
{
    /// <inheritdoc />
    public override string ChatPath(string model) => $"/openai/deployments/{model}/chat/completions";

    /// <inheritdoc />
    public override string? RequestedModel(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string Prefix = "/openai/deployments/";
        if (!request.Path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        string rest = request.Path[Prefix.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? rest : rest[..slash];
    }
}
