using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>spec.nodeSelector AND the required node affinity (terms ORed, expressions ANDed) must match the node.</summary>
public sealed class NodeAffinity : IFilter, IFilterShortcut
{
    public const string Reason = "node(s) didn't match Pod's node affinity/selector";
    public const string ConflictReason = "pod affinity terms conflict";

    private readonly Interner _interner;

    public NodeAffinity(Interner interner) => _interner = interner;

    public FilterPlugin Plugin => FilterPlugin.NodeAffinity;

    public IReadOnlySet<string>? PreFilterNodeNames { get; private set; }

    /// <summary>
    /// When every required term names nodes with matchFields metadata.name In, only those nodes
    /// can fit (the terms' sets ORed, a term's requirements ANDed); upstream filters just them.
    /// </summary>
    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        PreFilterNodeNames = null;
        _none = pod.RequiredNodeAffinity.IsNone;
        NodeSelectorTerm[]? terms = pod.RequiredNodeAffinity.Terms;
        if (terms is null) return null;
        HashSet<string>? names = null;
        foreach (NodeSelectorTerm term in terms)
        {
            HashSet<string>? termNames = null;
            foreach (FieldRequirement f in term.Fields)
            {
                if (f.NotIn) continue;
                var one = new HashSet<string>(StringComparer.Ordinal) { _interner[f.Value] };
                if (termNames is null) termNames = one;
                else termNames.IntersectWith(one);
            }
            // A term without a node-name requirement lets every node through: the terms are ORed.
            if (termNames is null) return null;
            (names ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(termNames);
        }
        if (names is { Count: 0 }) return ConflictReason;
        PreFilterNodeNames = names;
        return null;
    }

    private bool _none;

    bool IFilterShortcut.PassesAll => _none;
    RowCondition? IFilterShortcut.RowCondition => null;

    public FilterResult Filter(PodInfo pod, NodeInfo node) =>
        pod.RequiredNodeAffinity.IsNone || pod.RequiredNodeAffinity.Matches(node, _interner)
            ? FilterResult.Success
            : FilterResult.Fail(Reason, unresolvable: true);
}
