using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scores;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Scores;

/// <summary>
/// SlotBestFit: keeps slots (50 or 0) + 6 × (7 − whole cores of the leftover fragment) +
/// MostAllocated × 7 / 100, integer arithmetic; free cpu in cores below.
/// </summary>
public sealed class SlotBestFitScoreTests
{
    [Theory]
    // 1-core pilot.
    [InlineData(9, 1, 50 + 6 * 7)]    // 9 → 8: keeps its slot, no fragment left
    [InlineData(3, 1, 50 + 6 * 5)]    // 3 → 2: no slot to keep, 2-core fragment
    [InlineData(8, 1, 0 + 6 * 0)]     // 8 → 7: breaks the slot, 7-core fragment
    [InlineData(16, 1, 0 + 6 * 0)]    // 16 → 15: breaks one of two slots
    [InlineData(1, 1, 50 + 6 * 7)]    // 1 → 0: the node is full
    // 8-core pilot: takes exactly one slot wherever it fits; the fragment is the node's own.
    [InlineData(8, 8, 50 + 6 * 7)]    // 8 → 0
    [InlineData(16, 8, 50 + 6 * 7)]   // 16 → 8
    [InlineData(11, 8, 50 + 6 * 4)]   // 11 → 3
    // Other sizes.
    [InlineData(12, 4, 50 + 6 * 7)]   // 12 → 8: keeps the slot
    [InlineData(10, 4, 0 + 6 * 1)]    // 10 → 6: takes a slot it need not take
    [InlineData(32, 16, 50 + 6 * 7)]  // whole slots
    [InlineData(7, 8, 0)]             // does not fit: only feasible nodes are scored, this is for safety
    public void Slot_score_is_keeps_slots_then_the_leftover_fragment(int freeCores, int requestCores, long expected)
    {
        Assert.Equal(expected, SlotBestFitScore.SlotScore(freeCores * 1000L, requestCores * 1000L));
    }

    [Fact]
    public void Fragments_are_counted_in_whole_cores()
    {
        // 8.5 cores free, 500m asked: 8 left, a whole slot: 50 + 42. 3.5 free, 1 asked: 2.5 left, 2 whole cores.
        Assert.Equal(92, SlotBestFitScore.SlotScore(8500, 500));
        Assert.Equal(50 + 6 * 5, SlotBestFitScore.SlotScore(3500, 1000));
    }

    private static readonly ScoringStrategy Strategy = new(ScoringStrategyType.SlotBestFit, ScoringStrategy.DefaultResources, Array.Empty<UtilizationShapePoint>());

    private static TestCluster BigAndSmall() => new TestCluster()
        .Nodes(Node("big").Allocatable(cpu: "64", memory: "64Gi"), Node("small").Allocatable(cpu: "16", memory: "16Gi"))
        .Running(Pod("fill-big").OnNode("big").Requests(cpu: "56", memory: "56Gi"),
                 Pod("fill-small").OnNode("small").Requests(cpu: "13", memory: "13Gi"));

    [Fact]
    public void The_packing_part_is_MostAllocated_scaled_to_0_to_7()
    {
        // 1 core, 1Gi. big: 8 → 7 breaks the slot: 0 + 0; MostAllocated (57·100/64 = 89 for cpu and
        // memory) → 89·7/100 = 6. small: 3 → 2 keeps: 50 + 30; MostAllocated 14·100/16 = 87 → 6.
        TestCluster c = BigAndSmall();
        long[] scores = c.Score(new SlotBestFitScore(Strategy, c.Interner), Pod("x").Requests(cpu: "1", memory: "1Gi"));
        Assert.Equal([6, 86], scores);
    }

    [Fact]
    public void The_engine_sends_the_1_core_pilot_where_MostAllocated_would_not()
    {
        TestCluster c = BigAndSmall();
        PodBuilder pilot = Pod("x").Requests(cpu: "1", memory: "1Gi");
        var slot = new SchedulingEngine(SchedulerProfile.NodePacking() with { ScoringStrategy = Strategy }, c.Interner);
        var most = new SchedulingEngine(SchedulerProfile.NodePacking(), c.Interner);
        Assert.Equal("small", slot.Schedule(c.Pod(pilot), c.State).Node?.Name);
        Assert.Equal("big", most.Schedule(c.Pod(pilot), c.State).Node?.Name);
        // The winning total: NodeResourcesFit 86 × 1 + InterPodAffinity 0 × 2.
        Assert.Equal(86, slot.Schedule(c.Pod(pilot), c.State).Score);
    }

    [Fact]
    public void The_packing_part_uses_the_strategy_resources_and_weights()
    {
        // cpu only: big 57·100/64 = 89 → 6, small 87 → 6; memory-heavy weights would change it.
        TestCluster c = BigAndSmall();
        var cpuOnly = Strategy with { Resources = [new ResourceWeight("cpu", 1)] };
        Assert.Equal([6, 86], c.Score(new SlotBestFitScore(cpuOnly, c.Interner), Pod("x").Requests(cpu: "1", memory: "1Gi")));
        Assert.Equal(ScorePlugin.NodeResourcesFit, new SlotBestFitScore(cpuOnly, c.Interner).Plugin);
    }
}
