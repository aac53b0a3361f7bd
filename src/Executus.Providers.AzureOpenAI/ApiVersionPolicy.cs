using System.ClientModel.Primitives;

namespace Executus.Providers.AzureOpenAI;

/// <summary>
/// Sets the <c>api-version</c> query value of every request. Why: Azure.AI.OpenAI 2.1 only accepts the versions of its
/// <c>ServiceVersion</c> enum; Azure serves newer (and preview) versions that a host may need.
/// </summary>
internal sealed class ApiVersionPolicy(string apiVersion) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Apply(PipelineMessage message)
    {
        if (message.Request.Uri is not { } uri)
        {
            return;
        }

        var parts = new List<string>();
        foreach (string part in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!part.StartsWith("api-version=", StringComparison.OrdinalIgnoreCase))
            {
                parts.Add(part);
            }
        }

        parts.Add("api-version=" + Uri.EscapeDataString(apiVersion));
        message.Request.Uri = new UriBuilder(uri) { Query = string.Join('&', parts) }.Uri;
    }
}
