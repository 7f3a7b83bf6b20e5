using PackingScheduler.Core.Scores;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Scores;

/// <summary>Ported from upstream tainttoleration/taint_toleration_test.go TestTaintTolerationScore.</summary>
public class TaintTolerationScoreTests
{
    private static NodeBuilder Prefer(string name, params (string Key, string Value)[] taints)
    {
        NodeBuilder n = Node(name);
        foreach ((string k, string v) in taints) n.Taint(k, v, "PreferNoSchedule");
        return n;
    }

    public static TheoryData<string, PodBuilder, NodeBuilder[], long[]> Cases => new()
    {
        { "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints",
            Pod("pod1").Toleration("foo", "Equal", "bar", "PreferNoSchedule"),
            new[] { Prefer("nodeA", ("foo", "bar")), Prefer("nodeB", ("foo", "blah")) }, new long[] { 100, 0 } },
        { "the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has",
            Pod("pod1").Toleration("cpu-type", "Equal", "arm64", "PreferNoSchedule").Toleration("disk-type", "Equal", "ssd", "PreferNoSchedule"),
            new[] { Prefer("nodeA"), Prefer("nodeB", ("cpu-type", "arm64")), Prefer("nodeC", ("cpu-type", "arm64"), ("disk-type", "ssd")) }, new long[] { 100, 100, 100 } },
        { "the more intolerable taints a node has, the lower score it gets.",
            Pod("pod1").Toleration("foo", "Equal", "bar", "PreferNoSchedule"),
            new[] { Prefer("nodeA"), Prefer("nodeB", ("cpu-type", "arm64")), Prefer("nodeC", ("cpu-type", "arm64"), ("disk-type", "ssd")) }, new long[] { 100, 50, 0 } },
        { "only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function",
            Pod("pod1").Toleration("cpu-type", "Equal", "arm64", "NoSchedule").Toleration("disk-type", "Equal", "ssd", "NoSchedule"),
            new[] { Prefer("nodeA"), Node("nodeB").Taint("cpu-type", "arm64", "NoSchedule"), Prefer("nodeC", ("cpu-type", "arm64"), ("disk-type", "ssd")) }, new long[] { 100, 100, 0 } },
        { "Default behaviour No taints and tolerations, lands on node with no taints",
            Pod("pod1"), new[] { Prefer("nodeA"), Prefer("nodeB", ("cpu-type", "arm64")) }, new long[] { 100, 0 } },
        // An empty effect tolerates PreferNoSchedule too (upstream getAllTolerationPreferNoSchedule).
        { "a toleration with no effect counts",
            Pod("pod1").Toleration("cpu-type", "Exists"), new[] { Prefer("nodeA"), Prefer("nodeB", ("cpu-type", "arm64")), Prefer("nodeC", ("disk-type", "ssd")) }, new long[] { 100, 100, 0 } },
        { "three intolerable taints against one",
            Pod("pod1"), new[] { Prefer("nodeA", ("a", "1")), Prefer("nodeB", ("a", "1"), ("b", "2"), ("c", "3")) }, new long[] { 67, 0 } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fewer_intolerable_PreferNoSchedule_taints_score_higher(string _, PodBuilder pod, NodeBuilder[] nodes, long[] expected)
    {
        var c = new TestCluster().Nodes(nodes);
        Assert.Equal(expected, c.Score(new TaintTolerationScore(), pod));
    }
}
