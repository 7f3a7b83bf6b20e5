using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.NodeTerms;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Predicates;

/// <summary>spec.nodeSelector AND required node affinity (terms ORed, requirements ANDed, matchFields on metadata.name).</summary>
public class NodeAffinityTests
{
    private static NodeBuilder Labeled(string name, params (string Key, string Value)[] labels)
    {
        NodeBuilder n = Node(name);
        foreach ((string k, string v) in labels) n.Label(k, v);
        return n;
    }

    public static TheoryData<string, PodBuilder, NodeBuilder, bool> Cases => new()
    {
        // ported from upstream nodeaffinity/node_affinity_test.go TestNodeAffinity, case by case:
        { "missing labels", Pod("p").NodeSelector("foo", "bar"), Labeled("node1"), false },
        { "same labels", Pod("p").NodeSelector("foo", "bar"), Labeled("node1", ("foo", "bar")), true },
        { "node labels are superset", Pod("p").NodeSelector("foo", "bar"), Labeled("node1", ("foo", "bar"), ("baz", "blah")), true },
        { "node labels are subset", Pod("p").NodeSelector("foo", "bar").NodeSelector("baz", "blah"), Labeled("node1", ("foo", "bar")), false },
        { "Pod with matchExpressions using In operator that matches the existing node",
            Pod("p").RequiredNodeAffinity(Term(Expr("foo", "In", "bar", "value2"))), Labeled("node1", ("foo", "bar")), true },
        { "Pod with matchExpressions using Gt operator that matches the existing node",
            Pod("p").RequiredNodeAffinity(Term(Expr("kernel-version", "Gt", "0204"))), Labeled("node1", ("kernel-version", "0206")), true },
        { "Pod with matchExpressions using NotIn operator that matches the existing node",
            Pod("p").RequiredNodeAffinity(Term(Expr("mem-type", "NotIn", "DDR", "DDR2"))), Labeled("node1", ("mem-type", "DDR3")), true },
        { "Pod with matchExpressions using Exists operator that matches the existing node",
            Pod("p").RequiredNodeAffinity(Term(Expr("GPU", "Exists"))), Labeled("node1", ("GPU", "NVIDIA-GRID-K1")), true },
        { "Pod with affinity that don't match node's labels won't schedule onto the node",
            Pod("p").RequiredNodeAffinity(Term(Expr("foo", "In", "value1", "value2"))), Labeled("node1", ("foo", "bar")), false },
        { "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node",
            Pod("p").RequiredNodeAffinity(Term()), Labeled("node1", ("foo", "bar")), false },
        { "Pod with no Affinity will schedule onto a node", Pod("p"), Labeled("node1", ("foo", "bar")), true },
        { "Pod with multiple matchExpressions ANDed that matches the existing node",
            Pod("p").RequiredNodeAffinity(Term(Expr("GPU", "Exists"), Expr("GPU", "NotIn", "AMD", "INTER"))), Labeled("node1", ("GPU", "NVIDIA-GRID-K1")), true },
        { "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
            Pod("p").RequiredNodeAffinity(Term(Expr("GPU", "Exists"), Expr("GPU", "In", "AMD", "INTER"))), Labeled("node1", ("GPU", "NVIDIA-GRID-K1")), false },
        { "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node",
            Pod("p").RequiredNodeAffinity(Term(Expr("foo", "In", "bar", "value2")), Term(Expr("diffkey", "In", "wrong", "value2"))), Labeled("node1", ("foo", "bar")), true },
        { "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node",
            Pod("p").NodeSelector("foo", "bar").RequiredNodeAffinity(Term(Expr("foo", "Exists"))), Labeled("node1", ("foo", "bar")), true },
        { "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node",
            Pod("p").NodeSelector("foo", "bar").RequiredNodeAffinity(Term(Expr("foo", "Exists"))), Labeled("node1", ("foo", "barrrrrr")), false },
        { "Pod with matchFields using In operator that matches the existing node",
            Pod("p").RequiredNodeAffinity(Fields(NameIs("node1"))), Labeled("node1"), true },
        { "Pod with matchFields using In operator that does not match the existing node",
            Pod("p").RequiredNodeAffinity(Fields(NameIs("node1"))), Labeled("node2"), false },
        { "Pod with two terms: matchFields does not match, but matchExpressions matches",
            Pod("p").RequiredNodeAffinity(Fields(NameIs("node1")), Term(Expr("foo", "In", "bar"))), Labeled("node2", ("foo", "bar")), true },
        { "Pod with one term: matchFields does not match, but matchExpressions matches",
            Pod("p").RequiredNodeAffinity(FieldsAndTerm(NameIs("node1"), Expr("foo", "In", "bar"))), Labeled("node2", ("foo", "bar")), false },
        { "Pod with one term: both matchFields and matchExpressions match",
            Pod("p").RequiredNodeAffinity(FieldsAndTerm(NameIs("node1"), Expr("foo", "In", "bar"))), Labeled("node1", ("foo", "bar")), true },
        { "Pod with two terms: both matchFields and matchExpressions do not match",
            Pod("p").RequiredNodeAffinity(Fields(NameIs("node1")), Term(Expr("foo", "In", "not-match-to-bar"))), Labeled("node2", ("foo", "bar")), false },
        { "Pod with two terms of node.Name affinity",
            Pod("p").RequiredNodeAffinity(Fields(NameIs("node1")), Fields(NameIs("node2"))), Labeled("node2"), true },
        // ported from upstream component-helpers nodeaffinity_test.go TestNodeSelectorMatch:
        { "node matches field selector, but not labels",
            Pod("p").RequiredNodeAffinity(FieldsAndTerm(NameIs("host_1"), Expr("label_1", "In", "label_1_val"))), Labeled("host_1"), false },
        { "second term matches",
            Pod("p").RequiredNodeAffinity(Term(Expr("label_1", "In", "label_1_val")), Fields(NameIs("host_1"))), Labeled("host_1"), true },
        // Operators at their edges (labels.Selector semantics):
        { "NotIn matches a node without the label", Pod("p").RequiredNodeAffinity(Term(Expr("mem-type", "NotIn", "DDR"))), Labeled("node1"), true },
        { "DoesNotExist matches a node without the label", Pod("p").RequiredNodeAffinity(Term(Expr("GPU", "DoesNotExist"))), Labeled("node1", ("foo", "bar")), true },
        { "DoesNotExist rejects a node with the label", Pod("p").RequiredNodeAffinity(Term(Expr("GPU", "DoesNotExist"))), Labeled("node1", ("GPU", "")), false },
        { "Gt is strict", Pod("p").RequiredNodeAffinity(Term(Expr("cores", "Gt", "8"))), Labeled("node1", ("cores", "8")), false },
        { "Lt compares as integers, not strings", Pod("p").RequiredNodeAffinity(Term(Expr("cores", "Lt", "10"))), Labeled("node1", ("cores", "9")), true },
        { "Gt with a negative bound", Pod("p").RequiredNodeAffinity(Term(Expr("t", "Gt", "-5"))), Labeled("node1", ("t", "-4")), true },
        { "Gt does not match a label that is not an integer", Pod("p").RequiredNodeAffinity(Term(Expr("cores", "Gt", "1"))), Labeled("node1", ("cores", "many")), false },
        { "Gt does not match a node without the label", Pod("p").RequiredNodeAffinity(Term(Expr("cores", "Gt", "1"))), Labeled("node1"), false },
        { "In is case-sensitive", Pod("p").RequiredNodeAffinity(Term(Expr("foo", "In", "Bar"))), Labeled("node1", ("foo", "bar")), false },
        { "NotIn on matchFields", Pod("p").RequiredNodeAffinity(Fields(NameIsNot("node1"))), Labeled("node2"), true },
        { "an empty nodeSelector value must equal the label's empty value", Pod("p").NodeSelector("foo", ""), Labeled("node1", ("foo", "")), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Node_selector_and_required_node_affinity_must_match(string _, PodBuilder pod, NodeBuilder node, bool fits)
    {
        // As upstream's test does, Filter is checked on the node whatever PreFilter's node set says.
        var c = new TestCluster().Nodes(node);
        var filter = new NodeAffinity(c.Interner);
        PodInfo p = c.Pod(pod);
        filter.PreFilter(p, c.State);
        FilterResult r = filter.Filter(p, c.Node(node.Build().Metadata.Name));
        Assert.Equal(fits, r.IsSuccess);
        if (!fits)
        {
            Assert.Equal(new[] { NodeAffinity.Reason }, r.Reasons());
            Assert.True(r.Unresolvable);
        }
    }

    public static TheoryData<string, PodBuilder, string[]?> PreFilterNodeSets => new()
    {
        // ported from upstream node_affinity_test.go TestNodeAffinity's wantPreFilterResult:
        { "Pod with matchFields using In operator that matches the existing node", Pod("p").RequiredNodeAffinity(Fields(NameIs("node1"))), new[] { "node1" } },
        { "Pod with two terms: matchFields does not match, but matchExpressions matches", Pod("p").RequiredNodeAffinity(Fields(NameIs("node1")), Term(Expr("foo", "In", "bar"))), null },
        { "Pod with one term: matchFields does not match, but matchExpressions matches", Pod("p").RequiredNodeAffinity(FieldsAndTerm(NameIs("node1"), Expr("foo", "In", "bar"))), new[] { "node1" } },
        { "Pod with two terms of node.Name affinity", Pod("p").RequiredNodeAffinity(Fields(NameIs("node1")), Fields(NameIs("node2"))), new[] { "node1", "node2" } },
        { "Pod with no Affinity will schedule onto a node", Pod("p").NodeSelector("foo", "bar"), null },
        { "NotIn names no node set", Pod("p").RequiredNodeAffinity(Fields(NameIsNot("node1"))), null },
    };

    [Theory]
    [MemberData(nameof(PreFilterNodeSets))]
    public void PreFilter_narrows_to_the_nodes_named_by_matchFields(string _, PodBuilder pod, string[]? names)
    {
        var c = new TestCluster().Nodes(Labeled("node1"), Labeled("node2"));
        var filter = new NodeAffinity(c.Interner);
        Assert.Null(filter.PreFilter(c.Pod(pod), c.State));
        Assert.Equal(names, filter.PreFilterNodeNames?.OrderBy(n => n, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Conflicting_matchFields_reject_the_pod_in_PreFilter()
    {
        // ported from upstream node_affinity_test.go: "Pod with two conflicting mach field requirements"
        var c = new TestCluster().Nodes(Labeled("node2", ("foo", "bar")));
        var filter = new NodeAffinity(c.Interner);
        PodInfo p = c.Pod(Pod("p").RequiredNodeAffinity(Fields(NameIs("node1"), NameIs("node2"))));
        Assert.Equal("pod affinity terms conflict", filter.PreFilter(p, c.State));
        Assert.Equal(new[] { NodeAffinity.Reason }, filter.Filter(p, c.Node("node2")).Reasons());
    }
}
