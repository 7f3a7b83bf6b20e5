using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Predicates;

public class NodeNameTests
{
    [Theory]
    // ported from upstream nodename/node_name_test.go: "no host specified", "host matches", "host doesn't match"
    [InlineData(null, "foo", true)]
    [InlineData("foo", "foo", true)]
    [InlineData("bar", "foo", false)]
    [InlineData("Foo", "foo", false)]   // node names compare exactly
    public void Pod_naming_a_node_fits_only_that_node(string? podNodeName, string nodeName, bool fits)
    {
        var c = new TestCluster().Nodes(Node(nodeName));
        PodBuilder pod = Pod("p");
        if (podNodeName is not null) pod.OnNode(podNodeName);
        FilterResult r = c.Filter(new NodeName(), pod, nodeName);
        Assert.Equal(fits, r.IsSuccess);
        if (!fits)
        {
            Assert.Equal(new[] { NodeName.Reason }, r.Reasons());
            Assert.True(r.Unresolvable);
        }
    }
}
