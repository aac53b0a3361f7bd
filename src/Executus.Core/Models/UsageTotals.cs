using Microsoft.Extensions.AI;

namespace Executus.Models;

/// <summary>The usage rule shared by the accounting channel and run results.</summary>
internal static class UsageTotals
{
    /// <summary>
    /// Returns <paramref name="usage"/> with <see cref="UsageDetails.TotalTokenCount"/> filled as input + output when
    /// the provider reported either but no total (a copy; the original is not changed).
    /// </summary>
    public static UsageDetails? WithTotal(UsageDetails? usage)
    {
        if (usage is null || usage.TotalTokenCount is not null || (usage.InputTokenCount is null && usage.OutputTokenCount is null))
        {
            return usage;
        }

        var copy = new UsageDetails();
        copy.Add(usage);
        copy.TotalTokenCount = (usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0);
        return copy;
    }
}
