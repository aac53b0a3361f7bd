namespace Executus.Tooling;

/// <summary>What a tool does to the world, so hosts can grant, review or parallelise tools by class.</summary>
public enum SideEffect
{
    /// <summary>Reads only (local state, files inside the sandbox); safe to repeat and to run concurrently.</summary>
    Read,

    /// <summary>Changes local or host state (writes files, updates a store).</summary>
    Write,

    /// <summary>Reaches outside the host (network requests, messages to people, payments).</summary>
    External,
}
