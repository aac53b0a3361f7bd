using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>Helpers shared by the recording decorators.</summary>
internal static class ModelCallRecording
{
    public static UsageDetails? AddUsage(UsageDetails? total, ChatResponseUpdate update)
    {
        foreach (AIContent content in update.Contents)
        {
            if (content is UsageContent usageContent)
            {
                total ??= new UsageDetails();
                total.Add(usageContent.Details);
            }
        }

        return total;
    }
}
