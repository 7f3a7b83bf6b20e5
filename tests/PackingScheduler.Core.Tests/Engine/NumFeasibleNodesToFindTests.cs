using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Engine;

/// <summary>How many feasible nodes end filtering, and where the next cycle starts (upstream numFeasibleNodesToFind, nextStartNodeIndex).</summary>
public class NumFeasibleNodesToFindTests
{
    private static SchedulingEngine Engine(int percentage) =>
        new(SchedulerProfile.NodePacking() with { PercentageOfNodesToScore = percentage }, new Interner());

    [Theory]
    // ported from upstream schedule_one_test.go TestNumFeasibleNodesToFind (0 = not set: adaptive)
    [InlineData("not set percentageOfNodesToScore and nodes number not more than 50", 0, 10, 10)]
    [InlineData("set percentageOfNodesToScore and nodes number not more than 50", 40, 10, 10)]
    [InlineData("not set percentageOfNodesToScore and nodes number more than 50", 0, 1000, 420)]
    [InlineData("set percentageOfNodesToScore and nodes number more than 50", 40, 1000, 400)]
    [InlineData("not set percentageOfNodesToScore and nodes number more than 50*125", 0, 6000, 300)]
    [InlineData("set percentageOfNodesToScore and nodes number more than 50*125", 40, 6000, 2400)]
    // The floors: fewer than 100 nodes are all searched; never fewer than 100; adaptive never below 5%.
    [InlineData("below minFeasibleNodesToFind", 10, 99, 99)]
    [InlineData("percentage below the 100 node floor", 10, 150, 100)]
    [InlineData("adaptive percentage floors at 5%", 0, 100_000, 5000)]
    [InlineData("adaptive percentage just above the floor", 0, 5624, 337)]   // 50 - 44 = 6%
    [InlineData("every node", 100, 5000, 5000)]
    public void Feasible_nodes_to_find_follow_upstream(string _, int percentage, int nodes, int expected)
    {
        Assert.Equal(expected, Engine(percentage).NumFeasibleNodesToFind(nodes));
    }

    [Fact]
    public void Filtering_resumes_where_the_previous_cycle_stopped()
    {
        // ported from upstream schedule_one_test.go TestFairEvaluationForNodes: 500 nodes at 30% -> 150 per cycle,
        // and each cycle starts at (i * 150) % 500.
        const int numAllNodes = 500;
        var c = new TestCluster().Nodes(Enumerable.Range(0, numAllNodes).Select(i => Node($"n{i:000}").Allocatable(cpu: "1", memory: "1Gi")).ToArray());
        var engine = new SchedulingEngine(SchedulerProfile.NodePacking() with { PercentageOfNodesToScore = 30 }, c.Interner);
        int nodesToFind = engine.NumFeasibleNodesToFind(numAllNodes);
        Assert.Equal(150, nodesToFind);
        for (int i = 0; i < 2 * (numAllNodes / nodesToFind + 1); i++)
        {
            ScheduleResult r = engine.Schedule(c.Pod(Pod("p")), c.State, explain: true);
            Assert.Equal(nodesToFind, r.FeasibleNodes);
            Assert.Equal(nodesToFind, r.EvaluatedNodes);
            int start = i * nodesToFind % numAllNodes;
            var expected = Enumerable.Range(0, nodesToFind).Select(k => $"n{(start + k) % numAllNodes:000}").OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(expected, r.Explanation!.Where(e => e.Evaluated).Select(e => e.Node));
        }
    }

    [Fact]
    public void Infeasible_nodes_do_not_count_towards_the_nodes_to_find()
    {
        // 200 nodes at 50%: 100 to find. The first 50 are full, so 150 are evaluated.
        var c = new TestCluster().Nodes(Enumerable.Range(0, 200).Select(i => Node($"n{i:000}").Allocatable(cpu: i < 50 ? "100m" : "1", memory: "1Gi")).ToArray());
        var engine = new SchedulingEngine(SchedulerProfile.NodePacking() with { PercentageOfNodesToScore = 50 }, c.Interner);
        ScheduleResult r = engine.Schedule(c.Pod(Pod("p").Requests(cpu: "500m")), c.State);
        Assert.Equal(100, r.FeasibleNodes);
        Assert.Equal(150, r.EvaluatedNodes);
    }
}
