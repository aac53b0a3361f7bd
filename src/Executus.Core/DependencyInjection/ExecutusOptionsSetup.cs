using Executus;
using Executus.Attachments;
using Executus.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Reads <see cref="ExecutusOptions"/> from the registered <see cref="IConfigSource"/>.</summary>
internal sealed class ExecutusOptionsSetup(IConfigSource config) : IConfigureOptions<ExecutusOptions>
{
    public void Configure(ExecutusOptions options)
    {
        const string Prefix = ExecutusOptions.SectionName + ":Attachments:";
        PendingAttachmentsOptions attachments = options.Attachments;
        attachments.MaxCount = config.GetInt(Prefix + "MaxCount", attachments.MaxCount, min: 1);
        attachments.MaxTotalBytes = config.GetLong(Prefix + "MaxTotalBytes", attachments.MaxTotalBytes, min: 1);
        attachments.NameConflict = config.GetEnum(Prefix + "NameConflict", attachments.NameConflict);
    }
}
