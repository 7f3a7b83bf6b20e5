using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Predicates;

namespace PackingScheduler.Core.Scores;

/// <summary>
/// InterPodAffinity scoring: per topology domain, the incoming pod's preferred (anti-)affinity
/// towards the pods there, plus those pods' required affinity (hardPodAffinityWeight) and
/// preferred (anti-)affinity towards the incoming pod; a node scores the sum over its domains,
/// normalized over the feasible nodes to 0..100 as upstream does (in float64, truncated).
/// </summary>
public sealed class InterPodAffinityScore : IScorer, IScoreShortcut
{
    private readonly Interner _interner;
    private readonly int _hardPodAffinityWeight;
    private readonly bool _ignorePreferredTermsOfExistingPods;
    private readonly Dictionary<long, long> _topologyScore = new();
    private readonly List<int> _topologyKeys = new();
    private IncomingTerm[] _preferredAffinity = Array.Empty<IncomingTerm>();
    private IncomingTerm[] _preferredAntiAffinity = Array.Empty<IncomingTerm>();
    private bool _skip;

    public InterPodAffinityScore(Interner interner, int hardPodAffinityWeight, bool ignorePreferredTermsOfExistingPods)
    {
        _interner = interner;
        _hardPodAffinityWeight = hardPodAffinityWeight;
        _ignorePreferredTermsOfExistingPods = ignorePreferredTermsOfExistingPods;
    }

    public ScorePlugin Plugin => ScorePlugin.InterPodAffinity;

    public void PreScore(PodInfo pod, ClusterState cluster, ReadOnlySpan<NodeInfo> feasible)
    {
        _topologyScore.Clear();
        _topologyKeys.Clear();
        bool hasConstraints = pod.PreferredAffinityTerms.Length > 0 || pod.PreferredAntiAffinityTerms.Length > 0;
        _skip = _ignorePreferredTermsOfExistingPods && !hasConstraints;
        // No preferred terms of its own and no pod anywhere with terms: every domain scores 0.
        if (_skip || (!hasConstraints && cluster.PodsWithAffinityCount == 0)) return;
        _preferredAffinity = IncomingTerm.Resolve(pod.PreferredAffinityTerms, cluster);
        _preferredAntiAffinity = IncomingTerm.Resolve(pod.PreferredAntiAffinityTerms, cluster);
        LabelSet podNamespaceLabels = cluster.NamespaceLabels(pod.Namespace);
        PodAffinityIndex index = cluster.AffinityIndex;

        // The incoming pod's preferred terms against the pods they can select (all nodes, not
        // only the feasible ones: a domain counts pods wherever they run).
        foreach (IncomingTerm t in _preferredAffinity) AddIncoming(cluster, index, t, t.Weight);
        foreach (IncomingTerm t in _preferredAntiAffinity) AddIncoming(cluster, index, t, -t.Weight);

        // The existing pods' terms that select the incoming pod, counted per domain as pods come and go.
        if (_hardPodAffinityWeight > 0)
            index.RequiredAffinity.AddMatching(pod, podNamespaceLabels, _interner, _topologyScore, perTerm: _hardPodAffinityWeight, perWeight: 0, _topologyKeys);
        index.PreferredAffinity.AddMatching(pod, podNamespaceLabels, _interner, _topologyScore, perTerm: 0, perWeight: 1, _topologyKeys);
        index.PreferredAntiAffinity.AddMatching(pod, podNamespaceLabels, _interner, _topologyScore, perTerm: 0, perWeight: -1, _topologyKeys);
    }

    private void AddIncoming(ClusterState cluster, PodAffinityIndex index, in IncomingTerm t, long weight)
    {
        if (index.TryGetAnchor(t.Term.Selector, out SelectorRequirement anchor, out _))
        {
            foreach (int value in anchor.Values)
            {
                if (index.PodsWithLabel(anchor.Key, value) is not { } bucket) continue;
                foreach (KeyValuePair<PodInfo, NodeInfo> e in bucket)
                {
                    if (t.Matches(e.Key, _interner)) Add(e.Value, t.TopologyKey, weight);
                }
            }
            return;
        }
        ReadOnlySpan<NodeInfo> nodes = cluster.NodeSpan;
        for (int n = 0; n < nodes.Length; n++)
        {
            NodeInfo node = nodes[n];
            if (node.Labels.Count == 0) continue;
            IReadOnlyList<PodInfo> pods = node.Pods;
            for (int p = 0; p < pods.Count; p++)
            {
                if (t.Matches(pods[p], _interner)) Add(node, t.TopologyKey, weight);
            }
        }
    }

    private void Add(NodeInfo node, int topologyKey, long weight)
    {
        if (!node.Labels.TryGetValue(topologyKey, out int value)) return;
        long pair = TopologyPair.Of(topologyKey, value);
        _topologyScore.TryGetValue(pair, out long current);
        _topologyScore[pair] = current + weight;
        if (!_topologyKeys.Contains(topologyKey)) _topologyKeys.Add(topologyKey);
    }

    bool IScoreShortcut.AllZero => _skip || _topologyKeys.Count == 0;

    bool IScoreShortcut.TryScoreRows(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> nodeIndex, Span<long> into) => false;

    public long Score(PodInfo pod, NodeInfo node)
    {
        if (_skip) return 0;
        long score = 0;
        for (int i = 0; i < _topologyKeys.Count; i++)
        {
            int key = _topologyKeys[i];
            if (node.Labels.TryGetValue(key, out int v) && _topologyScore.TryGetValue(TopologyPair.Of(key, v), out long s)) score += s;
        }
        return score;
    }

    public void Normalize(Span<long> scores)
    {
        if (_skip || _topologyKeys.Count == 0) return;
        long min = long.MaxValue, max = long.MinValue;
        for (int i = 0; i < scores.Length; i++)
        {
            if (scores[i] > max) max = scores[i];
            if (scores[i] < min) min = scores[i];
        }
        long diff = max - min;
        for (int i = 0; i < scores.Length; i++)
        {
            double f = 0;
            if (diff > 0) f = ScoreNormalization.MaxNodeScore * ((double)(scores[i] - min) / diff);
            scores[i] = (long)f;
        }
    }
}
