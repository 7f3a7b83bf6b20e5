using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.PodTerms;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Predicates;

/// <summary>Required pod affinity and anti-affinity, ported from upstream interpodaffinity/filtering_test.go.</summary>
public class InterPodAffinityTests
{
    private const string Affinity = InterPodAffinity.AffinityReason;
    private const string Anti = InterPodAffinity.AntiAffinityReason;
    private const string Existing = InterPodAffinity.ExistingAntiAffinityReason;

    /// <summary>Upstream's namespaces fixture: subteam{1,2}.team{1,2} labelled team=team{1,2}.</summary>
    private static TestCluster WithNamespaces(TestCluster c) => c
        .Namespace("subteam1.team1", ("team", "team1")).Namespace("subteam2.team1", ("team", "team1"))
        .Namespace("subteam1.team2", ("team", "team2")).Namespace("subteam2.team2", ("team", "team2"))
        .Namespace("default").Namespace("NS1").Namespace("NS2");

    /// <summary>The verdict on each node as its single reason, or null when it fits.</summary>
    private static string?[] Verdicts(PodBuilder pod, NodeBuilder[] nodes, params PodBuilder[] running)
    {
        TestCluster c = WithNamespaces(new TestCluster()).Nodes(nodes).Running(running);
        return c.FilterAll(new InterPodAffinity(c.Interner), pod).Select(r =>
        {
            if (r.IsSuccess) return null;
            string reason = Assert.Single(r.Reasons());
            // Only a pod affinity mismatch cannot be fixed by evicting pods.
            Assert.Equal(reason == Affinity, r.Unresolvable);
            return reason;
        }).ToArray();
    }

    private static NodeBuilder N(string name, params (string Key, string Value)[] labels)
    {
        NodeBuilder n = Node(name);
        foreach ((string k, string v) in labels) n.Label(k, v);
        return n;
    }

    // ---- TestRequiredAffinitySingleNode: node1 {region: r1, zone: z11} ----

    private static NodeBuilder Node1() => N("node1", ("region", "r1"), ("zone", "z11"));

    /// <summary>st.MakePod().Labels({service: securityscan}).Node("node1")</summary>
    private static PodBuilder SecurityScan() => Pod("existing").Label("service", "securityscan").OnNode("node1");

