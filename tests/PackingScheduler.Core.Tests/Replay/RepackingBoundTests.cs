using PackingScheduler.Core.Replay;

namespace PackingScheduler.Core.Tests.Replay;

/// <summary>The bound: a job fits when, for every size s, the jobs of at least s cores fit in the nodes of at least s cores.</summary>
public sealed class RepackingBoundTests
{
    // A 16-core node and two 8-core nodes: 32 cores.
    private static ReplayTrace Trace(params (string Name, int Cores)[] jobs) => ReplayTraces.Read(
        "nodes:\n- {group: big, count: 1, cpu: 16, memory: 16Gi}\n- {group: small, count: 2, cpu: 8, memory: 8Gi}\npods:\n" +
        string.Concat(jobs.Select(j => $"- {{name: {j.Name}, arrival: 0s, duration: 1h, cpu: {j.Cores}}}\n")));

    [Fact]
    public void A_16_core_job_fits_when_the_8_core_jobs_can_move_to_the_small_nodes()
    {
        // Running two 8-core jobs: for s = 16, 0 + 16 ≤ 16; for s = 8, 16 + 16 ≤ 32. Fits.
        var bound = new RepackingBound(Trace(("a", 8), ("b", 8), ("w", 16)));
        Assert.True(bound.TryPlace(0));
        Assert.True(bound.TryPlace(1));
        Assert.True(bound.TryPlace(2));
        Assert.Equal(32000, bound.BusyMilliCpu);
    }

    [Fact]
    public void A_second_16_core_job_does_not_fit_although_16_cores_are_free()
    {
        // Running one 16-core job: for s = 16, 16 + 16 > 16 (only one node of 16 cores).
        var bound = new RepackingBound(Trace(("w1", 16), ("w2", 16)));
        Assert.True(bound.TryPlace(0));
        Assert.False(bound.TryPlace(1));
        Assert.Equal(16000, bound.BusyMilliCpu);
    }

    [Fact]
    public void Stranded_cpu_is_what_no_repacking_turns_into_8_core_slots()
    {
        // 27 one-core jobs running: 5 cores free, no 8-core slot even after repacking: 5 stranded.
        var jobs = Enumerable.Range(0, 27).Select(i => ($"j{i}", 1)).ToArray();
        var bound = new RepackingBound(Trace(jobs));
        for (int i = 0; i < 27; i++) Assert.True(bound.TryPlace(i));
        Assert.Equal(5000, bound.StrandedMilliCpu);
        bound.Remove(0);
        bound.Remove(1);
        bound.Remove(2);
        // 8 free: one slot, nothing stranded.
        Assert.Equal(0, bound.StrandedMilliCpu);
    }

    [Fact]
    public void Nodes_in_use_is_the_fewest_largest_nodes_that_hold_the_busy_cpu()
    {
        var bound = new RepackingBound(Trace(("a", 8), ("b", 8), ("c", 1)));
        Assert.Equal(0, bound.NodesInUse);
        bound.TryPlace(0);
        Assert.Equal(1, bound.NodesInUse);   // 8 cores: the 16-core node
        bound.TryPlace(1);
        Assert.Equal(1, bound.NodesInUse);   // 16 cores: still the 16-core node
        bound.TryPlace(2);
        Assert.Equal(2, bound.NodesInUse);   // 17 cores: and one 8-core node
    }

    [Fact]
    public void The_bound_places_the_8_core_pilot_that_LeastAllocated_strands()
    {
        ReplayTrace trace = ReplayTraces.Read("""
            nodes:
            - {group: wn, count: 2, cpu: 8, memory: 8Gi}
            pods:
            - {name: a, arrival: 0s, duration: 2h, cpu: 1, memory: 1Gi}
            - {name: b, arrival: 1m, duration: 1h, cpu: 1, memory: 1Gi}
            - {name: c, arrival: 2m, duration: 1h, cpu: 8, memory: 8Gi}
            """);
        StrategyResult r = ReplayTraces.RunBound(trace);
        Assert.Equal(1.0, r.MulticorePlacedOnArrival);
        Assert.Equal(1.0, r.MulticoreRepackableOnArrival);
        Assert.Equal(0.0, r.StrandedCoreHours);
        // 10 busy cores need both 8-core nodes.
        Assert.Equal(2, r.NodesUsedMax);
    }
}
