using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scores;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Scores;

/// <summary>
/// NodeResourcesFit scoring strategies, ported from upstream noderesources/{most_allocated,least_allocated,
/// requested_to_capacity_ratio,fit}_test.go. Upstream's pods with no containers request nothing at all;
/// a pod here always has a container, so those are written with explicit zero requests, which the
/// non-zero defaults leave at zero.
/// </summary>
public class NodeResourcesFitScoreTests
{
    private const string ExtendedRes = "abc.com/xyz";

    private static readonly ResourceWeight[] Default = { new("cpu", 1), new("memory", 1) };
    private static readonly ResourceWeight[] ExtendedResourceSet = { new("cpu", 1), new("memory", 1), new(ExtendedRes, 1) };

    private static ScoringStrategy Most(params ResourceWeight[] r) => new(ScoringStrategyType.MostAllocated, r.Length == 0 ? Default : r, Array.Empty<UtilizationShapePoint>());
    private static ScoringStrategy Least(params ResourceWeight[] r) => new(ScoringStrategyType.LeastAllocated, r.Length == 0 ? Default : r, Array.Empty<UtilizationShapePoint>());
    private static ScoringStrategy Ratio(UtilizationShapePoint[] shape, params ResourceWeight[] r) => new(ScoringStrategyType.RequestedToCapacityRatio, r.Length == 0 ? Default : r, shape);

    /// <summary>st.MakePod().Req(...).Req(...): one container per request, cpu in cores and memory in bytes as upstream writes them.</summary>
    private static PodBuilder Req(params (string Cpu, string Memory)[] containers) => Req(Pod("incoming"), containers);

    private static PodBuilder Req(PodBuilder pod, params (string Cpu, string Memory)[] containers)
    {
        foreach ((string cpu, string memory) in containers) pod.Requests(cpu: cpu, memory: memory);
        return pod;
    }

    private static PodBuilder On(string node, string cpu, string memory) => Pod($"e-{Guid.NewGuid():N}").OnNode(node).Requests(cpu: cpu, memory: memory);

    private static PodBuilder Nothing() => Pod("incoming").Requests(cpu: "0", memory: "0");

    private static NodeBuilder Cap(string name, string cpu, string memory) => Node(name).Allocatable(cpu: cpu, memory: memory);

    private static long[] Score(ScoringStrategy strategy, PodBuilder pod, NodeBuilder[] nodes, params PodBuilder[] running)
    {
        var c = new TestCluster().Nodes(nodes).Running(running);
        return c.Score(new NodeResourcesFitScore(strategy, c.Interner), pod);
    }

