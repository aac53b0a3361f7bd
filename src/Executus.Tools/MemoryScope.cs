namespace Executus.Tools;

/// <summary>Whose memory the <c>memory_*</c> tools use (always further split per agent).</summary>
public enum MemoryScope
{
    /// <summary>Each caller has its own memory (inside its tenant, when it has one).</summary>
    Caller,

    /// <summary>All callers of a tenant share one memory; callers without a tenant fall back to their own.</summary>
    Tenant,
}
