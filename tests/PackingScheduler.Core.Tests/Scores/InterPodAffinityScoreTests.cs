using PackingScheduler.Core.Scores;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.PodTerms;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Scores;

/// <summary>
/// Ported from upstream interpodaffinity/scoring_test.go (TestPreferredAffinity,
/// TestPreferredAffinityWithHardPodAffinitySymmetricWeight). Upstream's "" namespace is "default" here.
/// </summary>
public class InterPodAffinityScoreTests
{
    private static readonly (string, string)[] RgChina = { ("region", "China") };
    private static readonly (string, string)[] RgIndia = { ("region", "India") };
    private static readonly (string, string)[] AzAz1 = { ("az", "az1") };
    private static readonly (string, string)[] AzAz2 = { ("az", "az2") };
    private static readonly (string, string)[] RgChinaAzAz1 = { ("region", "China"), ("az", "az1") };

    private static NodeBuilder N(string name, (string Key, string Value)[] labels)
    {
        NodeBuilder n = Node(name);
        foreach ((string k, string v) in labels) n.Label(k, v);
        return n;
    }

    private static int _seq;

    private static PodBuilder S1(string node, string? ns = null) => Pod($"s1-{++_seq}", ns).Label("security", "S1").OnNode(node);
    private static PodBuilder S2(string node, string? ns = null) => Pod($"s2-{++_seq}", ns).Label("security", "S2").OnNode(node);
    private static PodBuilder Unlabeled(string node) => Pod($"u-{++_seq}").OnNode(node);

    // The affinities of upstream's test, as builder steps.
    private static PodBuilder StayWithS1InRegion(PodBuilder p) => p.PreferredPodAffinity(5, In("security", "region", "S1"));
    private static PodBuilder StayWithS2InRegion(PodBuilder p) => p.PreferredPodAffinity(6, In("security", "region", "S2"));
    private static PodBuilder Affinity3(PodBuilder p) => p
        .PreferredPodAffinity(8, Term("region", Requirement("security", "NotIn", "S1"), Requirement("security", "In", "S2")))
        .PreferredPodAffinity(2, Term("region", Requirement("security", "Exists"), Requirement("wrongkey", "DoesNotExist")));
    private static PodBuilder HardAffinity(PodBuilder p) => p
        .PodAffinity(In("security", "region", "S1", "value2"))
        .PodAffinity(Term("region", Requirement("security", "Exists"), Requirement("wrongkey", "DoesNotExist")));
    private static PodBuilder AwayFromS1InAz(PodBuilder p) => p.PreferredPodAntiAffinity(5, In("security", "az", "S1"));
    private static PodBuilder AwayFromS2InAz(PodBuilder p) => p.PreferredPodAntiAffinity(5, In("security", "az", "S2"));
    private static PodBuilder StayWithS1InRegionAwayFromS2InAz(PodBuilder p) => p
        .PreferredPodAffinity(8, In("security", "region", "S1"))
        .PreferredPodAntiAffinity(5, In("security", "az", "S2"));
    private static PodBuilder AffinityNamespaceSelector(PodBuilder p) =>
        p.PreferredPodAffinity(5, In("security", "region", "S1").InNamespaces("subteam2.team2").WithNamespaceSelector("team", "team1"));
    private static PodBuilder AntiAffinityNamespaceSelector(PodBuilder p) =>
        p.PreferredPodAntiAffinity(5, In("security", "region", "S1").InNamespaces("subteam2.team2").WithNamespaceSelector("team", "team1"));

    private static long[] Score(PodBuilder pod, NodeBuilder[] nodes, PodBuilder[] running, int hardPodAffinityWeight = 1, bool ignorePreferredTermsOfExistingPods = false)
    {
        var c = new TestCluster()
            .Namespace("subteam1.team1", ("team", "team1")).Namespace("subteam2.team1", ("team", "team1"))
            .Namespace("subteam1.team2", ("team", "team2")).Namespace("subteam2.team2", ("team", "team2"))
            .Namespace("default")
            .Nodes(nodes).Running(running);
        return c.Score(new InterPodAffinityScore(c.Interner, hardPodAffinityWeight, ignorePreferredTermsOfExistingPods), pod);
    }

