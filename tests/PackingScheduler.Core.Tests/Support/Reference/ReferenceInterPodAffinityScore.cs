using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Scores;

namespace PackingScheduler.Core.Tests.Support.Reference;

/// <summary>The scan-every-pod implementation before the incremental index, kept as the reference.</summary>
public sealed class ReferenceInterPodAffinityScore : IScorer
{
    private readonly Interner _interner;
    private readonly int _hardPodAffinityWeight;
    private readonly bool _ignorePreferredTermsOfExistingPods;
    private readonly Dictionary<long, long> _topologyScore = new();
    private readonly List<int> _topologyKeys = new();
    private IncomingTerm[] _preferredAffinity = Array.Empty<IncomingTerm>();
    private IncomingTerm[] _preferredAntiAffinity = Array.Empty<IncomingTerm>();
    private bool _skip;

    public ReferenceInterPodAffinityScore(Interner interner, int hardPodAffinityWeight, bool ignorePreferredTermsOfExistingPods)
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

        // All nodes, not only the feasible ones: a domain counts pods wherever they run.
        IReadOnlyList<NodeInfo> nodes = cluster.Nodes;
        for (int n = 0; n < nodes.Count; n++)
        {
            NodeInfo node = nodes[n];
            if (node.Labels.Count == 0) continue;
            // Without preferred terms of its own, only pods that have affinity terms can contribute.
            IReadOnlyList<PodInfo> pods = hasConstraints ? node.Pods : node.PodsWithAffinity;
            for (int p = 0; p < pods.Count; p++) ProcessExistingPod(pod, podNamespaceLabels, pods[p], node);
        }
    }

    private void ProcessExistingPod(PodInfo pod, LabelSet podNamespaceLabels, PodInfo existing, NodeInfo node)
    {
        foreach (IncomingTerm t in _preferredAffinity)
        {
            if (t.Matches(existing, _interner)) Add(node, t.TopologyKey, t.Weight);
        }
        foreach (IncomingTerm t in _preferredAntiAffinity)
        {
            if (t.Matches(existing, _interner)) Add(node, t.TopologyKey, -t.Weight);
        }
        if (_hardPodAffinityWeight > 0)
        {
            foreach (AffinityTerm t in existing.RequiredAffinityTerms)
            {
                if (t.Matches(pod, podNamespaceLabels, _interner)) Add(node, t.TopologyKey, _hardPodAffinityWeight);
            }
        }
        foreach (AffinityTerm t in existing.PreferredAffinityTerms)
        {
            if (t.Matches(pod, podNamespaceLabels, _interner)) Add(node, t.TopologyKey, t.Weight);
        }
        foreach (AffinityTerm t in existing.PreferredAntiAffinityTerms)
        {
            if (t.Matches(pod, podNamespaceLabels, _interner)) Add(node, t.TopologyKey, -t.Weight);
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
