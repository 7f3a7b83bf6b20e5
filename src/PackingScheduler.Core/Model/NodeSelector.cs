namespace PackingScheduler.Core.Model;

/// <summary>A node selector term: label expressions ANDed with metadata.name field requirements.</summary>
public sealed class NodeSelectorTerm
{
    public NodeSelectorTerm(SelectorRequirement[] expressions, FieldRequirement[] fields)
    {
        Expressions = expressions;
        Fields = fields;
    }

    public SelectorRequirement[] Expressions { get; }
    public FieldRequirement[] Fields { get; }

    /// <summary>A term with neither expressions nor fields selects no node (upstream skips it).</summary>
    public bool IsEmpty => Expressions.Length == 0 && Fields.Length == 0;

    public bool Matches(NodeInfo node, Interner interner)
    {
        if (IsEmpty) return false;
        for (int i = 0; i < Expressions.Length; i++)
        {
            if (!Expressions[i].Matches(node.Labels, interner)) return false;
        }
        for (int i = 0; i < Fields.Length; i++)
        {
            FieldRequirement f = Fields[i];
            bool equal = node.NameId == f.Value;
            if (f.NotIn ? equal : !equal) return false;
        }
        return true;
    }
}

/// <summary>matchFields on metadata.name, the only node field upstream supports: In or NotIn, one value.</summary>
public readonly record struct FieldRequirement(int Value, bool NotIn);

/// <summary>A preferred scheduling term with its weight (1-100).</summary>
public readonly record struct WeightedNodeSelectorTerm(int Weight, NodeSelectorTerm Term);

/// <summary>
/// What a pod requires of a node's labels: spec.nodeSelector AND the required node affinity
/// (its terms ORed). Compiled once per pod.
/// </summary>
public sealed class RequiredNodeAffinity
{
    public static readonly RequiredNodeAffinity None = new(Array.Empty<(int, int)>(), null);

    public RequiredNodeAffinity((int Key, int Value)[] nodeSelector, NodeSelectorTerm[]? terms)
    {
        NodeSelector = nodeSelector;
        Terms = terms;
    }

    public (int Key, int Value)[] NodeSelector { get; }

    /// <summary>Null when the pod has no required node affinity; an empty array matches no node.</summary>
    public NodeSelectorTerm[]? Terms { get; }

    public bool IsNone => NodeSelector.Length == 0 && Terms is null;

    public bool Matches(NodeInfo node, Interner interner)
    {
        for (int i = 0; i < NodeSelector.Length; i++)
        {
            if (!node.Labels.TryGetValue(NodeSelector[i].Key, out int v) || v != NodeSelector[i].Value) return false;
        }
        if (Terms is null) return true;
        for (int i = 0; i < Terms.Length; i++)
        {
            if (Terms[i].Matches(node, interner)) return true;
        }
        return false;
    }
}
