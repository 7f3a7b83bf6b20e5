using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Predicates;

namespace PackingScheduler.Core.Tests.Support.Reference;

/// <summary>The scan-every-pod implementation before the incremental index, kept as the reference.</summary>
public sealed class ReferenceInterPodAffinity : IFilter
{
    public const string AffinityReason = "node(s) didn't match pod affinity rules";
    public const string AntiAffinityReason = "node(s) didn't match pod anti-affinity rules";
    public const string ExistingAntiAffinityReason = "node(s) didn't satisfy existing pods anti-affinity rules";

    private readonly Interner _interner;
    private readonly Dictionary<long, long> _existingAntiAffinity = new();
    private readonly Dictionary<long, long> _affinity = new();
    private readonly Dictionary<long, long> _antiAffinity = new();
    private IncomingTerm[] _requiredAffinity = Array.Empty<IncomingTerm>();
    private IncomingTerm[] _requiredAntiAffinity = Array.Empty<IncomingTerm>();
    private bool _podMatchesOwnAffinity;

    public ReferenceInterPodAffinity(Interner interner) => _interner = interner;

    public FilterPlugin Plugin => FilterPlugin.InterPodAffinity;

    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        _existingAntiAffinity.Clear();
        _affinity.Clear();
        _antiAffinity.Clear();
        _requiredAffinity = IncomingTerm.Resolve(pod.RequiredAffinityTerms, cluster);
        _requiredAntiAffinity = IncomingTerm.Resolve(pod.RequiredAntiAffinityTerms, cluster);
        _podMatchesOwnAffinity = IncomingTerm.AllMatch(_requiredAffinity, pod, _interner);

        LabelSet podNamespaceLabels = cluster.NamespaceLabels(pod.Namespace);
        bool incoming = _requiredAffinity.Length > 0 || _requiredAntiAffinity.Length > 0;
        // Nothing to count anywhere: the common case of pilots without affinity.
        if (!incoming && cluster.PodsWithRequiredAntiAffinityCount == 0) return null;
        IReadOnlyList<NodeInfo> nodes = cluster.Nodes;
        for (int n = 0; n < nodes.Count; n++)
        {
            NodeInfo node = nodes[n];
            // Existing pods' required anti-affinity terms that the incoming pod matches.
            IReadOnlyList<PodInfo> anti = node.PodsWithRequiredAntiAffinity;
            for (int p = 0; p < anti.Count; p++)
            {
                foreach (AffinityTerm t in anti[p].RequiredAntiAffinityTerms)
                {
                    if (t.Matches(pod, podNamespaceLabels, _interner) && node.Labels.TryGetValue(t.TopologyKey, out int v))
                        TopologyPair.Add(_existingAntiAffinity, t.TopologyKey, v, 1);
                }
            }
            if (!incoming) continue;
            IReadOnlyList<PodInfo> pods = node.Pods;
            for (int p = 0; p < pods.Count; p++)
            {
                PodInfo existing = pods[p];
                // Affinity counts only pods that match all the terms.
                if (IncomingTerm.AllMatch(_requiredAffinity, existing, _interner))
                {
                    foreach (IncomingTerm t in _requiredAffinity)
                    {
                        if (node.Labels.TryGetValue(t.TopologyKey, out int v)) TopologyPair.Add(_affinity, t.TopologyKey, v, 1);
                    }
                }
                foreach (IncomingTerm t in _requiredAntiAffinity)
                {
                    if (t.Matches(existing, _interner) && node.Labels.TryGetValue(t.TopologyKey, out int v))
                        TopologyPair.Add(_antiAffinity, t.TopologyKey, v, 1);
                }
            }
        }
        return null;
    }

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
        ReadOnlySpan<int> keys = node.Labels.Keys;
        ReadOnlySpan<int> values = node.Labels.Values;
        for (int i = 0; i < keys.Length; i++)
        {
            if (_existingAntiAffinity.TryGetValue(TopologyPair.Of(keys[i], values[i]), out long c) && c > 0) return false;
        }
        return true;
    }
}
