using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Executus.Benchmarks;

/// <summary>
/// Reports <see cref="MinorityTenantDelay"/> (p50 or p99 start delay of a minority tenant, in job lengths) next to
/// the timing rows; computed in the host process, deterministically.
/// </summary>
public sealed class MinorityDelayColumn(string name, Func<MinorityTenantDelay.Figures, double> pick) : IColumn
{
    public string Id => nameof(MinorityDelayColumn) + "." + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"{name}: minority tenant's start delay in job lengths (3 jobs after a 1,000-job flood, {MinorityTenantDelay.Slots} slots); see MinorityTenantDelay";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        pick(MinorityTenantDelay.Result).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
