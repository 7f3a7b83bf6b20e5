using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Engine;

/// <summary>The scheduling cycle: FitError messages, first-failing-filter attribution, weighted scores and selection.</summary>
public class SchedulingEngineTests
{
    private static SchedulerProfile Profile(params WeightedScore[] scores) => SchedulerProfile.NodePacking() with
    {
        Scores = scores.Length == 0 ? SchedulerProfile.NodePacking().Scores : scores,
    };

    private static ScheduleResult Schedule(TestCluster c, PodBuilder pod, SchedulerProfile? profile = null, bool explain = false) =>
        new SchedulingEngine(profile ?? Profile(), c.Interner).Schedule(c.Pod(pod), c.State, explain);

    private static NodeBuilder Small(string name) => Node(name).Allocatable(cpu: "1", memory: "1Gi");

    // ---- Failure messages ----

    [Fact]
    public void Failure_message_is_a_histogram_of_reasons_sorted_as_strings()
    {
        var c = new TestCluster().Nodes(
            Small("a").Unschedulable(),
            Small("b").Taint("dedicated", "cms", "NoSchedule"),
            Small("c"),
            Node("d").Allocatable(cpu: "1", memory: "1Mi"));
        ScheduleResult r = Schedule(c, Pod("p").Requests(cpu: "2", memory: "1Gi"));
        Assert.False(r.Scheduled);
        // Node d is short on both: each reason is counted once per node that has it.
        Assert.Equal("0/4 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: cms}, " +
                     "1 node(s) were unschedulable, 2 Insufficient cpu.", r.Message);
        Assert.Equal(4, r.EvaluatedNodes);
        Assert.Equal(0, r.FeasibleNodes);
    }

    [Fact]
    public void Counts_sort_as_strings_not_numbers()
    {
        // upstream sorts "COUNT REASON" strings with sort.Strings: "10 ..." comes before "9 ...".
        NodeBuilder[] nodes = Enumerable.Range(0, 19).Select(i => i < 10 ? Small($"n{i:00}") : Small($"n{i:00}").Unschedulable()).ToArray();
        var c = new TestCluster().Nodes(nodes);
        Assert.Equal("0/19 nodes are available: 10 Insufficient cpu, 9 node(s) were unschedulable.",
            Schedule(c, Pod("p").Requests(cpu: "2")).Message);
    }

    [Fact]
    public void Every_short_resource_of_a_node_is_counted()
    {
        var c = new TestCluster().Nodes(Node("a").Allocatable(cpu: "1", memory: "1Gi", pods: "1").Resource("nvidia.com/gpu", "1"))
            .Running(Pod("x").OnNode("a").Requests(cpu: "0", memory: "0"));
        ScheduleResult r = Schedule(c, Pod("p").Requests(cpu: "2", memory: "2Gi").Request("nvidia.com/gpu", "2"));
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Insufficient nvidia.com/gpu, 1 Too many pods.", r.Message);
        Assert.Equal(new[] { "Too many pods", "Insufficient cpu", "Insufficient memory", "Insufficient nvidia.com/gpu" }, r.Verdicts!["a"].Reasons);
    }

    [Theory]
    // Each node is reported under the first filter, in upstream's order, that rejects it.
    [InlineData("cordoned and too small", "NodeUnschedulable", "node(s) were unschedulable")]
    [InlineData("tainted and unselected", "TaintToleration", "node(s) had untolerated taint {t: v}")]
    [InlineData("unselected and too small", "NodeAffinity", "node(s) didn't match Pod's node affinity/selector")]
    [InlineData("port taken and too small", "NodePorts", "node(s) didn't have free ports for the requested pod ports")]
    [InlineData("too small and disk taken", "NodeResourcesFit", "Insufficient cpu")]
    [InlineData("disk taken and anti-affine", "VolumeRestrictions", "node(s) had no available disk")]
    public void Node_is_reported_under_the_first_failing_filter(string shape, string plugin, string reason)
    {
        NodeBuilder node = Node("n").Allocatable(cpu: "1", memory: "1Gi").Label("zone", "z1");
        PodBuilder pod = Pod("p").Label("app", "web").NodeSelector("zone", "z1").Requests(cpu: "500m").HostPort(80).GcePersistentDisk("pd");
        PodBuilder running = Pod("x").OnNode("n").Label("app", "web");
        switch (shape)
        {
            case "cordoned and too small": node.Unschedulable(); pod.Requests(cpu: "2"); break;
            case "tainted and unselected": node.Taint("t", "v", "NoSchedule"); pod.NodeSelector("zone", "z2"); break;
            case "unselected and too small": pod.NodeSelector("zone", "z2"); pod.Requests(cpu: "2"); break;
            case "port taken and too small": running.HostPort(80); pod.Requests(cpu: "2"); break;
            case "too small and disk taken": pod.Requests(cpu: "2"); running.GcePersistentDisk("pd"); break;
            case "disk taken and anti-affine": running.GcePersistentDisk("pd"); pod.PodAntiAffinity(PodTerms.In("app", "zone", "web")); break;
        }
        var c = new TestCluster().Nodes(node).Running(running);
        ScheduleResult r = Schedule(c, pod);
        Assert.Equal($"0/1 nodes are available: 1 {reason}.", r.Message);
        Assert.Equal(plugin, r.Verdicts!["n"].Plugin);
    }

