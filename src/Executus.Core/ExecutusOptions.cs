using Executus.Attachments;

namespace Executus;

/// <summary>
/// Options for Executus's core services. Registered by <c>AddExecutus()</c>; values are read from
/// <see cref="Configuration.IConfigSource"/> under <c>Executus:</c> and may be changed in code with
/// <c>AddExecutus(o => …)</c> or <c>services.Configure&lt;ExecutusOptions&gt;(…)</c>.
/// </summary>
public sealed class ExecutusOptions
{
    /// <summary>The prefix of every Executus configuration key.</summary>
    public const string SectionName = "Executus";

    /// <summary>Gets the per-run attachment limits (<c>Executus:Attachments:MaxCount</c>, <c>:MaxTotalBytes</c>, <c>:NameConflict</c>).</summary>
    public PendingAttachmentsOptions Attachments { get; } = new();
}