    public static TheoryData<string, PodBuilder, NodeBuilder[], PodBuilder[], long[]> Preferred => new()
    {
        { "all nodes are same priority as Affinity is nil",
            Pod("p").Label("security", "S1"), new[] { N("node1", RgChina), N("node2", RgIndia), N("node3", AzAz1) }, new PodBuilder[0], new long[] { 0, 0, 0 } },
        { "Affinity: pod that matches topology key & pods in nodes will get high score comparing to otherswhich doesn't match either pods in nodes or in topology key",
            StayWithS1InRegion(Pod("p").Label("security", "S1")), new[] { N("node1", RgChina), N("node2", RgIndia), N("node3", AzAz1) },
            new[] { S1("node1"), S2("node2"), S1("node3") }, new long[] { 100, 0, 0 } },
        { "All the nodes that have the same topology key & label value with one of them has an existing pod that match the affinity rules, have the same score",
            StayWithS1InRegion(Pod("p")), new[] { N("node1", RgChina), N("node2", RgChinaAzAz1), N("node3", RgIndia) },
            new[] { S1("node1") }, new long[] { 100, 100, 0 } },
        { "Affinity: nodes in one region has more matching pods comparing to other region, so the region which has more matches will get high score",
            StayWithS2InRegion(Pod("p").Label("security", "S1")),
            new[] { N("node1", RgChina), N("node2", RgIndia), N("node3", RgChina), N("node4", RgChina), N("node5", RgIndia) },
            new[] { S2("node1"), S2("node1"), S2("node2"), S2("node3"), S2("node4"), S2("node5") }, new long[] { 100, 0, 100, 100, 0 } },
        { "Affinity: different Label operators and values for pod affinity scheduling preference, including some match failures ",
            Affinity3(Pod("p").Label("security", "S1")), new[] { N("node1", RgChina), N("node2", RgIndia), N("node3", AzAz1) },
            new[] { S1("node1"), S2("node2"), S1("node3") }, new long[] { 20, 100, 0 } },
        { "Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry",
            Pod("p").Label("security", "S2"), new[] { N("node1", RgChina), N("node2", RgIndia), N("node3", AzAz1) },
            new[] { StayWithS1InRegion(S1("node1")), StayWithS2InRegion(S2("node2")) }, new long[] { 0, 100, 0 } },
        { "Affinity symmetry with namespace selector",
            Pod("p", "subteam1.team1").Label("security", "S1"), new[] { N("node1", RgChina), N("node2", RgIndia), N("node3", AzAz1) },
            new[] { AffinityNamespaceSelector(S1("node1")), StayWithS2InRegion(S2("node2")) }, new long[] { 100, 0, 0 } },
        { "AntiAffinity symmetry with namespace selector",
            Pod("p", "subteam1.team1").Label("security", "S1"), new[] { N("node1", RgChina), N("node2", RgIndia), N("node3", AzAz1) },
            new[] { AntiAffinityNamespaceSelector(S1("node1")), StayWithS2InRegion(S2("node2")) }, new long[] { 0, 100, 100 } },
        { "Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry",
            Pod("p").Label("security", "S1"), new[] { N("node1", RgChina), N("node2", RgIndia), N("node3", AzAz1) },
            new[] { HardAffinity(S1("node1")), HardAffinity(S2("node2")) }, new long[] { 100, 100, 0 } },
        { "Anti Affinity: pod that does not match existing pods in node will get high score ",
            AwayFromS1InAz(Pod("p").Label("security", "S1")), new[] { N("node1", AzAz1), N("node2", RgChina) },
            new[] { S1("node1"), S2("node2") }, new long[] { 0, 100 } },
        { "Anti Affinity: pod that does not match topology key & match the pods in nodes will get higher score comparing to others ",
            AwayFromS1InAz(Pod("p").Label("security", "S1")), new[] { N("node1", AzAz1), N("node2", RgChina) },
            new[] { S1("node1"), S1("node2") }, new long[] { 0, 100 } },
        { "Anti Affinity: one node has more matching pods comparing to other node, so the node which has more unmatches will get high score",
            AwayFromS1InAz(Pod("p").Label("security", "S1")), new[] { N("node1", AzAz1), N("node2", RgIndia) },
            new[] { S1("node1"), S1("node1"), S2("node2") }, new long[] { 0, 100 } },
        { "Anti Affinity symmetry: the existing pods in node which has anti affinity match will get high score",
            Pod("p").Label("security", "S2"), new[] { N("node1", AzAz1), N("node2", AzAz2) },
            new[] { AwayFromS2InAz(S1("node1")), AwayFromS1InAz(S2("node2")) }, new long[] { 0, 100 } },
        { "Affinity and Anti Affinity: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity",
            StayWithS1InRegionAwayFromS2InAz(Pod("p").Label("security", "S1")), new[] { N("node1", RgChina), N("node2", AzAz1) },
            new[] { S1("node1"), S1("node2") }, new long[] { 100, 0 } },
        { "Affinity and Anti Affinity: considering both affinity and anti-affinity, the pod to schedule and existing pods have the same labels",
            StayWithS1InRegionAwayFromS2InAz(Pod("p").Label("security", "S1")),
            new[] { N("node1", RgChinaAzAz1), N("node2", RgIndia), N("node3", RgChina), N("node4", RgChina), N("node5", RgIndia) },
            new[] { S1("node1"), S1("node1"), S1("node2"), S1("node3"), S1("node3"), S1("node4"), S1("node5") }, new long[] { 100, 0, 100, 100, 0 } },
        { "Affinity and Anti Affinity and symmetry: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity & symmetry",
            StayWithS1InRegionAwayFromS2InAz(Pod("p").Label("security", "S1")),
            new[] { N("node1", RgChina), N("node2", AzAz1), N("node3", RgIndia), N("node4", AzAz2) },
            new[] { S1("node1"), S2("node2"), StayWithS1InRegionAwayFromS2InAz(Unlabeled("node3")), AwayFromS1InAz(Unlabeled("node4")) }, new long[] { 100, 0, 100, 0 } },
        { "Avoid panic when partial nodes in a topology don't have pods with affinity",
            Pod("p").Label("security", "S1"), new[] { N("node1", RgChina), N("node2", RgChina) },
            new[] { S1("node1"), StayWithS1InRegionAwayFromS2InAz(Unlabeled("node2")) }, new long[] { 0, 0 } },
        { "Affinity with pods matching NamespaceSelector",
            AffinityNamespaceSelector(Pod("p", "subteam1.team1").Label("security", "S1")), new[] { N("node1", RgChina), N("node2", RgIndia) },
            new[] { S1("node1", "subteam1.team1"), S1("node1", "subteam1.team1"), S1("node1", "subteam1.team2"), S1("node2", "subteam2.team1") }, new long[] { 100, 0 } },
        { "Affinity with pods matching both NamespaceSelector and Namespaces fields",
            AffinityNamespaceSelector(Pod("p", "subteam1.team1").Label("security", "S1")), new[] { N("node1", RgChina), N("node2", RgIndia) },
            new[] { S1("node1", "subteam1.team1"), S1("node1", "subteam1.team1"), S1("node1", "subteam2.team2"), S1("node2", "subteam2.team1") }, new long[] { 100, 0 } },
        { "Anti affinity with pods matching NamespaceSelector",
            AntiAffinityNamespaceSelector(Pod("p", "subteam1.team1").Label("security", "S1")), new[] { N("node1", RgChina), N("node2", RgIndia) },
            new[] { S1("node1", "subteam1.team1"), S1("node1", "subteam1.team1"), S1("node1", "subteam1.team2"), S1("node2", "subteam2.team1") }, new long[] { 0, 100 } },
        { "Anti affinity with pods matching both NamespaceSelector and Namespaces fields",
            AntiAffinityNamespaceSelector(Pod("p", "subteam1.team1").Label("security", "S1")), new[] { N("node1", RgChina), N("node2", RgIndia) },
            new[] { S1("node1", "subteam1.team1"), S1("node1", "subteam1.team1"), S1("node1", "subteam2.team2"), S1("node2", "subteam2.team1") }, new long[] { 0, 100 } },
        { "Do not ignore preferred terms of existing pods",
            Pod("p").Label("security", "S2"), new[] { N("node1", RgChina), N("node2", RgIndia) },
            new[] { StayWithS1InRegionAwayFromS2InAz(S1("node1")), StayWithS2InRegion(S2("node2")) }, new long[] { 0, 100 } },
    };

