using PackingScheduler.Core.Scores;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.NodeTerms;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Scores;

/// <summary>Ported from upstream nodeaffinity/node_affinity_test.go TestNodeAffinityPriority and component-helpers TestPreferredSchedulingTermsScore.</summary>
public class NodeAffinityScoreTests
{
    private static NodeBuilder N(string name, params (string Key, string Value)[] labels)
    {
        NodeBuilder n = Node(name);
        foreach ((string k, string v) in labels) n.Label(k, v);
        return n;
    }

    private static readonly (string, string)[] Label1 = { ("foo", "bar") };
    private static readonly (string, string)[] Label2 = { ("key", "value") };
    private static readonly (string, string)[] Label3 = { ("az", "az1") };
    private static readonly (string, string)[] Label4 = { ("abc", "az11"), ("def", "az22") };
    private static readonly (string, string)[] Label5 = { ("foo", "bar"), ("key", "value"), ("az", "az1") };

    private static PodBuilder Affinity1() => Pod("p").PreferredNodeAffinity(2, Term(Expr("foo", "In", "bar")));

    private static PodBuilder Affinity2() => Pod("p")
        .PreferredNodeAffinity(2, Term(Expr("foo", "In", "bar")))
        .PreferredNodeAffinity(4, Term(Expr("key", "In", "value")))
        .PreferredNodeAffinity(5, Term(Expr("foo", "In", "bar"), Expr("key", "In", "value"), Expr("az", "In", "az1")));

    public static TheoryData<string, PodBuilder, NodeBuilder[], long[]> Cases => new()
    {
        { "all nodes are same priority as NodeAffinity is nil", Pod("p"), new[] { N("node1", Label1), N("node2", Label2), N("node3", Label3) }, new long[] { 0, 0, 0 } },
        { "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero", Affinity1(), new[] { N("node1", Label4), N("node2", Label2), N("node3", Label3) }, new long[] { 0, 0, 0 } },
        { "only node1 matches the preferred scheduling requirements of pod", Affinity1(), new[] { N("node1", Label1), N("node2", Label2), N("node3", Label3) }, new long[] { 100, 0, 0 } },
        { "all nodes matches the preferred scheduling requirements of pod but with different priorities ", Affinity2(), new[] { N("node1", Label1), N("node5", Label5), N("node2", Label2) }, new long[] { 18, 100, 36 } },
        // An empty preference selects no node (upstream skips it).
        { "empty preference", Pod("p").PreferredNodeAffinity(50, Term()).PreferredNodeAffinity(1, Term(Expr("foo", "Exists"))), new[] { N("node1", Label1), N("node2", Label2) }, new long[] { 100, 0 } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Preferred_terms_sum_their_weights_scaled_by_the_best_node(string _, PodBuilder pod, NodeBuilder[] nodes, long[] expected)
    {
        var c = new TestCluster().Nodes(nodes);
        Assert.Equal(expected, c.Score(new NodeAffinityScore(c.Interner), pod));
    }

    [Fact]
    public void First_and_third_term_match()
    {
        // ported from upstream component-helpers nodeaffinity_test.go TestPreferredSchedulingTermsScore: "first and third term match" -> 16
        PodBuilder pod = Pod("p")
            .PreferredNodeAffinity(5, Fields(NameIs("host_1")))
            .PreferredNodeAffinity(7, Term(Expr("unknown_label", "In", "unknown_label_val")))
            .PreferredNodeAffinity(11, Term(Expr("label_1", "In", "label_1_val")));
        var c = new TestCluster().Nodes(N("host_1", ("label_1", "label_1_val")));
        Assert.Equal(new long[] { 16 }, c.Score(new NodeAffinityScore(c.Interner), pod, normalize: false));
    }

    [Fact]
    public void Required_node_affinity_does_not_score()
    {
        var c = new TestCluster().Nodes(N("node1", Label1), N("node2", Label2));
        Assert.Equal(new long[] { 0, 0 }, c.Score(new NodeAffinityScore(c.Interner), Pod("p").RequiredNodeAffinity(Term(Expr("foo", "In", "bar")))));
    }
}
