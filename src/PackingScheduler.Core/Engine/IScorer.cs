using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Engine;

/// <summary>
/// A priority (upstream: a Score plugin with its PreScore and NormalizeScore). Scores are
/// integers in 0..100 after normalization, as upstream's MaxNodeScore.
/// </summary>
public interface IScorer
{
    ScorePlugin Plugin { get; }

    /// <summary>Per-cycle precomputation over the feasible nodes (and, where upstream does, all nodes).</summary>
    void PreScore(PodInfo pod, ClusterState cluster, ReadOnlySpan<NodeInfo> feasible);

    long Score(PodInfo pod, NodeInfo node);

    /// <summary>Rescales the raw scores of the feasible nodes in place.</summary>
    void Normalize(Span<long> scores);
}
