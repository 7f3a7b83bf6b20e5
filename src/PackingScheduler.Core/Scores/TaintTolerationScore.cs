using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Scores;

/// <summary>TaintToleration scoring: fewer untolerated PreferNoSchedule taints is better (reverse-normalized count).</summary>
public sealed class TaintTolerationScore : IScorer, IScoreShortcut
{
    private Toleration[] _preferNoSchedule = Array.Empty<Toleration>();

    public ScorePlugin Plugin => ScorePlugin.TaintToleration;

    public void PreScore(PodInfo pod, ClusterState cluster, ReadOnlySpan<NodeInfo> feasible)
    {
        // Only tolerations that can apply to PreferNoSchedule taints count here.
        var list = new List<Toleration>();
        foreach (Toleration t in pod.Tolerations)
        {
            if (t.Effect is TaintEffect.None or TaintEffect.PreferNoSchedule) list.Add(t);
        }
        _preferNoSchedule = list.ToArray();
    }

    bool IScoreShortcut.AllZero => false;

    /// <summary>For the engine's fused scoring: this cycle's raw scores are the rows' PreferNoSchedule counts.</summary>
    internal bool ScoresRows => _preferNoSchedule.Length == 0;

    /// <summary>A pod that tolerates no PreferNoSchedule taint scores each node's count of them.</summary>
    bool IScoreShortcut.TryScoreRows(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> nodeIndex, Span<long> into)
    {
        if (_preferNoSchedule.Length > 0) return false;
        for (int j = 0; j < into.Length; j++) into[j] = rows[nodeIndex[j]].PreferNoScheduleTaints;
        return true;
    }

    public long Score(PodInfo pod, NodeInfo node)
    {
        long count = 0;
        Taint[] taints = node.Taints;
        for (int i = 0; i < taints.Length; i++)
        {
            if (taints[i].Effect == TaintEffect.PreferNoSchedule && !Toleration.AnyTolerates(_preferNoSchedule, taints[i])) count++;
        }
        return count;
    }

    public void Normalize(Span<long> scores) => ScoreNormalization.Default(scores, reverse: true);
}
