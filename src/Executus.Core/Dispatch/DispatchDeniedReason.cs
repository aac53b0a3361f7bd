namespace Executus.Dispatch;

/// <summary>Which cap of the <see cref="DispatchGuard"/> tripped.</summary>
public enum DispatchDeniedReason
{
    /// <summary>Sub-agents nested deeper than <see cref="DispatchLimits.MaxDepth"/>.</summary>
    Depth,

    /// <summary>One run started more than <see cref="DispatchLimits.MaxFanOut"/> sub-agents.</summary>
    FanOut,

    /// <summary>The same agent and input, or the same tool and arguments, repeated more than <see cref="DispatchLimits.MaxRepeats"/> times.</summary>
    Loop,
}
