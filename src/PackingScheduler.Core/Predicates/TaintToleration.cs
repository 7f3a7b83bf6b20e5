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

    // Reasons are built once per distinct taint, not per rejected node: a dictionary that is
    // replaced, never changed, once published, so that concurrent Filter calls read it without a lock.
    private volatile Dictionary<long, string> _reasons = new();
    private readonly object _reasonsLock = new();

    public TaintToleration(Interner interner) => _interner = interner;

    public FilterPlugin Plugin => FilterPlugin.TaintToleration;

    // This cycle's verdict per distinct taint list of the cluster (NodeRow.TaintSet).
    private FilterResult[] _bySet = Array.Empty<FilterResult>();
    private int _sets;

    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        IReadOnlyList<Taint[]> sets = cluster.TaintSets;
        if (_bySet.Length < sets.Count) _bySet = new FilterResult[Math.Max(sets.Count, 2 * _bySet.Length)];
        for (int s = 0; s < sets.Count; s++) _bySet[s] = Check(pod, sets[s]);
        _sets = sets.Count;
        return null;
    }

    bool IFilterShortcut.TryFilterRow(in NodeRow row, out FilterResult result)
    {
        // A taint list that appeared after PreFilter: Filter decides.
        if ((uint)row.TaintSet >= (uint)_sets)
        {
            result = default;
            return false;
        }
        result = _bySet[row.TaintSet];
        return true;
    }

    bool IFilterShortcut.PassesAll => false;
    // A node without NoSchedule/NoExecute taints passes whatever the pod tolerates.
    RowCondition? IFilterShortcut.RowCondition => new RowCondition(false, NoTaints: true, false, 0, 0);

    public FilterResult Filter(PodInfo pod, NodeInfo node) => Check(pod, node.Taints);

    private FilterResult Check(PodInfo pod, Taint[] taints)
    {
        for (int i = 0; i < taints.Length; i++)
        {
            ref readonly Taint t = ref taints[i];
            if (t.Effect is not (TaintEffect.NoSchedule or TaintEffect.NoExecute)) continue;
            if (!Toleration.AnyTolerates(pod.Tolerations, t))
                return FilterResult.Fail(ReasonFor(t), unresolvable: true);
        }
        return FilterResult.Success;
    }

    private string ReasonFor(in Taint t)
    {
        long key = ((long)t.Key << 32) | (uint)t.Value;
        if (_reasons.TryGetValue(key, out string? reason)) return reason;
        lock (_reasonsLock)
        {
            if (_reasons.TryGetValue(key, out reason)) return reason;
            reason = $"node(s) had untolerated taint {{{_interner[t.Key]}: {_interner[t.Value]}}}";
            _reasons = new Dictionary<long, string>(_reasons) { [key] = reason };
            return reason;
        }
    }
}