    public static TheoryData<string, ScoringStrategy, PodBuilder, NodeBuilder[], PodBuilder[], long[]> Cases => new()
    {
        // ported from upstream most_allocated_test.go TestMostAllocatedScoringStrategy:
        { "most: nothing scheduled, nothing requested", Most(), Nothing(),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "4000", "10000") }, new PodBuilder[0], new long[] { 0, 0 } },
        { "most: nothing scheduled, resources requested, differently sized nodes", Most(), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") }, new PodBuilder[0], new long[] { 62, 50 } },
        { "most: no resources requested, pods scheduled with resources", Most(), Nothing(),
            new[] { Cap("node1", "10000", "20000"), Cap("node2", "10000", "20000") },
            new[] { On("node1", "3000", "0"), On("node1", "3000", "0"), On("node2", "3000", "0"), On("node2", "3000", "5000") }, new long[] { 30, 42 } },
        { "most: resources requested, pods scheduled with resources", Most(), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "10000", "20000"), Cap("node2", "10000", "20000") },
            new[] { On("node1", "3000", "0"), On("node2", "3000", "5000") }, new long[] { 42, 55 } },
        { "most: resources requested equal node capacity", Most(), Req(("2000", "4000"), ("3000", "5000")),
            new[] { Cap("node1", "5000", "10000"), Cap("node2", "10000", "9000") }, new PodBuilder[0], new long[] { 95, 75 } },
        { "most: nothing scheduled, resources requested, differently sized nodes, memory weighted 2", Most(new("memory", 2), new("cpu", 1)), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") }, new PodBuilder[0], new long[] { 58, 50 } },
        { "most: no resources requested, pods scheduled, nonzero request for resource", Most(), Pod("incoming").EmptyContainer(),
            new[] { Cap("node1", "250m", "1000Mi"), Cap("node2", "250m", "1000Mi") },
            new[] { Pod("e1").OnNode("node1").EmptyContainer(), Pod("e2").OnNode("node1").EmptyContainer() }, new long[] { 80, 30 } },
        { "most: bypass extended resource if the pod does not request", Most(ExtendedResourceSet), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "6000", "10000"), Cap("node2", "6000", "10000").Resource(ExtendedRes, "4") }, new PodBuilder[0], new long[] { 50, 50 } },
        { "most: honor extended resource if the pod request", Most(ExtendedResourceSet), Req(("3000", "5000")).Request(ExtendedRes, "2"),
            new[] { Cap("node1", "6000", "10000").Resource(ExtendedRes, "4"), Cap("node2", "6000", "10000").Resource(ExtendedRes, "10") }, new PodBuilder[0], new long[] { 50, 40 } },
        { "most: if the node doesn't have a resource", Most(new(ExtendedRes, 2), new("cpu", 1), new("memory", 1)), Req(("3000", "4000")),
            new[] { Cap("node1", "6000", "10000"), Cap("node2", "6000", "10000").Resource(ExtendedRes, "4") }, new PodBuilder[0], new long[] { 45, 45 } },

        // ported from upstream least_allocated_test.go TestLeastAllocatedScoringStrategy:
        { "least: nothing scheduled, nothing requested", Least(), Nothing(),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "4000", "10000") }, new PodBuilder[0], new long[] { 100, 100 } },
        { "least: nothing scheduled, resources requested, differently sized nodes", Least(), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") }, new PodBuilder[0], new long[] { 37, 50 } },
        { "least: no resources requested, pods scheduled", Least(), Nothing(),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "4000", "10000") },
            new[] { On("node1", "0", "0"), On("node1", "0", "0"), On("node2", "0", "0"), On("node2", "0", "0") }, new long[] { 100, 100 } },
        { "least: no resources requested, pods scheduled with resources", Least(), Nothing(),
            new[] { Cap("node1", "10000", "20000"), Cap("node2", "10000", "20000") },
            new[] { On("node1", "3000", "0"), On("node1", "3000", "0"), On("node2", "3000", "0"), On("node2", "3000", "5000") }, new long[] { 70, 57 } },
        { "least: resources requested, pods scheduled with resources", Least(), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "10000", "20000"), Cap("node2", "10000", "20000") },
            new[] { On("node1", "3000", "0"), On("node2", "3000", "5000") }, new long[] { 57, 45 } },
        { "least: resources requested, pods scheduled with resources, differently sized nodes", Least(), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "10000", "20000"), Cap("node2", "10000", "50000") },
            new[] { On("node1", "3000", "0"), On("node2", "3000", "5000") }, new long[] { 57, 60 } },
        { "least: requested resources exceed node capacity", Least(), Req(("3000", "0")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "4000", "10000") },
            new[] { On("node1", "3000", "0"), On("node2", "3000", "5000") }, new long[] { 50, 25 } },
        { "least: zero node resources, pods scheduled with resources", Least(), Nothing(),
            new[] { Node("node1"), Node("node2") },
            new[] { On("node1", "3000", "0"), On("node2", "3000", "5000") }, new long[] { 0, 0 } },
        { "least: nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes", Least(new("memory", 2), new("cpu", 1)), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") }, new PodBuilder[0], new long[] { 41, 50 } },
        { "least: bypass extended resource if the pod does not request", Least(ExtendedResourceSet), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "6000", "10000"), Cap("node2", "6000", "10000").Resource(ExtendedRes, "4") }, new PodBuilder[0], new long[] { 50, 50 } },
        { "least: honor extended resource if the pod requests", Least(ExtendedResourceSet), Req(("3000", "5000")).Request(ExtendedRes, "2"),
            new[] { Cap("node1", "6000", "10000").Resource(ExtendedRes, "4"), Cap("node2", "6000", "10000").Resource(ExtendedRes, "10") }, new PodBuilder[0], new long[] { 50, 60 } },
        { "least: if the node doesn't have a resource", Least(new(ExtendedRes, 2), new("cpu", 1), new("memory", 1)), Req(("3000", "4000")),
            new[] { Cap("node1", "6000", "10000"), Cap("node2", "6000", "10000").Resource(ExtendedRes, "4") }, new PodBuilder[0], new long[] { 55, 55 } },

        // ported from upstream requested_to_capacity_ratio_test.go TestRequestedToCapacityRatioScoringStrategy (shape 0->10, 100->0):
        { "ratio: nothing scheduled, nothing requested (default - least requested nodes have priority)", Ratio(LeastShape), Nothing(),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "4000", "10000") },
            new[] { On("node1", "0", "0"), On("node1", "0", "0") }, new long[] { 100, 100 } },
        { "ratio: nothing scheduled, resources requested, differently sized nodes (default - least requested nodes have priority)", Ratio(LeastShape), Req(("1000", "2000"), ("2000", "3000")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") },
            new[] { On("node1", "0", "0"), On("node1", "0", "0") }, new long[] { 38, 50 } },
        { "ratio: no resources requested, pods scheduled with resources (default - least requested nodes have priority)", Ratio(LeastShape), Nothing(),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") },
            new[] { On("node1", "3000", "5000"), On("node2", "3000", "5000") }, new long[] { 38, 50 } },

        // ported from upstream fit_test.go TestFitScore:
        { "test case for ScoringStrategy RequestedToCapacityRatio case1", Ratio(LeastShape), Req(("3000", "5000")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") },
            new[] { On("node1", "2000", "4000"), On("node2", "1000", "2000") }, new long[] { 10, 32 } },
        { "test case for ScoringStrategy RequestedToCapacityRatio case2", Ratio(MostShape), Req(("3000", "5000")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") },
            new[] { On("node1", "2000", "4000"), On("node2", "1000", "2000") }, new long[] { 95, 68 } },
        { "test case for ScoringStrategy MostAllocated", Most(), Req(("1000", "2000")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") },
            new[] { On("node1", "2000", "4000"), On("node2", "1000", "2000") }, new long[] { 67, 36 } },
        { "test case for ScoringStrategy LeastAllocated", Least(), Req(("1000", "2000")),
            new[] { Cap("node1", "4000", "10000"), Cap("node2", "6000", "10000") },
            new[] { On("node1", "2000", "4000"), On("node2", "1000", "2000") }, new long[] { 32, 63 } },
    };

    private static readonly UtilizationShapePoint[] LeastShape = { new(0, 10), new(100, 0) };
    private static readonly UtilizationShapePoint[] MostShape = { new(0, 0), new(100, 10) };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Strategy_scores_match_upstream(string _, ScoringStrategy strategy, PodBuilder pod, NodeBuilder[] nodes, PodBuilder[] running, long[] expected)
    {
        Assert.Equal(expected, Score(strategy, pod, nodes, running));
    }

    // ---- Bin packing on extended resources (upstream TestResourceBinPackingSingleExtended / MultipleExtended) ----

    private static readonly UtilizationShapePoint[] BinPacking = { new(0, 0), new(100, 1) };

    /// <summary>upstream makeNode(name, 4000 milli-cpu, 10000Mi, extended).</summary>
    private static NodeBuilder Gpu(string name, params (string Name, string Quantity)[] extended)
    {
        NodeBuilder n = Node(name).Allocatable(cpu: "4", memory: "10000Mi");
        foreach ((string r, string q) in extended) n.Resource(r, q);
        return n;
    }

    public static TheoryData<string, ResourceWeight[], PodBuilder, PodBuilder[], long[]> BinPackingCases => new()
    {
        // ported from upstream TestResourceBinPackingSingleExtended (node1 intel.com/foo 8, node2 4):
        { "single: nothing scheduled, nothing requested", new ResourceWeight[] { new("intel.com/foo", 1) }, Nothing(), new PodBuilder[0], new long[] { 0, 0 } },
        { "single: resources requested, pods scheduled with less resources", new ResourceWeight[] { new("intel.com/foo", 1) },
            Nothing().Request("intel.com/foo", "2"), new PodBuilder[0], new long[] { 2, 5 } },
        { "single: resources requested, pods scheduled with resources, on node with existing pod running ", new ResourceWeight[] { new("intel.com/foo", 1) },
            Nothing().Request("intel.com/foo", "2"), new[] { Pod("e").OnNode("node2").Requests(cpu: "0", memory: "0").Request("intel.com/foo", "2") }, new long[] { 2, 10 } },
        { "single: resources requested, pods scheduled with more resources", new ResourceWeight[] { new("intel.com/foo", 1) },
            Nothing().Request("intel.com/foo", "4"), new PodBuilder[0], new long[] { 5, 10 } },
        // ported from upstream TestResourceBinPackingMultipleExtended (foo weight 3, bar weight 5; node1 foo 8 bar 4, node2 foo 4 bar 8):
        { "multiple: nothing scheduled, nothing requested", new ResourceWeight[] { new("intel.com/foo", 3), new("intel.com/bar", 5) }, Nothing(), new PodBuilder[0], new long[] { 0, 0 } },
        { "multiple: resources requested, pods scheduled with less resources", new ResourceWeight[] { new("intel.com/foo", 3), new("intel.com/bar", 5) },
            Nothing().Request("intel.com/foo", "2").Request("intel.com/bar", "2"), new PodBuilder[0], new long[] { 4, 3 } },
        { "multiple: resources requested, pods scheduled with resources, on node with existing pod running ", new ResourceWeight[] { new("intel.com/foo", 3), new("intel.com/bar", 5) },
            Nothing().Request("intel.com/foo", "2").Request("intel.com/bar", "2"),
            new[] { Pod("e").OnNode("node2").Requests(cpu: "0", memory: "0").Request("intel.com/foo", "4").Request("intel.com/bar", "2") }, new long[] { 4, 7 } },
        { "multiple: resources requested, pods scheduled with more resources", new ResourceWeight[] { new("intel.com/foo", 3), new("intel.com/bar", 5) },
            Nothing().Request("intel.com/foo", "4").Request("intel.com/bar", "2"), new PodBuilder[0], new long[] { 5, 5 } },
    };

    [Theory]
    [MemberData(nameof(BinPackingCases))]
    public void Requested_to_capacity_ratio_packs_extended_resources(string _, ResourceWeight[] resources, PodBuilder pod, PodBuilder[] running, long[] expected)
    {
        NodeBuilder[] nodes =
        {
            Gpu("node1", ("intel.com/foo", "8"), ("intel.com/bar", "4")),
            Gpu("node2", ("intel.com/foo", "4"), ("intel.com/bar", "8")),
        };
        Assert.Equal(expected, Score(Ratio(BinPacking, resources), pod, nodes, running));
    }

    [Theory]
    // The shape's 0-10 scores are scaled by 10 before interpolating (upstream requestedToCapacityRatioScorer), so
    // interpolation truncates on the 0-100 scale: shape (10,1),(90,9) at 15% is 10 + 80*5/80 = 15.
    [InlineData(15, 15)]
    [InlineData(5, 10)]     // below the first point: its score
    [InlineData(10, 10)]
    [InlineData(90, 90)]
    [InlineData(95, 90)]    // above the last point: its score
    [InlineData(100, 90)]
    public void Utilization_shape_is_a_broken_linear_function(int utilizationPercent, long expected)
    {
        var shape = new UtilizationShapePoint[] { new(10, 1), new(90, 9) };
        PodBuilder pod = Pod("incoming").Requests(cpu: $"{utilizationPercent * 10}m", memory: "0");
        Assert.Equal(new[] { expected }, Score(Ratio(shape, new ResourceWeight("cpu", 1)), pod, new[] { Cap("node1", "1", "1Gi") }));
    }

    [Fact]
    public void Ratio_leaves_resources_that_score_zero_out_of_the_average()
    {
        // cpu is full (score 0 on shape 0->10,100->0) and is dropped; memory at 50% scores 50, alone.
        PodBuilder pod = Pod("incoming").Requests(cpu: "4", memory: "5000");
        Assert.Equal(new long[] { 50 }, Score(Ratio(LeastShape), pod, new[] { Cap("node1", "4", "10000") }));
    }

    [Fact]
    public void Ratio_rounds_half_away_from_zero()
    {
        // cpu 25% -> 75, memory 50% -> 50: 62.5 rounds to 63 (math.Round), where the other strategies truncate.
        PodBuilder pod = Pod("incoming").Requests(cpu: "1", memory: "5000");
        Assert.Equal(new long[] { 63 }, Score(Ratio(LeastShape), pod, new[] { Cap("node1", "4", "10000") }));
        Assert.Equal(new long[] { 62 }, Score(Least(), pod, new[] { Cap("node1", "4", "10000") }));
    }

    [Fact]
    public void Ephemeral_storage_is_scored_on_plain_requests()
    {
        var strategy = Most(new ResourceWeight("ephemeral-storage", 1));
        PodBuilder pod = Pod("incoming").Requests(ephemeralStorage: "30Gi");
        NodeBuilder node = Node("node1").Allocatable(cpu: "4", memory: "8Gi", ephemeralStorage: "100Gi");
        Assert.Equal(new long[] { 50 }, Score(strategy, pod, new[] { node }, Pod("e").OnNode("node1").Requests(ephemeralStorage: "20Gi")));
    }

    [Fact]
    public void Most_allocated_caps_utilization_at_the_node_capacity()
    {
        // The default 100m of an empty container can exceed a tiny node; upstream caps requested at capacity.
        Assert.Equal(new long[] { 100 }, Score(Most(new ResourceWeight("cpu", 1)), Pod("incoming").EmptyContainer(), new[] { Cap("node1", "50m", "1Gi") }));
    }
}
