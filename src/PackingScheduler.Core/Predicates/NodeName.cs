using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>A pod that names a node (spec.nodeName) fits only that node.</summary>
public sealed class NodeName : IFilter, IFilterShortcut
{
    public const string Reason = "node(s) didn't match the requested node name";

    public FilterPlugin Plugin => FilterPlugin.NodeName;

    private bool _any;

    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        _any = pod.NodeName is null;
        return null;
    }

    bool IFilterShortcut.PassesAll => _any;
    RowCondition? IFilterShortcut.RowCondition => null;

    public FilterResult Filter(PodInfo pod, NodeInfo node) =>
        pod.NodeName is null || string.Equals(pod.NodeName, node.Name, StringComparison.Ordinal)
            ? FilterResult.Success
            : FilterResult.Fail(Reason, unresolvable: true);
}