    public static TheoryData<string, PodBuilder, PodBuilder?, string?> SingleNode => new()
    {
        { "A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods",
            Pod("p"), null, null },
        { "satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In operator that matches the existing pod",
            Pod("p").Label("security", "S1").PodAffinity(In("service", "region", "securityscan", "value2")), SecurityScan(), null },
        { "satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using not in operator in labelSelector that matches the existing pod",
            Pod("p").Label("security", "S1").PodAffinity(NotIn("service", "region", "securityscan3", "value3")), SecurityScan(), null },
        { "Does not satisfy the PodAffinity with labelSelector because of diff Namespace",
            Pod("p").Label("security", "S1").PodAffinity(In("service", "region", "securityscan", "value2").InNamespaces("DiffNameSpace")),
            Pod("existing", "ns").Label("service", "securityscan").OnNode("node1"), Affinity },
        { "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod",
            Pod("p").Label("service", "securityscan").PodAffinity(In("service", "region", "antivirusscan", "value2")), SecurityScan(), Affinity },
        { "satisfies the PodAffinity with different label Operators in multiple RequiredDuringSchedulingIgnoredDuringExecution ",
            Pod("p").Label("security", "S1")
                .PodAffinity(Term("region", Requirement("service", "Exists"), Requirement("wrongkey", "DoesNotExist")))
                .PodAffinity(Term("region", Requirement("service", "In", "securityscan"), Requirement("service", "NotIn", "WrongValue"))),
            SecurityScan(), null },
        { "The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot schedule onto the node because one of the matchExpression item don't match.",
            Pod("p").Label("security", "S1")
                .PodAffinity(Term("region", Requirement("service", "Exists"), Requirement("wrongkey", "DoesNotExist")))
                .PodAffinity(Term("region", Requirement("service", "In", "securityscan2"), Requirement("service", "NotIn", "WrongValue"))),
            SecurityScan(), Affinity },
        { "satisfies the PodAffinity and PodAntiAffinity with the existing pod",
            Pod("p").Label("security", "S1").PodAffinity(In("service", "region", "securityscan", "value2")).PodAntiAffinity(In("service", "node", "antivirusscan", "value2")),
            SecurityScan(), null },
        { "satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the existing pod",
            Pod("p").Label("security", "S1").PodAffinity(In("service", "region", "securityscan", "value2")).PodAntiAffinity(In("service", "node", "antivirusscan", "value2")),
            SecurityScan().PodAntiAffinity(In("service", "node", "antivirusscan", "value2")), null },
        { "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod",
            Pod("p").Label("security", "S1").PodAffinity(In("service", "region", "securityscan", "value2")).PodAntiAffinity(In("service", "zone", "securityscan", "value2")),
            SecurityScan(), Anti },
        { "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry with the existing pod",
            Pod("p").Label("service", "securityscan").PodAffinity(In("service", "region", "securityscan", "value2")).PodAntiAffinity(In("service", "node", "antivirusscan", "value2")),
            SecurityScan().PodAntiAffinity(In("service", "zone", "securityscan", "value2")), Existing },
        { "pod matches its own Label in PodAffinity and that matches the existing pod Labels",
            Pod("p").Label("service", "securityscan").PodAffinity(NotIn("service", "region", "securityscan", "value2")),
            Pod("existing").Label("service", "securityscan").OnNode("node2"), Affinity },
        { "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod",
            Pod("p").Label("service", "securityscan"), SecurityScan().PodAntiAffinity(In("service", "zone", "securityscan", "value2")), Existing },
        { "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod",
            Pod("p").Label("service", "securityscan"), SecurityScan().PodAntiAffinity(NotIn("service", "zone", "securityscan", "value2")), null },
        { "satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity symmetry with incoming pod",
            Pod("p").Label("service", "securityscan").PodAntiAffinity(Exists("service", "region")).PodAntiAffinity(Exists("security", "region")),
            Pod("existing").Label("security", "S1").OnNode("node1").PodAntiAffinity(Exists("security", "zone")), Anti },
        { "PodAntiAffinity symmetry check a1: incoming pod and existing pod partially match each other on AffinityTerms",
            Pod("p").Label("service", "securityscan").PodAntiAffinity(Exists("service", "zone")).PodAntiAffinity(Exists("security", "zone")),
            Pod("existing").Label("security", "S1").OnNode("node1").PodAntiAffinity(Exists("security", "zone")), Anti },
        { "PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each other on AffinityTerms",
            Pod("p").Label("security", "S1").PodAntiAffinity(Exists("security", "zone")),
            SecurityScan().PodAntiAffinity(Exists("service", "zone")).PodAntiAffinity(Exists("security", "zone")), Existing },
        { "PodAntiAffinity symmetry check b1: incoming pod and existing pod partially match each other on AffinityTerms",
            Pod("p").Label("abc", "").Label("xyz", "").PodAntiAffinity(Exists("abc", "zone")).PodAntiAffinity(Exists("def", "zone")),
            Pod("existing").Label("def", "").Label("xyz", "").OnNode("node1").PodAntiAffinity(Exists("abc", "zone")).PodAntiAffinity(Exists("def", "zone")), Anti },
        { "PodAntiAffinity symmetry check b2: incoming pod and existing pod partially match each other on AffinityTerms",
            Pod("p").Label("def", "").Label("xyz", "").PodAntiAffinity(Exists("abc", "zone")).PodAntiAffinity(Exists("def", "zone")),
            Pod("existing").Label("abc", "").Label("xyz", "").OnNode("node1").PodAntiAffinity(Exists("abc", "zone")).PodAntiAffinity(Exists("def", "zone")), Anti },
        { "affinity with NamespaceSelector",
            Pod("p").Label("security", "S1").PodAffinity(In("service", "region", "securityscan", "value2").WithNamespaceSelector("team", "team1")),
            Pod("existing", "subteam1.team1").Label("service", "securityscan").OnNode("node1"), null },
        { "affinity with non-matching NamespaceSelector",
            Pod("p").Label("security", "S1").PodAffinity(In("service", "region", "securityscan", "value2").WithNamespaceSelector("team", "team1")),
            Pod("existing", "subteam1.team2").Label("service", "securityscan").OnNode("node1"), Affinity },
        { "anti-affinity with matching NamespaceSelector",
            Pod("p", "subteam1.team1").Label("security", "S1").PodAntiAffinity(In("service", "zone", "securityscan", "value2").WithNamespaceSelector("team", "team1")),
            Pod("existing", "subteam2.team1").Label("service", "securityscan").OnNode("node1"), Anti },
        { "anti-affinity with matching all NamespaceSelector",
            Pod("p", "subteam1.team1").Label("security", "S1").PodAntiAffinity(In("service", "zone", "securityscan", "value2").WithNamespaceSelector()),
            Pod("existing", "subteam2.team1").Label("service", "securityscan").OnNode("node1"), Anti },
        { "anti-affinity with non-matching NamespaceSelector",
            Pod("p", "subteam1.team1").Label("security", "S1").PodAntiAffinity(In("service", "zone", "securityscan", "value2").WithNamespaceSelector("team", "team1")),
            Pod("existing", "subteam1.team2").Label("service", "securityscan").OnNode("node1"), null },
        // Beyond upstream's table: the namespaces list and namespaceSelector are ORed; an existing pod's
        // namespaceSelector is matched against the labels of the incoming pod's namespace.
        { "namespaces and namespaceSelector are ORed",
            Pod("p").Label("security", "S1").PodAffinity(In("service", "region", "securityscan").InNamespaces("subteam1.team2").WithNamespaceSelector("team", "team1")),
            Pod("existing", "subteam1.team2").Label("service", "securityscan").OnNode("node1"), null },
        { "existing pod's anti-affinity namespaceSelector sees the incoming pod's namespace labels",
            Pod("p", "subteam2.team1").Label("app", "web"),
            Pod("existing", "default").OnNode("node1").PodAntiAffinity(In("app", "zone", "web").WithNamespaceSelector("team", "team1")), Existing },
        { "every namespace carries its kubernetes.io/metadata.name label",
            Pod("p").Label("security", "S1").PodAffinity(In("service", "region", "securityscan").WithNamespaceSelector("kubernetes.io/metadata.name", "subteam1.team2")),
            Pod("existing", "subteam1.team2").Label("service", "securityscan").OnNode("node1"), null },
        { "existing pod's anti-affinity without namespaces applies to its own namespace only",
            Pod("p", "subteam2.team1").Label("app", "web"),
            Pod("existing", "default").OnNode("node1").PodAntiAffinity(In("app", "zone", "web")), null },
        { "a null label selector selects no pod",
            Pod("p").Label("app", "web").PodAntiAffinity(new k8s.Models.V1PodAffinityTerm { TopologyKey = "zone" }), SecurityScan(), null },
        { "an empty label selector selects every pod in the namespace",
            Pod("p").Label("app", "web").PodAntiAffinity(new k8s.Models.V1PodAffinityTerm { TopologyKey = "zone", LabelSelector = new k8s.Models.V1LabelSelector() }), SecurityScan(), Anti },
    };