    [Theory]
    [MemberData(nameof(Preferred))]
    public void Preferred_affinity_scores_are_normalized_between_the_lowest_and_highest_node(string _, PodBuilder pod, NodeBuilder[] nodes, PodBuilder[] running, long[] expected)
    {
        Assert.Equal(expected, Score(pod, nodes, running));
    }

    [Fact]
    public void Ignore_preferred_terms_of_existing_pods()
    {
        // ported from upstream scoring_test.go: "Ignore preferred terms of existing pods"
        long[] scores = Score(Pod("p").Label("security", "S2"), new[] { N("node1", RgChina), N("node2", RgIndia) },
            new[] { StayWithS1InRegionAwayFromS2InAz(S1("node1")), StayWithS2InRegion(S2("node2")) }, ignorePreferredTermsOfExistingPods: true);
        Assert.Equal(new long[] { 0, 0 }, scores);
    }

    /// <summary>upstream hardPodAffinity: required affinity to service=S1, namespaces ["", subteam2.team2] or team=team1.</summary>
    private static PodBuilder HardPodAffinity(string node) => Pod($"h-{++_seq}").OnNode(node)
        .PodAffinity(In("service", "region", "S1").InNamespaces("default", "subteam2.team2").WithNamespaceSelector("team", "team1"));

