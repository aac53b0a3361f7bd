using Microsoft.Extensions.AI;

namespace Gadfly;

/// <summary>
/// Wraps one cell's client to count every token the cell spends (repairs and failed attempts included) and to remember
/// which model answered last (a tier fails over, so the row name alone hides it). Never disposes the inner client:
/// the rows' clients outlive the cells.
/// </summary>
internal sealed class CellMeter(IChatClient inner) : IChatClient
{
    private readonly Lock _gate = new();
    private UsageDetails? _usage;

    /// <summary>Gets the summed usage so far, or null when no response reported any.</summary>
    public UsageDetails? Usage
    {
        get
        {
            lock (_gate)
            {
                return _usage is null ? null : new UsageDetails { InputTokenCount = _usage.InputTokenCount, OutputTokenCount = _usage.OutputTokenCount, TotalTokenCount = _usage.TotalTokenCount };
            }
        }
    }

    /// <summary>Gets the model id of the last response, or null.</summary>
    public string? AnsweredBy { get; private set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponse response = await inner.GetResponseAsync(messages, options, cancellationToken);
        Record(response.Usage, response.ModelId);
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ChatResponseUpdate update in inner.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            foreach (UsageContent usage in update.Contents.OfType<UsageContent>())
            {
                Record(usage.Details, update.ModelId);
            }

            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(CellMeter) ? this : inner.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        // Why: the inner client belongs to the grid row and serves the row's other cells.
    }

    private void Record(UsageDetails? usage, string? modelId)
    {
        lock (_gate)
        {
            if (usage is not null)
            {
                _usage ??= new UsageDetails();
                _usage.InputTokenCount = Sum(_usage.InputTokenCount, usage.InputTokenCount);
                _usage.OutputTokenCount = Sum(_usage.OutputTokenCount, usage.OutputTokenCount);
                // Why: a provider may report input and output but no total; the report's total must not read 0 then.
                _usage.TotalTokenCount = Sum(_usage.TotalTokenCount, usage.TotalTokenCount ?? Sum(usage.InputTokenCount, usage.OutputTokenCount));
            }

            if (!string.IsNullOrEmpty(modelId))
            {
                AnsweredBy = modelId;
            }
        }
    }

    private static long? Sum(long? a, long? b) => a is null && b is null ? null : (a ?? 0) + (b ?? 0);
}
