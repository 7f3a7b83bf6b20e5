using k8s.Models;

namespace PackingScheduler.Core.Tests.Support;

/// <summary>Pod (anti-)affinity terms, as upstream's MakePod().PodAffinityIn(...) helpers build them.</summary>
public static class PodTerms
{
    public static V1PodAffinityTerm In(string key, string topologyKey, params string[] values) =>
        Term(topologyKey, Requirement(key, "In", values));

    public static V1PodAffinityTerm NotIn(string key, string topologyKey, params string[] values) =>
        Term(topologyKey, Requirement(key, "NotIn", values));

    public static V1PodAffinityTerm Exists(string key, string topologyKey) =>
        Term(topologyKey, Requirement(key, "Exists"));

    /// <summary>A term whose label selector ANDs the given requirements.</summary>
    public static V1PodAffinityTerm Term(string topologyKey, params V1LabelSelectorRequirement[] requirements) => new()
    {
        TopologyKey = topologyKey,
        LabelSelector = new V1LabelSelector { MatchExpressions = requirements.ToList() },
    };

    public static V1LabelSelectorRequirement Requirement(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values.ToList() };

    public static V1PodAffinityTerm InNamespaces(this V1PodAffinityTerm term, params string[] namespaces)
    {
        term.Namespaces = namespaces.ToList();
        return term;
    }

    /// <summary>namespaceSelector with matchExpressions key In values; no arguments gives the empty selector {} (all namespaces).</summary>
    public static V1PodAffinityTerm WithNamespaceSelector(this V1PodAffinityTerm term, string? key = null, params string[] values)
    {
        term.NamespaceSelector = key is null
            ? new V1LabelSelector()
            : new V1LabelSelector { MatchExpressions = new List<V1LabelSelectorRequirement> { Requirement(key, "In", values) } };
        return term;
    }
}

/// <summary>Node selector terms for node affinity.</summary>
public static class NodeTerms
{
    /// <summary>A term ANDing the given requirements.</summary>
    public static V1NodeSelectorTerm Term(params V1NodeSelectorRequirement[] expressions) =>
        new() { MatchExpressions = expressions.ToList() };

    public static V1NodeSelectorTerm Fields(params V1NodeSelectorRequirement[] fields) =>
        new() { MatchFields = fields.ToList() };

    public static V1NodeSelectorRequirement Expr(string key, string op, params string[] values) =>
        new() { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values.ToList() };

    /// <summary>One term with both a matchFields and matchExpressions part (ANDed).</summary>
    public static V1NodeSelectorTerm FieldsAndTerm(V1NodeSelectorRequirement field, params V1NodeSelectorRequirement[] expressions) =>
        new() { MatchFields = new List<V1NodeSelectorRequirement> { field }, MatchExpressions = expressions.ToList() };

    public static V1NodeSelectorRequirement NameIs(string nodeName) =>
        new() { Key = "metadata.name", OperatorProperty = "In", Values = new List<string> { nodeName } };

    public static V1NodeSelectorRequirement NameIsNot(string nodeName) =>
        new() { Key = "metadata.name", OperatorProperty = "NotIn", Values = new List<string> { nodeName } };
}