    [Theory]
    // ported from upstream scoring_test.go TestPreferredAffinityWithHardPodAffinitySymmetricWeight
    [InlineData("with default weight", null, 1, new long[] { 100, 100, 0 })]
    [InlineData("with zero weight", null, 0, new long[] { 0, 0, 0 })]
    [InlineData("with no matching namespace", "subteam1.team2", 1, new long[] { 0, 0, 0 })]
    [InlineData("with matching NamespaceSelector", "subteam1.team1", 1, new long[] { 100, 100, 0 })]
    [InlineData("with matching Namespaces", "subteam2.team2", 1, new long[] { 100, 100, 0 })]
    public void Existing_pods_required_affinity_counts_with_hard_pod_affinity_weight(string _, string? ns, int weight, long[] expected)
    {
        long[] scores = Score(Pod("p", ns).Label("service", "S1"), new[] { N("node1", RgChina), N("node2", RgIndia), N("node3", AzAz1) },
            new[] { HardPodAffinity("node1"), HardPodAffinity("node2") }, hardPodAffinityWeight: weight);
        Assert.Equal(expected, scores);
    }

    [Fact]
    public void Hard_pod_affinity_weight_adds_to_preferred_weights()
    {
        // China: existing pod's required term (weight 10) + its preferred term (3); India: preferred only (3).
        NodeBuilder[] nodes = { N("node1", RgChina), N("node2", RgIndia), N("node3", AzAz1) };
        PodBuilder[] running =
        {
            Pod("a").OnNode("node1").PodAffinity(In("app", "region", "web")).PreferredPodAffinity(3, In("app", "region", "web")),
            Pod("b").OnNode("node2").PreferredPodAffinity(3, In("app", "region", "web")),
        };
        var c = new TestCluster().Nodes(nodes).Running(running);
        var scorer = new InterPodAffinityScore(c.Interner, 10, false);
        Assert.Equal(new long[] { 13, 3, 0 }, c.Score(scorer, Pod("p").Label("app", "web"), normalize: false));
        Assert.Equal(new long[] { 100, 23, 0 }, c.Score(scorer, Pod("p").Label("app", "web")));
    }

    [Fact]
    public void Normalization_truncates_towards_zero_between_min_and_max()
    {
        // Raw -5, 3, 8: (3 - -5) / 13 * 100 = 61.5 -> 61.
        NodeBuilder[] nodes = { N("a", new[] { ("zone", "z1") }), N("b", new[] { ("zone", "z2") }), N("c", new[] { ("zone", "z3") }) };
        PodBuilder pod = Pod("p").PreferredPodAntiAffinity(5, In("app", "zone", "x")).PreferredPodAffinity(3, In("app", "zone", "y")).PreferredPodAffinity(8, In("app", "zone", "z"));
        long[] scores = Score(pod, nodes, new[] { Pod("x").Label("app", "x").OnNode("a"), Pod("y").Label("app", "y").OnNode("b"), Pod("z").Label("app", "z").OnNode("c") });
        Assert.Equal(new long[] { 0, 61, 100 }, scores);
    }
}