    [Fact]
    public void Verdicts_tell_which_rejections_preemption_could_not_resolve()
    {
        var c = new TestCluster().Nodes(Small("tainted").Taint("t", "v", "NoSchedule"), Small("full"))
            .Running(Pod("x").OnNode("full").Requests(cpu: "1"));
        ScheduleResult r = Schedule(c, Pod("p").Requests(cpu: "500m"));
        Assert.True(r.Verdicts!["tainted"].Unresolvable);
        Assert.False(r.Verdicts["full"].Unresolvable);
    }

    [Fact]
    public void PreFilter_rejection_is_reported_for_all_nodes_once()
    {
        var c = new TestCluster().Nodes(Small("a"), Small("b"));
        ScheduleResult r = Schedule(c, Pod("p").PersistentVolumeClaim("data"), explain: true);
        Assert.Equal("0/2 nodes are available: persistentvolumeclaim \"data\" not found.", r.Message);
        Assert.Equal(0, r.EvaluatedNodes);
        Assert.All(r.Explanation!, e => Assert.Equal("VolumeZone", e.Rejected!.Plugin));
    }

    [Fact]
    public void Nodes_outside_a_matchFields_node_set_count_as_not_satisfying_NodeAffinity()
    {
        // upstream findNodesThatFitPod: nodes a PreFilterResult leaves out share one UnschedulableAndUnresolvable
        // status, "node(s) didn't satisfy plugin(s) [NodeAffinity]".
        var c = new TestCluster().Nodes(Small("node1"), Small("node2"), Small("node3"));
        ScheduleResult r = Schedule(c, Pod("p").Requests(cpu: "2").RequiredNodeAffinity(NodeTerms.Fields(NodeTerms.NameIs("node1"))));
        Assert.Equal("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].", r.Message);
        Assert.True(r.Verdicts!["node2"].Unresolvable);
        Assert.Equal(1, r.EvaluatedNodes);
    }

    [Fact]
    public void A_pod_pinned_to_a_missing_node_fits_nowhere()
    {
        var c = new TestCluster().Nodes(Small("node1"), Small("node2"));
        ScheduleResult r = Schedule(c, Pod("p").RequiredNodeAffinity(NodeTerms.Fields(NodeTerms.NameIs("gone"))));
        Assert.Equal("0/2 nodes are available: 2 node(s) didn't satisfy plugin(s) [NodeAffinity].", r.Message);
    }

    [Fact]
    public void A_pod_pinned_to_a_node_lands_there()
    {
        var c = new TestCluster().Nodes(Small("node1"), Small("node2"), Small("node3"));
        Assert.Equal("node3", Schedule(c, Pod("p").RequiredNodeAffinity(NodeTerms.Fields(NodeTerms.NameIs("node3")))).Node!.Name);
    }

    [Fact]
    public void Conflicting_node_names_are_a_PreFilter_rejection()
    {
        var c = new TestCluster().Nodes(Small("node1"), Small("node2"));
        ScheduleResult r = Schedule(c, Pod("p").RequiredNodeAffinity(NodeTerms.Fields(NodeTerms.NameIs("node1"), NodeTerms.NameIs("node2"))));
        Assert.Equal("0/2 nodes are available: pod affinity terms conflict.", r.Message);
    }

    [Fact]
    public void No_nodes_at_all()
    {
        ScheduleResult r = Schedule(new TestCluster(), Pod("p"));
        Assert.Equal("no nodes available to schedule pods", r.Message);
        Assert.False(r.Scheduled);
    }

    [Fact]
    public void Disabled_filters_do_not_run()
    {
        var c = new TestCluster().Nodes(Small("a").Taint("t", "v", "NoSchedule"));
        SchedulerProfile profile = Profile() with { Filters = new HashSet<FilterPlugin> { FilterPlugin.NodeResourcesFit } };
        Assert.Equal("a", Schedule(c, Pod("p"), profile).Node!.Name);
    }

    // ---- Scoring and selection ----

    [Fact]
    public void Most_allocated_packs_onto_the_busier_node()
    {
        var c = new TestCluster().Nodes(Node("empty").Allocatable(cpu: "4", memory: "8Gi"), Node("busy").Allocatable(cpu: "4", memory: "8Gi"))
            .Running(Pod("x").OnNode("busy").Requests(cpu: "2", memory: "4Gi"));
        ScheduleResult r = Schedule(c, Pod("p").Requests(cpu: "1", memory: "2Gi"));
        Assert.Equal("busy", r.Node!.Name);
        Assert.Equal(75, r.Score);   // (75 + 75) / 2, weight 1; InterPodAffinity adds nothing
        Assert.Equal(2, r.FeasibleNodes);
    }

