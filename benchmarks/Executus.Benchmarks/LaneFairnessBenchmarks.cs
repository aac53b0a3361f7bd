using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Executus.Benchmarks;

/// <summary>
/// Minority-tenant start delay under a 1,000-job flood. The timed method runs one trial of the deterministic
/// scenario of <see cref="MinorityTenantDelay"/>; the custom columns report p50/p99 of the delay in job lengths over
/// 50 seeded trials (150 samples) for the lane and, for comparison, for a single FIFO queue. Target: lane p99 ≤ 2.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FairnessConfig))]
public class LaneFairnessBenchmarks
{
    [Benchmark(Description = "1,000-job flood, then 3 minority jobs")]
    public async Task<int> MinorityTenantUnderFlood()
    {
        (double[] lane, _) = await MinorityTenantDelay.TrialAsync(offset: 100);
        return lane.Length;
    }

    private sealed class FairnessConfig : ManualConfig
    {
        public FairnessConfig()
        {
            AddColumn(
                new MinorityDelayColumn("Lane p50", f => f.LaneP50),
                new MinorityDelayColumn("Lane p99", f => f.LaneP99),
                new MinorityDelayColumn("FIFO p50", f => f.FifoP50),
                new MinorityDelayColumn("FIFO p99", f => f.FifoP99));
        }
    }
}
