using PackingScheduler.Core.Replay;

namespace PackingScheduler.Core.Tests.Replay;

/// <summary>
/// The replay on traces small enough to follow by hand: every wait time, placement and integral
/// below is worked out in the comments from the queue rules (docs/packing.md) and the scores.
/// </summary>
public sealed class ReplaySimulatorTests
{
    // Two 8-core nodes, memory 1Gi per core for nodes and jobs, so that cpu and memory scores agree.
    private const string TwoSmallNodes = """
        nodes:
        - {group: wn, count: 2, cpu: 8, memory: 8Gi}
        pods:
        - {name: a, arrival: 0s, duration: 2h, cpu: 1, memory: 1Gi}
        - {name: b, arrival: 1m, duration: 1h, cpu: 1, memory: 1Gi}
        - {name: c, arrival: 2m, duration: 1h, cpu: 8, memory: 8Gi}
        """;

    [Fact]
    public void LeastAllocated_spreads_two_1_core_jobs_and_strands_the_8_core_pilot()
    {
        // a: both nodes empty, a tie, wn-001 by name. b: LeastAllocated prefers empty wn-002.
        // c at 2m: 7 free cores on each node, waits. b ends at 1h01m, wn-002 is empty: c starts.
        ReplayTrace trace = ReplayTraces.Read(TwoSmallNodes);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "wn-001", ["b"] = "wn-002", ["c"] = "wn-002" }, ReplayTraces.Nodes(trace, "LeastAllocated"));
        Assert.Equal(new Dictionary<string, long> { ["a"] = 0, ["b"] = 60, ["c"] = 3660 }, ReplayTraces.Starts(trace, "LeastAllocated"));

        StrategyResult r = ReplayTraces.Run(trace, "LeastAllocated");
        Assert.Equal(0.0, r.MulticorePlacedOnArrival);
        Assert.Equal(3540, r.Multicore.WaitP95Seconds);
        Assert.Equal(3540, r.Multicore.WaitP50Seconds);
        Assert.Equal(0, r.SingleCore.WaitP95Seconds);
        // c waited 59 minutes while both nodes had 7 free cores: 14 × 59/60 core-hours.
        Assert.Equal(14.0 * 59 / 60, r.StrandedCoreHours, 9);
        // 16 free cores in all at c's arrival: repacked, the cluster had room for it.
        Assert.Equal(1.0, r.MulticoreRepackableOnArrival);
        // The replay ends when c ends, at 2h01m; busy: a 2h × 1 + b 1h × 1 + c 1h × 8 = 11 core-hours.
        Assert.Equal(0, r.WindowStart);
        Assert.Equal(7260, r.WindowEnd);
        Assert.Equal(11.0 * 3600 / (7260 * 16), r.UtilizationMean, 9);
        Assert.Equal(2, r.NodesUsedMax);
    }

    [Fact]
    public void MostAllocated_packs_the_1_core_jobs_and_places_the_8_core_pilot_on_arrival()
    {
        // b: wn-001 after b is 2/8 = 25 (cpu and memory), wn-002 1/8 = 12: wn-001. c fits on wn-002.
        ReplayTrace trace = ReplayTraces.Read(TwoSmallNodes);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "wn-001", ["b"] = "wn-001", ["c"] = "wn-002" }, ReplayTraces.Nodes(trace, "MostAllocated"));

        StrategyResult r = ReplayTraces.Run(trace, "MostAllocated");
        Assert.Equal(1.0, r.MulticorePlacedOnArrival);
        Assert.Equal(0, r.Multicore.WaitP95Seconds);
        Assert.Equal(0.0, r.StrandedCoreHours);
        // Ends at 2h (a). Nodes in use: 1 for 2 minutes, 2 from 2m to 1h02m (c), then 1: (2 + 120 + 58) / 120.
        Assert.Equal(7200, r.WindowEnd);
        Assert.Equal(1.5, r.NodesUsedMean, 9);
        Assert.Equal(11.0 * 3600 / (7200 * 16), r.UtilizationMean, 9);
        Assert.Equal(new[] { 2, 1, 1 }, new[] { r.Classes[0].Count, r.Classes[1].Count, r.Multicore.Count });
        Assert.Equal(["1-core", "8-core"], r.Classes.Select(c => c.Name));
    }

    // A 64-core node with 56 cores in use and a 16-core node with 13: the 1-core pilot "one"
    // decides whether the 8-core pilot "eight" finds the big node's last 8 cores.
    private const string BigAndSmall = """
        nodes:
        - {group: big, count: 1, cpu: 64, memory: 64Gi}
        - {group: small, count: 1, cpu: 16, memory: 16Gi}
        pods:
        - {name: fill-big, arrival: 0s, duration: 10h, cpu: 56, memory: 56Gi}
        - {name: fill-small, arrival: 0s, duration: 10h, cpu: 13, memory: 13Gi}
        - {name: one, arrival: 1m, duration: 1h, cpu: 1, memory: 1Gi}
        - {name: eight, arrival: 2m, duration: 1h, cpu: 8, memory: 8Gi}
        """;

    [Fact]
    public void MostAllocated_breaks_the_last_8_core_slot_by_ratio()
    {
        // fill-big fits only on big; fill-small then only on small (big has 8 free).
        // one: MostAllocated big 57/64 = 89, small 14/16 = 87: big, which keeps 7 free; small 3.
        // eight waits until one ends at 1h01m: 59 minutes with 7 + 3 = 10 stranded cores.
        ReplayTrace trace = ReplayTraces.Read(BigAndSmall);
        Assert.Equal("big-001", ReplayTraces.Nodes(trace, "MostAllocated")["one"]);
        StrategyResult r = ReplayTraces.Run(trace, "MostAllocated");
        Assert.Equal(0.0, r.MulticorePlacedOnArrival);
        Assert.Equal(3540, r.Multicore.WaitP95Seconds);
        Assert.Equal(10.0 * 59 / 60, r.StrandedCoreHours, 9);
    }

    [Fact]
    public void SlotBestFit_keeps_the_slot_and_places_the_8_core_pilot_on_arrival()
    {
        // one: big breaks its slot (0 + fragment 7 → 0 + packing 89·7/100 = 6) = 6; small keeps
        // slots (50) with a 2-core fragment (6 × 5 = 30) + 87·7/100 = 6 → 86: small. eight: big.
        ReplayTrace trace = ReplayTraces.Read(BigAndSmall);
        Dictionary<string, string> nodes = ReplayTraces.Nodes(trace, "SlotBestFit");
        Assert.Equal("small-001", nodes["one"]);
        Assert.Equal("big-001", nodes["eight"]);
        StrategyResult r = ReplayTraces.Run(trace, "SlotBestFit");
        Assert.Equal(1.0, r.MulticorePlacedOnArrival);
        Assert.Equal(0, r.Multicore.WaitP95Seconds);
        Assert.Equal(0.0, r.StrandedCoreHours);
    }

    private static string OneNode(int priorityB, int priorityC) => $$"""
        nodes:
        - {group: wn, count: 1, cpu: 8, memory: 8Gi}
        pods:
        - {name: a, arrival: 0s, duration: 1h, cpu: 8, memory: 8Gi}
        - {name: b, arrival: 1m, duration: 1h, cpu: 1, memory: 1Gi, priority: {{priorityB}}}
        - {name: c, arrival: 2m, duration: 1h, cpu: 8, memory: 8Gi, priority: {{priorityC}}}
        """;

    [Fact]
    public void Waiting_jobs_are_retried_highest_priority_first_when_a_job_ends()
    {
        // a ends at 1h: c (priority 10) goes first and takes the node; b waits for c, until 2h.
        ReplayTrace trace = ReplayTraces.Read(OneNode(priorityB: 0, priorityC: 10));
        Assert.Equal(new Dictionary<string, long> { ["a"] = 0, ["b"] = 7200, ["c"] = 3600 }, ReplayTraces.Starts(trace, "MostAllocated"));
        StrategyResult r = ReplayTraces.Run(trace, "MostAllocated");
        Assert.Equal(3480, r.Multicore.WaitP95Seconds);
        Assert.Equal(7140, r.SingleCore.WaitP95Seconds);
        // While c waited (2m to 1h) the node had no free core.
        Assert.Equal(0.0, r.StrandedCoreHours);
    }

    [Fact]
    public void Equal_priorities_are_retried_in_arrival_order_and_the_idle_cores_count_as_stranded()
    {
        // a ends at 1h: b (earlier) takes one core, c does not fit; b ends at 2h, c starts.
        // From 1h to 2h c waits while the node has 7 free cores: 7 core-hours stranded.
        ReplayTrace trace = ReplayTraces.Read(OneNode(priorityB: 0, priorityC: 0));
        Assert.Equal(new Dictionary<string, long> { ["a"] = 0, ["b"] = 3600, ["c"] = 7200 }, ReplayTraces.Starts(trace, "MostAllocated"));
        StrategyResult r = ReplayTraces.Run(trace, "MostAllocated");
        Assert.Equal(7080, r.Multicore.WaitP95Seconds);
        Assert.Equal(3540, r.SingleCore.WaitP95Seconds);
        Assert.Equal(7.0, r.StrandedCoreHours, 9);
        // c waited from 2m to 2h of the 3h replay: 118 minutes of one waiting pilot.
        Assert.Equal(118.0 / 180, r.MulticoreWaitingMean, 9);
    }

    [Fact]
    public void Jobs_ending_at_an_instant_free_their_cores_for_the_waiting_jobs_before_the_arrivals()
    {
        ReplayTrace trace = ReplayTraces.Read("""
            nodes:
            - {group: wn, count: 1, cpu: 8, memory: 8Gi}
            pods:
            - {name: a, arrival: 0s, duration: 1h, cpu: 8}
            - {name: b, arrival: 30m, duration: 1h, cpu: 8}
            - {name: c, arrival: 1h, duration: 1h, cpu: 8}
            """);
        Assert.Equal(new Dictionary<string, long> { ["a"] = 0, ["b"] = 3600, ["c"] = 7200 }, ReplayTraces.Starts(trace, "MostAllocated"));
    }

    [Fact]
    public void Only_jobs_arriving_in_the_measured_window_count_and_integrals_cover_only_the_window()
    {
        // The equal-priority trace, measured from 1m to 1h30m: b and c count, a does not. c waits
        // past the window (to 2h); only 1h to 1h30m of its 7 stranded cores is inside: 3.5 core-hours.
        ReplayTrace trace = ReplayTraces.Read(OneNode(0, 0) + "\nmeasure: {from: 1m, until: 1h30m}\n");
        StrategyResult r = ReplayTraces.Run(trace, "MostAllocated");
        Assert.Equal(1, r.Multicore.Count);
        Assert.Equal(1, r.SingleCore.Count);
        Assert.Equal(7080, r.Multicore.WaitP95Seconds);
        Assert.Equal(3.5, r.StrandedCoreHours, 9);
        Assert.Equal(60, r.WindowStart);
        Assert.Equal(5400, r.WindowEnd);
        // Busy: 8 cores from 1m to 1h, 1 core from 1h to 1h30m, over 89 minutes of 8 cores.
        Assert.Equal((8.0 * 59 + 1 * 30) / (8 * 89), r.UtilizationMean, 9);
    }

    [Fact]
    public void The_series_averages_each_bucket_of_the_window()
    {
        ReplayTrace trace = ReplayTraces.Read(OneNode(0, 0));
        StrategyResult r = ReplaySimulator.Run("m", trace, new EngineReplayCluster(trace, ReplayTraces.Profile("MostAllocated")), buckets: 3);
        // 3h window in three 1h buckets. Waiting 8-core pilots: c from 2m to 2h → 58/60, 1, 0.
        Assert.Equal(3600, r.Series.BucketSeconds);
        Assert.Equal(58.0 / 60, r.Series.WaitingMulticore[0], 9);
        Assert.Equal(1.0, r.Series.WaitingMulticore[1], 9);
        Assert.Equal(0.0, r.Series.WaitingMulticore[2], 9);
        // Utilization: a (8 of 8) for the first hour, b (1) for the second, c (8) for the third.
        Assert.Equal([1.0, 0.125, 1.0], r.Series.Utilization);
    }

    [Fact]
    public void The_retry_shortcuts_change_no_start_time()
    {
        // A generated workload with long queues: every waiting job retried on every completion
        // must give the same start times as the pass that skips jobs known not to fit.
        ReplayTrace trace = TraceReader.Read("""
            kind: ReplayTrace
            nodes:
            - {group: a, count: 3, cpu: 8, memory: 32Gi}
            - {group: b, count: 3, cpu: 16, memory: 64Gi}
            generator:
              seed: 5
              load: 1.1
              warmup: 1h
              measure: 8h
              classes:
              - {name: one, cpu: 1, memoryPerCore: 2Gi, share: 0.5, batch: 5, duration: {median: 30m, sigma: 1, min: 1m, max: 4h}}
              - {name: eight, cpu: 8, memoryPerCore: 2Gi, priority: 5, share: 0.4, duration: {median: 1h, sigma: 0.5, min: 5m, max: 4h}}
              - {name: whole, cpu: [16], memoryPerCore: 3Gi, share: 0.1, duration: {median: 1h, sigma: 0.5, min: 5m, max: 4h}}
            """, "gen.yaml");
        Assert.True(trace.Pods.Count > 200);
        foreach (string strategy in new[] { "LeastAllocated", "MostAllocated", "SlotBestFit" })
        {
            long[] fast = ReplaySimulator.StartTimes(trace, new EngineReplayCluster(trace, ReplayTraces.Profile(strategy)));
            long[] slow = ReplaySimulator.StartTimes(trace, new EngineReplayCluster(trace, ReplayTraces.Profile(strategy)), exhaustive: true);
            Assert.Equal(slow, fast);
        }
        Assert.Equal(ReplaySimulator.StartTimes(trace, new RepackingBound(trace), exhaustive: true),
            ReplaySimulator.StartTimes(trace, new RepackingBound(trace)));
    }
}
