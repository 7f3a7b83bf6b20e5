using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Predicates;

public class NodePortsTests
{
    /// <summary>A pod with host ports written as upstream's tests write them: "PROTOCOL/HOSTIP/PORT".</summary>
    private static PodBuilder WithPorts(string name, params string[] ports)
    {
        PodBuilder pod = Pod(name);
        foreach (string p in ports)
        {
            string[] parts = p.Split('/');
            pod.HostPort(int.Parse(parts[2]), parts[0], parts[1]);
        }
        return pod;
    }

    private static bool Fits(PodBuilder incoming, PodBuilder existing)
    {
        var c = new TestCluster().Nodes(Node("n").Allocatable(cpu: "1", memory: "1Gi")).Running(existing.OnNode("n"));
        FilterResult r = c.Filter(new NodePorts(c.Interner), incoming, "n");
        if (!r.IsSuccess) Assert.Equal(new[] { NodePorts.Reason }, r.Reasons());
        return r.IsSuccess;
    }

    [Theory]
    // ported from upstream nodeports/node_ports_test.go TestNodePorts, case by case:
    [InlineData("other port", new[] { "UDP/127.0.0.1/8080" }, new[] { "UDP/127.0.0.1/9090" }, true)]
    [InlineData("same udp port", new[] { "UDP/127.0.0.1/8080" }, new[] { "UDP/127.0.0.1/8080" }, false)]
    [InlineData("same tcp port", new[] { "TCP/127.0.0.1/8080" }, new[] { "TCP/127.0.0.1/8080" }, false)]
    [InlineData("different host ip", new[] { "TCP/127.0.0.1/8080" }, new[] { "TCP/127.0.0.2/8080" }, true)]
    [InlineData("different protocol", new[] { "UDP/127.0.0.1/8080" }, new[] { "TCP/127.0.0.1/8080" }, true)]
    [InlineData("second udp port conflict", new[] { "UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080" }, new[] { "UDP/127.0.0.1/8080" }, false)]
    [InlineData("first tcp port conflict", new[] { "TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080" }, new[] { "TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081" }, false)]
    [InlineData("first tcp port conflict due to 0.0.0.0 hostIP", new[] { "TCP/0.0.0.0/8001" }, new[] { "TCP/127.0.0.1/8001" }, false)]
    [InlineData("TCP hostPort conflict due to 0.0.0.0 hostIP", new[] { "TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001" }, new[] { "TCP/127.0.0.1/8001" }, false)]
    [InlineData("second tcp port conflict to 0.0.0.0 hostIP", new[] { "TCP/127.0.0.1/8001" }, new[] { "TCP/0.0.0.0/8001" }, false)]
    [InlineData("second different protocol", new[] { "UDP/127.0.0.1/8001" }, new[] { "TCP/0.0.0.0/8001" }, true)]
    [InlineData("UDP hostPort conflict due to 0.0.0.0 hostIP", new[] { "UDP/127.0.0.1/8001" }, new[] { "TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001" }, false)]
    // ported from upstream node_ports_test.go TestFits:
    [InlineData("non-conflicting ports", new[] { "TCP/127.0.0.1/80" }, new[] { "TCP/127.0.0.1/9090" }, true)]
    [InlineData("multiple non-conflicting ports", new[] { "TCP/127.0.0.1/80", "TCP/127.0.1.1/80", "TCP/127.0.1.1/90", "TCP/127.0.1.1/100" }, new[] { "TCP/127.0.0.1/9090", "TCP/127.0.0.1/9191", "TCP/127.0.1.1/8080" }, true)]
    [InlineData("same ports on different protocols", new[] { "TCP/127.0.0.1/80" }, new[] { "UDP/127.0.0.1/80" }, true)]
    [InlineData("conflicting ports", new[] { "TCP/127.0.0.1/80" }, new[] { "TCP/127.0.0.1/80" }, false)]
    [InlineData("multiple ports, some conflicting", new[] { "TCP/127.0.0.1/80", "TCP/127.0.1.1/80", "TCP/127.0.1.1/90", "TCP/127.0.1.1/100" }, new[] { "TCP/127.0.0.1/9090", "TCP/127.0.1.1/90", "TCP/127.0.1.1/8080" }, false)]
    // Unset protocol is TCP and unset host IP is 0.0.0.0 (upstream's sanitize):
    [InlineData("unset protocol is TCP", new[] { "/127.0.0.1/80" }, new[] { "TCP/127.0.0.1/80" }, false)]
    [InlineData("unset host IP binds all", new[] { "TCP//80" }, new[] { "TCP/10.1.1.1/80" }, false)]
    [InlineData("SCTP is its own protocol", new[] { "SCTP/0.0.0.0/80" }, new[] { "TCP/0.0.0.0/80", "UDP/0.0.0.0/80" }, true)]
    public void Host_ports_must_be_free(string _, string[] incoming, string[] existing, bool fits)
    {
        Assert.Equal(fits, Fits(WithPorts("incoming", incoming), WithPorts("existing", existing)));
    }

    [Fact]
    public void Container_ports_without_host_port_never_conflict()
    {
        var c = new TestCluster().Nodes(Node("n").Allocatable(cpu: "1")).Running(WithPorts("existing", "TCP/0.0.0.0/80").OnNode("n"));
        PodBuilder incoming = Pod("incoming").EmptyContainer();
        incoming.Build().Spec.Containers[0].Ports = new List<k8s.Models.V1ContainerPort> { new() { ContainerPort = 80 } };
        Assert.True(c.Filter(new NodePorts(c.Interner), incoming, "n").IsSuccess);
    }

    [Theory]
    // ported from upstream node_ports_test.go: "non-sidecar initContainer using hostPort" (skipped) and
    // "TCP hostPort conflict from sidecar initContainer"
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Only_sidecar_init_containers_hold_host_ports(bool sidecar, bool fits)
    {
        Assert.Equal(fits, Fits(Pod("incoming").InitContainerHostPort(8001, sidecar), WithPorts("existing", "TCP/0.0.0.0/8001")));
    }

    [Fact]
    public void A_running_sidecar_holds_its_host_port()
    {
        Assert.False(Fits(WithPorts("incoming", "TCP/0.0.0.0/8001"), Pod("existing").InitContainerHostPort(8001, sidecar: true)));
    }

    [Fact]
    public void A_removed_pod_frees_its_ports()
    {
        var c = new TestCluster().Nodes(Node("n").Allocatable(cpu: "1")).Running(WithPorts("existing", "TCP/0.0.0.0/80").OnNode("n"));
        c.State.RemovePod("default/existing");
        Assert.True(c.Filter(new NodePorts(c.Interner), WithPorts("incoming", "TCP/0.0.0.0/80"), "n").IsSuccess);
    }
}
