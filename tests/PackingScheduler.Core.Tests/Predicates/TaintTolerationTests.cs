using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Predicates;

public class TaintTolerationTests
{
    private static FilterResult Run(PodBuilder pod, NodeBuilder node)
    {
        var c = new TestCluster().Nodes(node);
        return c.Filter(new TaintToleration(c.Interner), pod, "nodeA");
    }

    public static TheoryData<string, PodBuilder, NodeBuilder, string?> Cases => new()
    {
        // ported from upstream tainttoleration/taint_toleration_test.go TestTaintTolerationFilter, case by case:
        { "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
            Pod("pod1"), Node("nodeA").Taint("dedicated", "user1", "NoSchedule"), "{dedicated: user1}" },
        { "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
            Pod("pod1").Toleration("dedicated", null, "user1", "NoSchedule"), Node("nodeA").Taint("dedicated", "user1", "NoSchedule"), null },
        { "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
            Pod("pod1").Toleration("dedicated", "Equal", "user2", "NoSchedule"), Node("nodeA").Taint("dedicated", "user1", "NoSchedule"), "{dedicated: user1}" },
        { "A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node",
            Pod("pod1").Toleration("foo", "Exists", null, "NoSchedule"), Node("nodeA").Taint("foo", "bar", "NoSchedule"), null },
        { "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node",
            Pod("pod1").Toleration("dedicated", "Equal", "user2", "NoSchedule").Toleration("foo", "Exists", null, "NoSchedule"),
            Node("nodeA").Taint("dedicated", "user2", "NoSchedule").Taint("foo", "bar", "NoSchedule"), null },
        { "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node",
            Pod("pod1").Toleration("foo", "Equal", "bar", "PreferNoSchedule"), Node("nodeA").Taint("foo", "bar", "NoSchedule"), "{foo: bar}" },
        { "The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node",
            Pod("pod1").Toleration("foo", "Equal", "bar"), Node("nodeA").Taint("foo", "bar", "NoSchedule"), null },
        { "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
            Pod("pod1").Toleration("dedicated", "Equal", "user2", "NoSchedule"), Node("nodeA").Taint("dedicated", "user1", "PreferNoSchedule"), null },
        { "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
            Pod("pod1"), Node("nodeA").Taint("dedicated", "user1", "PreferNoSchedule"), null },
        // Beyond upstream's table:
        { "NoExecute taints must be tolerated too",
            Pod("pod1"), Node("nodeA").Taint("node.kubernetes.io/not-ready", null, "NoExecute"), "{node.kubernetes.io/not-ready: }" },
        { "A NoSchedule toleration does not tolerate a NoExecute taint",
            Pod("pod1").Toleration("k", "Exists", null, "NoSchedule"), Node("nodeA").Taint("k", "v", "NoExecute"), "{k: v}" },
        { "An empty key with Exists tolerates every taint",
            Pod("pod1").Toleration(null, "Exists"), Node("nodeA").Taint("a", "1", "NoSchedule").Taint("b", "2", "NoExecute"), null },
        { "An empty key with Exists and an effect tolerates only that effect",
            Pod("pod1").Toleration(null, "Exists", null, "NoSchedule"), Node("nodeA").Taint("a", "1", "NoSchedule").Taint("b", "2", "NoExecute"), "{b: 2}" },
        { "Equal with no value matches a taint with no value",
            Pod("pod1").Toleration("k", "Equal", null, "NoSchedule"), Node("nodeA").Taint("k", null, "NoSchedule"), null },
        { "Equal with no value does not match a taint with a value",
            Pod("pod1").Toleration("k", "Equal", null, "NoSchedule"), Node("nodeA").Taint("k", "v", "NoSchedule"), "{k: v}" },
        { "The first untolerated taint in node order is named",
            Pod("pod1").Toleration("a", "Exists"), Node("nodeA").Taint("a", "1", "NoSchedule").Taint("c", "3", "PreferNoSchedule").Taint("b", "2", "NoSchedule").Taint("d", "4", "NoSchedule"), "{b: 2}" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NoSchedule_and_NoExecute_taints_must_be_tolerated(string _, PodBuilder pod, NodeBuilder node, string? untolerated)
    {
        FilterResult r = Run(pod, node);
        if (untolerated is null)
        {
            Assert.True(r.IsSuccess, string.Join("; ", r.Reasons()));
            return;
        }
        Assert.Equal(new[] { $"node(s) had untolerated taint {untolerated}" }, r.Reasons());
        Assert.True(r.Unresolvable);
    }
}
