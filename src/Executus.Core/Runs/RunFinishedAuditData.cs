using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;

namespace Executus.Runs;

/// <summary>
/// The data of a run-finished audit event (<c>outcome</c>, <c>iterations</c>, <c>delivery</c>): one immutable dictionary
/// per combination, shared by every run that ends the same way.
/// </summary>
/// <remarks>
/// Why: an audit store keeps its records for days; a dictionary of its own per run would be kept alive with each record
/// (a mid-life object the garbage collector copies twice before it dies). Runs almost always end in one of a few ways.
/// </remarks>
internal static class RunFinishedAuditData
{
    // Why: bounded; runs of more iterations than this (rare) get a dictionary of their own.
    private const int MaxSharedIterations = 256;
    private static readonly ConcurrentDictionary<(RunOutcome Outcome, int Iterations, RunDeliveryStatus Delivery), IReadOnlyDictionary<string, string>> s_shared = new();

    public static IReadOnlyDictionary<string, string> For(RunOutcome outcome, int iterations, RunDeliveryStatus delivery)
    {
        if (iterations is < 0 or >= MaxSharedIterations || !Enum.IsDefined(outcome) || !Enum.IsDefined(delivery))
        {
            return Build(outcome, iterations, delivery);
        }

        return s_shared.TryGetValue((outcome, iterations, delivery), out IReadOnlyDictionary<string, string>? shared)
            ? shared
            : s_shared.GetOrAdd((outcome, iterations, delivery), static key => Build(key.Outcome, key.Iterations, key.Delivery));
    }

    private static FrozenDictionary<string, string> Build(RunOutcome outcome, int iterations, RunDeliveryStatus delivery) =>
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["outcome"] = outcome.ToString(),
            ["iterations"] = iterations.ToString(CultureInfo.InvariantCulture),
            ["delivery"] = delivery.ToString(),
        }.ToFrozenDictionary(StringComparer.Ordinal);
}
