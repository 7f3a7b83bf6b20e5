using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>spec.nodeSelector AND the required node affinity (terms ORed, expressions ANDed) must match the node.</summary>
public sealed class NodeAffinity : IFilter
{
    public const string Reason = "node(s) didn't match Pod's node affinity/selector";

    private readonly Interner _interner;

    public NodeAffinity(Interner interner) => _interner = interner;

    public FilterPlugin Plugin => FilterPlugin.NodeAffinity;

    public string? PreFilter(PodInfo pod, ClusterState cluster) => null;

    public FilterResult Filter(PodInfo pod, NodeInfo node) =>
        pod.RequiredNodeAffinity.IsNone || pod.RequiredNodeAffinity.Matches(node, _interner)
            ? FilterResult.Success
            : FilterResult.Fail(Reason, unresolvable: true);
}
