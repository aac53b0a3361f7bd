using System.Collections.Concurrent;

namespace Executus.Dispatch;

/// <summary>
/// One run in the tree of runs and sub-runs, as seen by the <see cref="DispatchGuard"/>. Scopes are immutable
/// except for their counters, which are shared by every branch that sees the scope: parallel children of one run
/// all count against that run's fan-out.
/// </summary>
internal sealed class DispatchScope
{
    private readonly ConcurrentDictionary<string, int> _toolCalls = new(StringComparer.Ordinal);
    private int _children;

    internal DispatchScope(string agentName, DispatchScope? parent, DispatchLimits limits, ConcurrentDictionary<string, int> dispatches)
    {
        AgentName = agentName;
        Parent = parent;
        Depth = parent is null ? 0 : parent.Depth + 1;
        Limits = limits;
        Dispatches = dispatches;
    }

    /// <summary>Gets the name of the agent this run executes.</summary>
    public string AgentName { get; }

    /// <summary>Gets the run that started this one, or <see langword="null"/> for a top-level run.</summary>
    public DispatchScope? Parent { get; }

    /// <summary>Gets the nesting depth: 0 for a top-level run.</summary>
    public int Depth { get; }

    /// <summary>Gets the limits of the whole tree (fixed when the top-level run started).</summary>
    public DispatchLimits Limits { get; }

    /// <summary>Gets how many sub-runs this run has started so far.</summary>
    public int ChildCount => Volatile.Read(ref _children);

    /// <summary>Gets the tree-wide counts of agent+input fingerprints.</summary>
    internal ConcurrentDictionary<string, int> Dispatches { get; }

    /// <summary>Counts one more child; returns false (and counts nothing) past <paramref name="max"/>.</summary>
    internal bool TryAddChild(int max)
    {
        if (Interlocked.Increment(ref _children) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _children);
        return false;
    }

    internal bool TryCountToolCall(string fingerprint, int max) => TryCount(_toolCalls, fingerprint, max);

    /// <summary>Counts one more occurrence of <paramref name="key"/>; returns false (and counts nothing) past <paramref name="max"/>.</summary>
    internal static bool TryCount(ConcurrentDictionary<string, int> counts, string key, int max)
    {
        if (counts.AddOrUpdate(key, 1, static (_, n) => n + 1) <= max)
        {
            return true;
        }

        counts.AddOrUpdate(key, 0, static (_, n) => n - 1);
        return false;
    }
}
