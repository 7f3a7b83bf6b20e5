using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Translation;

public class NodeTranslationTests
{
    private const long Gi = 1024L * 1024 * 1024;

    private readonly Interner _interner = new();

    private NodeInfo Translate(Support.NodeBuilder node) => new ObjectTranslator(_interner).TranslateNode(node.Build());

    [Fact]
    public void Allocatable_is_used_when_present()
    {
        NodeInfo n = Translate(Node("n").Capacity(cpu: "8", memory: "32Gi", pods: "110").Allocatable(cpu: "7500m", memory: "30Gi", pods: "100"));
        Assert.Equal(7500, n.Allocatable.MilliCpu);
        Assert.Equal(30 * Gi, n.Allocatable.Memory);
        Assert.Equal(100, n.AllowedPodNumber);
    }

    [Fact]
    public void Capacity_is_used_when_there_is_no_allocatable()
    {
        // The API server defaults a missing status.allocatable to status.capacity.
        NodeInfo n = Translate(Node("n").Capacity(cpu: "8", memory: "32Gi", pods: "110"));
        Assert.Equal(8000, n.Allocatable.MilliCpu);
        Assert.Equal(32 * Gi, n.Allocatable.Memory);
        Assert.Equal(110, n.AllowedPodNumber);
    }

    [Fact]
    public void A_node_that_reports_no_pods_allows_none()
    {
        NodeInfo n = Translate(Node("n").Allocatable(cpu: "8", memory: "32Gi", pods: null));
        Assert.Equal(0, n.AllowedPodNumber);
    }

    [Fact]
    public void Extended_resources_and_hugepages_are_allocatable_and_unknown_node_resources_are_ignored()
    {
        NodeInfo n = Translate(Node("n").Allocatable(cpu: "8", memory: "32Gi", ephemeralStorage: "100Gi")
            .Resource("nvidia.com/gpu", "4").Resource("hugepages-2Mi", "1Gi").Resource("storage", "1Ti"));
        Assert.Equal(4, n.Allocatable.Scalar(_interner.Find("nvidia.com/gpu")));
        Assert.Equal(Gi, n.Allocatable.Scalar(_interner.Find("hugepages-2Mi")));
        Assert.Equal(100 * Gi, n.Allocatable.EphemeralStorage);
        Assert.Equal(2, n.Allocatable.Scalars.Length);
    }

    [Fact]
    public void Labels_taints_and_cordon_are_kept_in_order()
    {
        NodeInfo n = Translate(Node("n").Label("zone", "a").Unschedulable()
            .Taint("dedicated", "cms", "NoSchedule").Taint("spot", null, "PreferNoSchedule").Taint("gone", "x", "NoExecute"));
        Assert.True(n.Unschedulable);
        Assert.True(n.Labels.TryGetValue(_interner.Find("zone"), out int v));
        Assert.Equal("a", _interner[v]);
        Assert.Equal(new[] { TaintEffect.NoSchedule, TaintEffect.PreferNoSchedule, TaintEffect.NoExecute }, n.Taints.Select(t => t.Effect));
        Assert.Equal("", _interner[n.Taints[1].Value]);
    }
}