    [Fact]
    public void Ties_go_to_the_node_whose_name_sorts_first()
    {
        var c = new TestCluster().Nodes(Small("node-b"), Small("node-c"), Small("node-a"), Small("node-A"));
        // Ordinal order: "node-A" < "node-a".
        Assert.Equal("node-A", Schedule(c, Pod("p").Requests(cpu: "100m")).Node!.Name);
    }

    [Fact]
    public void Total_score_is_the_weighted_sum_of_normalized_scores()
    {
        SchedulerProfile profile = Profile(new WeightedScore(ScorePlugin.NodeResourcesFit, 1), new WeightedScore(ScorePlugin.NodeAffinity, 2));
        var c = new TestCluster().Nodes(
                Node("ssd").Allocatable(cpu: "4", memory: "8Gi").Label("disk", "ssd"),
                Node("hdd").Allocatable(cpu: "4", memory: "8Gi"))
            .Running(Pod("x").OnNode("hdd").Requests(cpu: "2", memory: "4Gi"));
        PodBuilder pod = Pod("p").Requests(cpu: "2", memory: "4Gi").PreferredNodeAffinity(10, NodeTerms.Term(NodeTerms.Expr("disk", "In", "ssd")));
        ScheduleResult r = Schedule(c, pod, profile, explain: true);

        // ssd: fit 50 * 1 + affinity 100 * 2 = 250; hdd: fit 100 * 1 + affinity 0 * 2 = 100.
        Assert.Equal("ssd", r.Node!.Name);
        Assert.Equal(250, r.Score);
        NodeExplanation ssd = r.Explanation!.Single(e => e.Node == "ssd");
        Assert.True(ssd.Chosen);
        Assert.Equal(new[] { ("NodeResourcesFit", 50L, 50L, 1L), ("NodeAffinity", 10L, 100L, 2L) },
            ssd.Scores!.Select(s => (s.Plugin, s.Raw, s.Normalized, s.Weight)));
        Assert.Equal(100, r.Explanation!.Single(e => e.Node == "hdd").Total);
    }

    [Fact]
    public void Weights_decide_between_competing_scores()
    {
        var c = new TestCluster().Nodes(
                Node("ssd").Allocatable(cpu: "4", memory: "8Gi").Label("disk", "ssd"),
                Node("hdd").Allocatable(cpu: "4", memory: "8Gi"))
            .Running(Pod("x").OnNode("hdd").Requests(cpu: "3", memory: "6Gi"));
        PodBuilder pod = Pod("p").Requests(cpu: "1", memory: "2Gi").PreferredNodeAffinity(10, NodeTerms.Term(NodeTerms.Expr("disk", "In", "ssd")));
        // Fit: ssd 25, hdd 100. Affinity: ssd 100, hdd 0. So ssd 25*2 + 100 = 150 < hdd 200, then ssd 25 + 200 = 225 > hdd 100.
        Assert.Equal("hdd", Schedule(c, pod, Profile(new(ScorePlugin.NodeResourcesFit, 2), new(ScorePlugin.NodeAffinity, 1))).Node!.Name);
        Assert.Equal("ssd", Schedule(c, pod, Profile(new(ScorePlugin.NodeResourcesFit, 1), new(ScorePlugin.NodeAffinity, 2))).Node!.Name);
    }

    [Fact]
    public void Inter_pod_affinity_weight_2_in_the_packing_profile()
    {
        // Preferred affinity to app=db in the zone: zone z1 scores 100 * 2 = 200, outweighing fit.
        var c = new TestCluster().Nodes(
                Node("z1").Allocatable(cpu: "4", memory: "8Gi").Label("zone", "z1"),
                Node("z2").Allocatable(cpu: "4", memory: "8Gi").Label("zone", "z2"),
                Node("z1-b").Allocatable(cpu: "4", memory: "8Gi").Label("zone", "z1"))
            .Running(Pod("db").OnNode("z1-b").Label("app", "db").Requests(cpu: "0", memory: "0"),
                     Pod("big").OnNode("z2").Requests(cpu: "3", memory: "6Gi"));
        ScheduleResult r = Schedule(c, Pod("p").Requests(cpu: "1", memory: "2Gi").PreferredPodAffinity(50, PodTerms.In("app", "zone", "db")));
        Assert.Equal("z1", r.Node!.Name);   // z1 and z1-b tie at 25 + 200; "z1" sorts first
        Assert.Equal(225, r.Score);
    }

    [Fact]
    public void Score_explanation_keeps_raw_and_normalized_values()
    {
        var c = new TestCluster().Nodes(Small("a"), Small("b").Taint("t", "v", "NoSchedule"));
        ScheduleResult r = Schedule(c, Pod("p"), explain: true);
        Assert.Equal(new[] { "a", "b" }, r.Explanation!.Select(e => e.Node));
        Assert.NotNull(r.Explanation![0].Scores);
        Assert.Equal("TaintToleration", r.Explanation[1].Rejected!.Plugin);
    }
}
