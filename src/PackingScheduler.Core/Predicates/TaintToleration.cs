using System.Collections.Concurrent;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>
/// A node's NoSchedule and NoExecute taints must each be tolerated. The first untolerated taint,
/// in the node's order, is named in the reason, as upstream does.
/// </summary>
public sealed class TaintToleration : IFilter, IFilterShortcut
{
    private readonly Interner _interner;

    // Reasons are built once per distinct taint, not per rejected node.
    private readonly ConcurrentDictionary<(int, int), string> _reasons = new();

    public TaintToleration(Interner interner) => _interner = interner;

    public FilterPlugin Plugin => FilterPlugin.TaintToleration;

    public string? PreFilter(PodInfo pod, ClusterState cluster) => null;

    bool IFilterShortcut.PassesAll => false;
    // A node without NoSchedule/NoExecute taints passes whatever the pod tolerates.
    RowCondition? IFilterShortcut.RowCondition => new RowCondition(false, NoTaints: true, false, 0, 0);

    public FilterResult Filter(PodInfo pod, NodeInfo node)
    {
        Taint[] taints = node.Taints;
        for (int i = 0; i < taints.Length; i++)
        {
            ref readonly Taint t = ref taints[i];
            if (t.Effect is not (TaintEffect.NoSchedule or TaintEffect.NoExecute)) continue;
            if (!Toleration.AnyTolerates(pod.Tolerations, t))
                return FilterResult.Fail(ReasonFor(t), unresolvable: true);
        }
        return FilterResult.Success;
    }

    private string ReasonFor(in Taint t) =>
        _reasons.GetOrAdd((t.Key, t.Value), static (kv, interner) => $"node(s) had untolerated taint {{{interner[kv.Item1]}: {interner[kv.Item2]}}}", _interner);
}
