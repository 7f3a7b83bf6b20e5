using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Scores;

/// <summary>NodeAffinity scoring: the sum of the weights of the preferred terms the node matches, scaled by the best node.</summary>
public sealed class NodeAffinityScore : IScorer, IScoreShortcut
{
    private readonly Interner _interner;

    public NodeAffinityScore(Interner interner) => _interner = interner;

    public ScorePlugin Plugin => ScorePlugin.NodeAffinity;

    private bool _noPreferences;

    public void PreScore(PodInfo pod, ClusterState cluster, ReadOnlySpan<NodeInfo> feasible) =>
        _noPreferences = pod.PreferredNodeAffinity.Length == 0;

    bool IScoreShortcut.AllZero => _noPreferences;

    bool IScoreShortcut.TryScoreRows(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> nodeIndex, Span<long> into) => false;

    public long Score(PodInfo pod, NodeInfo node)
    {
        long sum = 0;
        WeightedNodeSelectorTerm[] terms = pod.PreferredNodeAffinity;
        for (int i = 0; i < terms.Length; i++)
        {
            if (terms[i].Term.Matches(node, _interner)) sum += terms[i].Weight;
        }
        return sum;
    }

    public void Normalize(Span<long> scores) => ScoreNormalization.Default(scores, reverse: false);
}
