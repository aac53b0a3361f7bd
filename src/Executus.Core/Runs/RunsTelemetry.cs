using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Executus.Runs;

/// <summary>The run kernel's <see cref="ActivitySource"/> and <see cref="Meter"/>.</summary>
internal static class RunsTelemetry
{
    /// <summary>The name of the activity source and meter: subscribe to it with OpenTelemetry's <c>AddSource</c>/<c>AddMeter</c>.</summary>
    public const string SourceName = ExecutusTelemetry.RunsSourceName;

    internal static readonly ActivitySource Source = new(SourceName);
    private static readonly Meter s_meter = new(SourceName);

    internal static readonly Counter<long> Runs = s_meter.CreateCounter<long>("executus.runs", description: "Runs ended, by outcome.");
    internal static readonly Histogram<double> Duration = s_meter.CreateHistogram<double>("executus.run.duration", unit: "s", description: "Run duration.");
    private static readonly string[] s_outcomeNames = Enum.GetNames<RunOutcome>();

    internal static readonly Counter<long> ToolsDetached = s_meter.CreateCounter<long>(
        "executus.run.tools_detached", description: "Tool calls left running after their run ended because they ignored cancellation past the grace.");

    internal static readonly Histogram<int> Iterations = s_meter.CreateHistogram<int>("executus.run.iterations", description: "Model calls per run.");

    internal static string OutcomeName(RunOutcome outcome) => (uint)outcome < (uint)s_outcomeNames.Length ? s_outcomeNames[(int)outcome] : outcome.ToString();
}
