using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>A cordoned node (spec.unschedulable) takes only pods that tolerate node.kubernetes.io/unschedulable:NoSchedule.</summary>
public sealed class NodeUnschedulable : IFilter, IFilterShortcut
{
    public const string Reason = "node(s) were unschedulable";

    private readonly Taint _unschedulableTaint;

    public NodeUnschedulable(Interner interner) =>
        _unschedulableTaint = new Taint(interner.Intern("node.kubernetes.io/unschedulable"), interner.Intern(string.Empty), TaintEffect.NoSchedule);

    public FilterPlugin Plugin => FilterPlugin.NodeUnschedulable;

    private bool _tolerates;

    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        _tolerates = Toleration.AnyTolerates(pod.Tolerations, _unschedulableTaint);
        return null;
    }

    bool IFilterShortcut.PassesAll => _tolerates;
    RowCondition? IFilterShortcut.RowCondition => new RowCondition(Schedulable: true, false, false, 0, 0);

    public FilterResult Filter(PodInfo pod, NodeInfo node)
    {
        if (!node.Unschedulable || Toleration.AnyTolerates(pod.Tolerations, _unschedulableTaint)) return FilterResult.Success;
        return FilterResult.Fail(Reason, unresolvable: true);
    }
}