    [Theory]
    [MemberData(nameof(SingleNode))]
    public void Required_pod_affinity_on_a_single_node(string _, PodBuilder pod, PodBuilder? existing, string? reason)
    {
        string?[] verdicts = existing is null ? Verdicts(pod, new[] { Node1() }) : Verdicts(pod, new[] { Node1() }, existing);
        Assert.Equal(reason, Assert.Single(verdicts));
    }

    // ---- TestRequiredAffinityMultipleNodes ----

    private static readonly (string, string)[] RgChina = { ("region", "China") };
    private static readonly (string, string)[] RgChinaAzAz1 = { ("region", "China"), ("az", "az1") };
    private static readonly (string, string)[] RgIndia = { ("region", "India") };

    public static TheoryData<string, PodBuilder, NodeBuilder[], PodBuilder[], string?[]> MultipleNodes => new()
    {
        { "A pod can be scheduled onto all the nodes that have the same topology key & label value with one of them has an existing pod that matches the affinity rules",
            Pod("p").PodAffinity(In("foo", "region", "bar")),
            new[] { N("node1", RgChina), N("node2", RgChinaAzAz1), N("node3", RgIndia) },
            new[] { Pod("p1").OnNode("node1").Label("foo", "bar") },
            new string?[] { null, null, Affinity } },
        { "The affinity rule is to schedule all of the pods of this collection to the same zone. The first pod of the collection should not be blocked from being scheduled onto any node, even there's no existing pod that matches the rule anywhere.",
            Pod("p").Label("foo", "bar").Label("service", "securityscan").PodAffinity(In("foo", "zone", "bar")).PodAffinity(In("service", "zone", "securityscan")),
            new[] { N("nodeA", ("zone", "az1"), ("hostname", "h1")), N("nodeB", ("zone", "az2"), ("hostname", "h2")) },
            new[] { Pod("p1").OnNode("nodeA").Label("foo", "bar") },
            new string?[] { null, null } },
        { "The first pod of the collection can only be scheduled on nodes labelled with the requested topology keys",
            Pod("p").Label("foo", "bar").Label("service", "securityscan").PodAffinity(In("foo", "zone", "bar")).PodAffinity(In("service", "zone", "securityscan")),
            new[] { N("nodeA", ("zoneLabel", "az1"), ("hostname", "h1")), N("nodeB", ("zoneLabel", "az2"), ("hostname", "h2")) },
            new[] { Pod("p1").OnNode("nodeA").Label("foo", "bar") },
            new string?[] { Affinity, Affinity } },
        { "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB.",
            Pod("p").PodAntiAffinity(In("foo", "region", "abc")),
            new[] { N("nodeA", ("region", "r1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("hostname", "nodeB")) },
            new[] { Pod("e").OnNode("nodeA").Label("foo", "abc") },
            new string?[] { Anti, Anti } },
        { "This test ensures that anti-affinity matches a pod when any term of the anti-affinity rule matches a pod.",
            Pod("p").PodAntiAffinity(In("foo", "region", "abc")).PodAntiAffinity(In("service", "zone", "securityscan")),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z2"), ("hostname", "nodeB")) },
            new[] { Pod("e").OnNode("nodeA").Label("foo", "abc").Label("service", "securityscan") },
            new string?[] { Anti, Anti } },
        { "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB but can be scheduled onto nodeC",
            Pod("p").PodAntiAffinity(In("foo", "region", "abc")),
            new[] { N("nodeA", RgChina), N("nodeB", RgChinaAzAz1), N("nodeC", RgIndia) },
            new[] { Pod("e").OnNode("nodeA").Label("foo", "abc") },
            new string?[] { Anti, Anti, null } },
        { "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA, nodeB, but can be scheduled onto nodeC (NodeC has an existing pod that match the inter pod affinity rule but in different namespace)",
            Pod("p", "NS1").Label("foo", "123").PodAntiAffinity(In("foo", "region", "bar")),
            new[] { N("nodeA", RgChina), N("nodeB", RgChinaAzAz1), N("nodeC", RgIndia) },
            new[] { Pod("e1", "NS1").OnNode("nodeA").Label("foo", "bar"), Pod("e2", "NS2").OnNode("nodeC").PodAntiAffinity(In("foo", "region", "123")) },
            new string?[] { Anti, Anti, null } },
        { "Test existing pod's anti-affinity: if an existing pod has a term with invalid topologyKey, labelSelector of the term is firstly checked, and then topologyKey of the term is also checked",
            Pod("p").Label("foo", ""),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeB")) },
            new[] { Pod("e").OnNode("nodeA").PodAntiAffinity(Exists("foo", "invalid-node-label")) },
            new string?[] { null, null } },
        { "Test incoming pod's anti-affinity: even if labelSelector matches, we still check if topologyKey matches",
            Pod("p").PodAntiAffinity(Exists("foo", "invalid-node-label")),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeB")) },
            new[] { Pod("e").OnNode("nodeA").Label("foo", "") },
            new string?[] { null, null } },
        { "Test existing pod's anti-affinity: incoming pod wouldn't considered as a fit as it violates each existingPod's terms on all nodes",
            Pod("p").Label("foo", "").Label("bar", ""),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z2"), ("hostname", "nodeB")) },
            new[] { Pod("e1").OnNode("nodeA").PodAntiAffinity(Exists("foo", "zone")), Pod("e2").OnNode("nodeA").PodAntiAffinity(Exists("bar", "region")) },
            new string?[] { Existing, Existing } },
        { "Test incoming pod's anti-affinity: incoming pod wouldn't considered as a fit as it at least violates one anti-affinity rule of existingPod",
            Pod("p").PodAntiAffinity(Exists("foo", "zone")).PodAntiAffinity(Exists("bar", "region")),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z2"), ("hostname", "nodeB")) },
            new[] { Pod("e1").OnNode("nodeA").Label("foo", ""), Pod("e2").OnNode("nodeB").Label("bar", "") },
            new string?[] { Anti, Anti } },
        { "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
            Pod("p").Label("foo", "").Label("bar", ""),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z2"), ("hostname", "nodeB")) },
            new[] { Pod("e").OnNode("nodeA").PodAntiAffinity(Exists("foo", "invalid-node-label")).PodAntiAffinity(Exists("bar", "zone")) },
            new string?[] { Existing, null } },
        { "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
            Pod("p").PodAntiAffinity(Exists("foo", "invalid-node-label")).PodAntiAffinity(Exists("bar", "zone")),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z2"), ("hostname", "nodeB")) },
            new[] { Pod("podA").OnNode("nodeA").Label("foo", "").Label("bar", "") },
            new string?[] { Anti, null } },
        { "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
            Pod("p").Label("foo", "").Label("bar", ""),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z2"), ("hostname", "nodeB")) },
            new[] { Pod("e").OnNode("nodeA").PodAntiAffinity(Exists("foo", "region")).PodAntiAffinity(Exists("bar", "zone")) },
            new string?[] { Existing, Existing } },
        { "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
            Pod("p").PodAntiAffinity(Exists("foo", "region")).PodAntiAffinity(Exists("bar", "zone")),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z2"), ("hostname", "nodeB")) },
            new[] { Pod("e").OnNode("nodeA").Label("foo", "").Label("bar", "") },
            new string?[] { Anti, Anti } },
        { "Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at least one anti-affinity term matches incoming pod, so incoming pod can only be scheduled to nodeC",
            Pod("p").Label("foo", "").Label("bar", ""),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z2"), ("hostname", "nodeB")), N("nodeC", ("region", "r1"), ("zone", "z3"), ("hostname", "nodeC")) },
            new[] { Pod("e1").OnNode("nodeA").PodAntiAffinity(Exists("foo", "zone")).PodAntiAffinity(Exists("labelA", "zone")),
                    Pod("e2").OnNode("nodeB").PodAntiAffinity(Exists("bar", "zone")).PodAntiAffinity(Exists("labelB", "zone")) },
            new string?[] { Existing, Existing, null } },
        { "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match",
            Pod("p").PodAffinity(Exists("foo", "region")).PodAffinity(Exists("bar", "zone")),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeB")) },
            new[] { Pod("pod1").OnNode("nodeA").Label("foo", "").Label("bar", "") },
            new string?[] { null, null } },
        { "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match, and the match logic should be satisfied on the same pod",
            Pod("p").PodAffinity(Exists("foo", "region")).PodAffinity(Exists("bar", "zone")),
            new[] { N("nodeA", ("region", "r1"), ("zone", "z1"), ("hostname", "nodeA")), N("nodeB", ("region", "r1"), ("zone", "z2"), ("hostname", "nodeB")) },
            new[] { Pod("pod1").OnNode("nodeA").Label("foo", ""), Pod("pod2").OnNode("nodeB").Label("bar", "") },
            new string?[] { Affinity, Affinity } },
    };

    [Theory]
    [MemberData(nameof(MultipleNodes))]
    public void Required_pod_affinity_across_topology_domains(string _, PodBuilder pod, NodeBuilder[] nodes, PodBuilder[] running, string?[] expected)
    {
        Assert.Equal(expected, Verdicts(pod, nodes, running));
    }

    [Fact]
    public void Existing_pod_required_anti_affinity_rejects_matching_incoming_pod_across_the_whole_domain()
    {
        NodeBuilder[] nodes = { N("z1-a", ("zone", "z1")), N("z1-b", ("zone", "z1")), N("z2-a", ("zone", "z2")) };
        string?[] verdicts = Verdicts(Pod("web").Label("app", "web"), nodes, Pod("db").OnNode("z1-a").PodAntiAffinity(In("app", "zone", "web")));
        Assert.Equal(new string?[] { Existing, Existing, null }, verdicts);
    }

    [Fact]
    public void First_pod_of_a_self_affine_group_is_not_blocked_only_while_no_pod_matches()
    {
        // Once any pod anywhere matches the terms, the escape no longer applies: the pod must go to that domain.
        NodeBuilder[] nodes = { N("a", ("zone", "z1")), N("b", ("zone", "z2")) };
        PodBuilder pod = Pod("p").Label("app", "db").PodAffinity(In("app", "zone", "db"));
        Assert.Equal(new string?[] { null, null }, Verdicts(pod, nodes));
        pod = Pod("p").Label("app", "db").PodAffinity(In("app", "zone", "db"));
        Assert.Equal(new string?[] { Affinity, null }, Verdicts(pod, nodes, Pod("first").Label("app", "db").OnNode("b")));
    }

    [Fact]
    public void Removed_pod_no_longer_counts()
    {
        TestCluster c = WithNamespaces(new TestCluster()).Nodes(N("a", ("zone", "z1"))).Running(Pod("e").Label("app", "db").OnNode("a"));
        c.State.RemovePod("default/e");
        FilterResult[] r = c.FilterAll(new InterPodAffinity(c.Interner), Pod("p").PodAntiAffinity(In("app", "zone", "db")));
        Assert.True(r[0].IsSuccess);
    }
}
