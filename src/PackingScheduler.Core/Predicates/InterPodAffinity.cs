using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>
/// Required pod affinity and anti-affinity of the incoming pod, and required anti-affinity of
/// the pods already running. PreFilter counts matching pods per topology domain once; Filter
/// then looks up the node's domains instead of scanning pods.
/// </summary>
public sealed class InterPodAffinity : IFilter, IFilterShortcut
{
    public const string AffinityReason = "node(s) didn't match pod affinity rules";
    public const string AntiAffinityReason = "node(s) didn't match pod anti-affinity rules";
    public const string ExistingAntiAffinityReason = "node(s) didn't satisfy existing pods anti-affinity rules";

    private readonly Interner _interner;
    private readonly Dictionary<long, long> _existingAntiAffinity = new();
    private readonly Dictionary<long, long> _affinity = new();
    private readonly Dictionary<long, long> _antiAffinity = new();
    private readonly List<int> _existingKeys = new();
    private IncomingTerm[] _requiredAffinity = Array.Empty<IncomingTerm>();
    private IncomingTerm[] _requiredAntiAffinity = Array.Empty<IncomingTerm>();
    private bool _podMatchesOwnAffinity;

    public InterPodAffinity(Interner interner) => _interner = interner;

    public FilterPlugin Plugin => FilterPlugin.InterPodAffinity;

    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        _existingAntiAffinity.Clear();
        _existingKeys.Clear();
        _affinity.Clear();
        _antiAffinity.Clear();
        _requiredAffinity = IncomingTerm.Resolve(pod.RequiredAffinityTerms, cluster);
        _requiredAntiAffinity = IncomingTerm.Resolve(pod.RequiredAntiAffinityTerms, cluster);
        _podMatchesOwnAffinity = IncomingTerm.AllMatch(_requiredAffinity, pod, _interner);

        LabelSet podNamespaceLabels = cluster.NamespaceLabels(pod.Namespace);
        bool incoming = _requiredAffinity.Length > 0 || _requiredAntiAffinity.Length > 0;
        // Nothing to count anywhere: the common case of pilots without affinity.
        if (!incoming && cluster.PodsWithRequiredAntiAffinityCount == 0) return null;
        PodAffinityIndex index = cluster.AffinityIndex;

        // Existing pods' required anti-affinity terms that the incoming pod matches, per domain.
        index.RequiredAntiAffinity.AddMatching(pod, podNamespaceLabels, _interner, _existingAntiAffinity, perTerm: 1, perWeight: 0);
        DropZeros(_existingAntiAffinity);
        _existingKeys.Clear();
        foreach (long pair in _existingAntiAffinity.Keys)
        {
            int key = (int)(pair >> 32);
            if (!_existingKeys.Contains(key)) _existingKeys.Add(key);
        }
        if (!incoming) return null;

