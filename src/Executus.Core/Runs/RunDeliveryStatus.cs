namespace Executus.Runs;

/// <summary>What happened to a run's output at delivery.</summary>
public enum RunDeliveryStatus
{
    /// <summary>Nothing was delivered (no delivery port, nothing to deliver, or the run was cancelled).</summary>
    NotDelivered,

    /// <summary>The output was delivered.</summary>
    Delivered,

    /// <summary>Delivery threw; the output is still in the result and the error in <see cref="RunResult.DeliveryError"/>.</summary>
    Failed,
}
