using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Predicates;

public class NodeUnschedulableTests
{
    private static FilterResult Run(PodBuilder pod, NodeBuilder node)
    {
        var c = new TestCluster().Nodes(node);
        return c.Filter(new NodeUnschedulable(c.Interner), pod, "n");
    }

    [Fact]
    public void Cordoned_node_rejects_a_pod_without_toleration()
    {
        // ported from upstream nodeunschedulable/node_unschedulable_test.go: "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)"
        FilterResult r = Run(Pod("p"), Node("n").Unschedulable());
        Assert.Equal(new[] { NodeUnschedulable.Reason }, r.Reasons());
        Assert.True(r.Unresolvable);
    }

    [Fact]
    public void Schedulable_node_accepts_any_pod()
    {
        // ported from upstream node_unschedulable_test.go: "Schedule pod to normal node"
        Assert.True(Run(Pod("p"), Node("n")).IsSuccess);
    }

    [Theory]
    // ported from upstream node_unschedulable_test.go: "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)"
    [InlineData("node.kubernetes.io/unschedulable", null, "NoSchedule", true)]
    [InlineData("node.kubernetes.io/unschedulable", "Exists", "NoSchedule", true)]
    [InlineData("node.kubernetes.io/unschedulable", "Exists", null, true)]   // empty effect tolerates every effect
    [InlineData(null, "Exists", null, true)]                                  // tolerates everything
    [InlineData("node.kubernetes.io/unschedulable", "Exists", "NoExecute", false)]
    [InlineData("node.kubernetes.io/unschedulable", "Exists", "PreferNoSchedule", false)]
    [InlineData("node.kubernetes.io/not-ready", "Exists", "NoSchedule", false)]
    public void Cordoned_node_accepts_a_pod_tolerating_the_unschedulable_taint(string? key, string? op, string? effect, bool fits)
    {
        Assert.Equal(fits, Run(Pod("p").Toleration(key, op, null, effect), Node("n").Unschedulable()).IsSuccess);
    }
}