        // Affinity counts only the pods that match all the terms: candidates from the narrowest term.
        if (_requiredAffinity.Length > 0)
        {
            int best = -1, fewest = int.MaxValue;
            SelectorRequirement anchor = default;
            for (int t = 0; t < _requiredAffinity.Length; t++)
            {
                if (index.TryGetAnchor(_requiredAffinity[t].Term.Selector, out SelectorRequirement a, out int n) && n < fewest)
                {
                    best = t;
                    fewest = n;
                    anchor = a;
                }
            }
            if (best >= 0)
            {
                foreach (int value in anchor.Values)
                {
                    if (index.PodsWithLabel(anchor.Key, value) is not { } bucket) continue;
                    foreach (KeyValuePair<PodInfo, NodeInfo> e in bucket) CountAffinity(e.Key, e.Value);
                }
            }
            else
            {
                ReadOnlySpan<NodeInfo> nodes = cluster.NodeSpan;
                for (int n = 0; n < nodes.Length; n++)
                {
                    IReadOnlyList<PodInfo> pods = nodes[n].Pods;
                    for (int p = 0; p < pods.Count; p++) CountAffinity(pods[p], nodes[n]);
                }
            }
        }
        foreach (IncomingTerm t in _requiredAntiAffinity)
        {
            if (index.TryGetAnchor(t.Term.Selector, out SelectorRequirement anchor, out _))
            {
                foreach (int value in anchor.Values)
                {
                    if (index.PodsWithLabel(anchor.Key, value) is not { } bucket) continue;
                    foreach (KeyValuePair<PodInfo, NodeInfo> e in bucket) CountAntiAffinity(t, e.Key, e.Value);
                }
            }
            else
            {
                ReadOnlySpan<NodeInfo> nodes = cluster.NodeSpan;
                for (int n = 0; n < nodes.Length; n++)
                {
                    IReadOnlyList<PodInfo> pods = nodes[n].Pods;
                    for (int p = 0; p < pods.Count; p++) CountAntiAffinity(t, pods[p], nodes[n]);
                }
            }
        }
        return null;
    }

    private void CountAffinity(PodInfo existing, NodeInfo node)
    {
        if (!IncomingTerm.AllMatch(_requiredAffinity, existing, _interner)) return;
        foreach (IncomingTerm t in _requiredAffinity)
        {
            if (node.Labels.TryGetValue(t.TopologyKey, out int v)) TopologyPair.Add(_affinity, t.TopologyKey, v, 1);
        }
    }

    private void CountAntiAffinity(in IncomingTerm t, PodInfo existing, NodeInfo node)
    {
        if (t.Matches(existing, _interner) && node.Labels.TryGetValue(t.TopologyKey, out int v))
            TopologyPair.Add(_antiAffinity, t.TopologyKey, v, 1);
    }

    private static void DropZeros(Dictionary<long, long> counts)
    {
        foreach (KeyValuePair<long, long> kv in counts)
        {
            if (kv.Value == 0) counts.Remove(kv.Key);
        }
    }

    // No terms of its own and no existing pod's anti-affinity selects it: every node passes.
    bool IFilterShortcut.PassesAll =>
        _requiredAffinity.Length == 0 && _requiredAntiAffinity.Length == 0 && _antiAffinity.Count == 0 && _existingAntiAffinity.Count == 0;

    RowCondition? IFilterShortcut.RowCondition => null;

    public FilterResult Filter(PodInfo pod, NodeInfo node)
    {
        if (!SatisfiesPodAffinity(node)) return FilterResult.Fail(AffinityReason, unresolvable: true);
        if (!SatisfiesPodAntiAffinity(node)) return FilterResult.Fail(AntiAffinityReason);
        if (!SatisfiesExistingPodsAntiAffinity(node)) return FilterResult.Fail(ExistingAntiAffinityReason);
        return FilterResult.Success;
    }

    private bool SatisfiesPodAffinity(NodeInfo node)
    {
        bool podsExist = true;
        foreach (IncomingTerm t in _requiredAffinity)
        {
            // Every topology key must exist on the node.
            if (!node.Labels.TryGetValue(t.TopologyKey, out int v)) return false;
            if (!_affinity.TryGetValue(TopologyPair.Of(t.TopologyKey, v), out long c) || c <= 0) podsExist = false;
        }
        if (podsExist) return true;
        // The first pod of a group that is affine to itself: no pod anywhere matches yet, and the
        // pod matches its own terms, so let it start the group.
        return _affinity.Count == 0 && _podMatchesOwnAffinity;
    }

    private bool SatisfiesPodAntiAffinity(NodeInfo node)
    {
        if (_antiAffinity.Count == 0) return true;
        foreach (IncomingTerm t in _requiredAntiAffinity)
        {
            if (node.Labels.TryGetValue(t.TopologyKey, out int v) &&
                _antiAffinity.TryGetValue(TopologyPair.Of(t.TopologyKey, v), out long c) && c > 0)
                return false;
        }
        return true;
    }

    private bool SatisfiesExistingPodsAntiAffinity(NodeInfo node)
    {
        if (_existingAntiAffinity.Count == 0) return true;
        // Only the topology keys some counted term uses can match one of the node's labels.
        for (int i = 0; i < _existingKeys.Count; i++)
        {
            int key = _existingKeys[i];
            if (node.Labels.TryGetValue(key, out int v) && _existingAntiAffinity.TryGetValue(TopologyPair.Of(key, v), out long c) && c > 0)
                return false;
        }
        return true;
    }
}
