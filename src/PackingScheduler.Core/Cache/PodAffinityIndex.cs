using System.Runtime.InteropServices;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Predicates;

namespace PackingScheduler.Core.Cache;

/// <summary>
/// Incremental indexes over the pods attached to a present node, kept by <see cref="ClusterState"/>
/// as pods and nodes come and go, so that the InterPodAffinity PreFilter and PreScore of an
/// incoming pod cost O(terms × matching pods or domains) instead of a scan of every running pod:
/// <list type="bullet">
/// <item>pods by label (key=value), with the node each runs on, for the incoming pod's own terms;</item>
/// <item>the existing pods' terms by kind (required affinity, required anti-affinity, preferred
/// affinity, preferred anti-affinity), structurally identical terms grouped, each group with its
/// count and summed weight per topology domain, for the terms that select the incoming pod.</item>
/// </list>
/// Matching is still evaluated at query time (namespace labels can change), only the candidates
/// are narrowed: a term whose selector has an <c>In</c> requirement (matchLabels compile to one)
/// can only select pods carrying one of its values.
/// </summary>
public sealed class PodAffinityIndex
{
    private readonly Dictionary<long, Dictionary<PodInfo, NodeInfo>> _podsByLabel = new();

    public PodAffinityIndex()
    {
        RequiredAffinity = new ExistingTermIndex();
        RequiredAntiAffinity = new ExistingTermIndex();
        PreferredAffinity = new ExistingTermIndex();
        PreferredAntiAffinity = new ExistingTermIndex();
    }

    public ExistingTermIndex RequiredAffinity { get; }
    public ExistingTermIndex RequiredAntiAffinity { get; }
    public ExistingTermIndex PreferredAffinity { get; }
    public ExistingTermIndex PreferredAntiAffinity { get; }

    /// <summary>Pods attached to a node, counted.</summary>
    public int AttachedPods { get; private set; }

    /// <summary>A pod now counts on <paramref name="node"/> (the node is in the cluster).</summary>
    internal void Attach(PodInfo pod, NodeInfo node)
    {
        AttachedPods++;
        ReadOnlySpan<int> keys = pod.Labels.Keys, values = pod.Labels.Values;
        for (int i = 0; i < keys.Length; i++)
        {
            long pair = TopologyPair.Of(keys[i], values[i]);
            ref Dictionary<PodInfo, NodeInfo>? bucket = ref CollectionsMarshal.GetValueRefOrAddDefault(_podsByLabel, pair, out _);
            bucket ??= new Dictionary<PodInfo, NodeInfo>(PodIdentity.Instance);
            bucket[pod] = node;
        }
        if (!pod.HasPodAffinity) return;
        LabelSet nodeLabels = node.Labels;
        RequiredAffinity.Add(pod.RequiredAffinityTerms, nodeLabels, 1);
        RequiredAntiAffinity.Add(pod.RequiredAntiAffinityTerms, nodeLabels, 1);
        PreferredAffinity.Add(pod.PreferredAffinityTerms, nodeLabels, 1);
        PreferredAntiAffinity.Add(pod.PreferredAntiAffinityTerms, nodeLabels, 1);
    }

    /// <summary>Undoes <see cref="Attach"/>; the node's labels must be those it had then.</summary>
    internal void Detach(PodInfo pod, NodeInfo node)
    {
        AttachedPods--;
        ReadOnlySpan<int> keys = pod.Labels.Keys, values = pod.Labels.Values;
        for (int i = 0; i < keys.Length; i++)
        {
            long pair = TopologyPair.Of(keys[i], values[i]);
            if (_podsByLabel.TryGetValue(pair, out Dictionary<PodInfo, NodeInfo>? bucket) && bucket.Remove(pod) && bucket.Count == 0)
                _podsByLabel.Remove(pair);
        }
        if (!pod.HasPodAffinity) return;
        LabelSet nodeLabels = node.Labels;
        RequiredAffinity.Add(pod.RequiredAffinityTerms, nodeLabels, -1);
        RequiredAntiAffinity.Add(pod.RequiredAntiAffinityTerms, nodeLabels, -1);
        PreferredAffinity.Add(pod.PreferredAffinityTerms, nodeLabels, -1);
        PreferredAntiAffinity.Add(pod.PreferredAntiAffinityTerms, nodeLabels, -1);
    }

    /// <summary>The attached pods carrying label key=value, with their nodes; null when none.</summary>
    public Dictionary<PodInfo, NodeInfo>? PodsWithLabel(int key, int value) =>
        _podsByLabel.TryGetValue(TopologyPair.Of(key, value), out Dictionary<PodInfo, NodeInfo>? b) ? b : null;

    /// <summary>
    /// The narrowest <c>In</c> requirement of a selector: the pods it can select are among those
    /// with one of its values. False when the selector has none (candidates are all pods).
    /// </summary>
    public bool TryGetAnchor(LabelSelector selector, out SelectorRequirement anchor, out int candidates)
    {
        anchor = default;
        candidates = int.MaxValue;
        bool found = false;
        foreach (SelectorRequirement r in selector.Requirements)
        {
            if (r.Operator != SelectorOperator.In) continue;
            int n = 0;
            foreach (int v in r.Values) n += PodsWithLabel(r.Key, v)?.Count ?? 0;
            if (n < candidates)
            {
                anchor = r;
                candidates = n;
                found = true;
            }
        }
        return found;
    }
}

/// <summary>One kind of the existing pods' affinity terms, grouped by structure, counted per domain.</summary>
public sealed class ExistingTermIndex
{
    private readonly Dictionary<AffinityTerm, TermGroup> _groups = new(AffinityTermStructure.Instance);
    private readonly Dictionary<long, List<TermGroup>> _anchored = new();
    private readonly List<TermGroup> _unanchored = new();

    /// <summary>Distinct term groups.</summary>
    public int Count => _groups.Count;

    public IEnumerable<TermGroup> Groups => _groups.Values;

    internal void Add(AffinityTerm[] terms, LabelSet nodeLabels, int sign)
    {
        for (int i = 0; i < terms.Length; i++)
        {
            AffinityTerm t = terms[i];
            // A term whose topology key the node lacks puts its pod in no domain.
            if (!nodeLabels.TryGetValue(t.TopologyKey, out int value)) continue;
            if (t.Selector.MatchesNothing) continue;
            if (!_groups.TryGetValue(t, out TermGroup? g))
            {
                if (sign < 0) continue;
                g = new TermGroup(t);
                _groups.Add(t, g);
                Register(g);
            }
            g.Add(value, sign, t.Weight);
            if (g.Members == 0)
            {
                _groups.Remove(t);
                Unregister(g);
            }
        }
    }

    private void Register(TermGroup g)
    {
        if (!TryGetAnchor(g.Term.Selector, out SelectorRequirement anchor))
        {
            _unanchored.Add(g);
            return;
        }
        foreach (int v in anchor.Values)
        {
            ref List<TermGroup>? list = ref CollectionsMarshal.GetValueRefOrAddDefault(_anchored, TopologyPair.Of(anchor.Key, v), out _);
            (list ??= new List<TermGroup>(1)).Add(g);
        }
    }

    private void Unregister(TermGroup g)
    {
        if (!TryGetAnchor(g.Term.Selector, out SelectorRequirement anchor))
        {
            _unanchored.Remove(g);
            return;
        }
        foreach (int v in anchor.Values)
        {
            long pair = TopologyPair.Of(anchor.Key, v);
            if (_anchored.TryGetValue(pair, out List<TermGroup>? list) && list.Remove(g) && list.Count == 0) _anchored.Remove(pair);
        }
    }

    /// <summary>The first In requirement (fixed per group, so that register and unregister agree).</summary>
    private static bool TryGetAnchor(LabelSelector selector, out SelectorRequirement anchor)
    {
        foreach (SelectorRequirement r in selector.Requirements)
        {
            if (r.Operator == SelectorOperator.In)
            {
                anchor = r;
                return true;
            }
        }
        anchor = default;
        return false;
    }

    /// <summary>
    /// For every group whose term selects <paramref name="pod"/> (given its namespace's labels),
    /// adds count × <paramref name="perTerm"/> + summed weight × <paramref name="perWeight"/> to
    /// each of its domains in <paramref name="into"/>, keyed by <see cref="TopologyPair"/>.
    /// Zero sums are kept (scoring keeps them); the caller drops them when it must.
    /// Returns whether any group matched. Topology keys seen are appended to <paramref name="keys"/> when given.
    /// </summary>
    public bool AddMatching(PodInfo pod, LabelSet podNamespaceLabels, Interner interner, Dictionary<long, long> into,
        long perTerm, long perWeight, List<int>? keys = null)
    {
        if (_groups.Count == 0) return false;
        bool any = false;
        ReadOnlySpan<int> lk = pod.Labels.Keys, lv = pod.Labels.Values;
        for (int i = 0; i < lk.Length; i++)
        {
            if (!_anchored.TryGetValue(TopologyPair.Of(lk[i], lv[i]), out List<TermGroup>? list)) continue;
            for (int j = 0; j < list.Count; j++) any |= AddIfMatches(list[j], pod, podNamespaceLabels, interner, into, perTerm, perWeight, keys);
        }
        for (int j = 0; j < _unanchored.Count; j++) any |= AddIfMatches(_unanchored[j], pod, podNamespaceLabels, interner, into, perTerm, perWeight, keys);
        return any;
    }

    private static bool AddIfMatches(TermGroup g, PodInfo pod, LabelSet podNamespaceLabels, Interner interner, Dictionary<long, long> into,
        long perTerm, long perWeight, List<int>? keys)
    {
        if (!g.Term.Matches(pod, podNamespaceLabels, interner)) return false;
        int key = g.Term.TopologyKey;
        foreach (KeyValuePair<int, DomainCount> d in g.Domains)
        {
            ref long slot = ref CollectionsMarshal.GetValueRefOrAddDefault(into, TopologyPair.Of(key, d.Key), out _);
            slot += d.Value.Count * perTerm + d.Value.Weight * perWeight;
        }
        if (keys is not null && g.Domains.Count > 0 && !keys.Contains(key)) keys.Add(key);
        return true;
    }
}

/// <summary>Per topology value: how many existing terms of a group are in the domain, and their summed weight.</summary>
public record struct DomainCount(long Count, long Weight);

/// <summary>Structurally identical existing terms, counted per value of their topology key.</summary>
public sealed class TermGroup
{
    internal TermGroup(AffinityTerm term) => Term = term;

    public AffinityTerm Term { get; }
    public Dictionary<int, DomainCount> Domains { get; } = new();
    public long Members { get; private set; }

    internal void Add(int value, int sign, int weight)
    {
        Members += sign;
        ref DomainCount d = ref CollectionsMarshal.GetValueRefOrAddDefault(Domains, value, out _);
        d = new DomainCount(d.Count + sign, d.Weight + (long)sign * weight);
        if (d.Count == 0) Domains.Remove(value);
    }
}

/// <summary>Pods by identity, hashed by their serial number.</summary>
internal sealed class PodIdentity : IEqualityComparer<PodInfo>
{
    public static readonly PodIdentity Instance = new();

    public bool Equals(PodInfo? x, PodInfo? y) => ReferenceEquals(x, y);

    public int GetHashCode(PodInfo pod) => pod.Serial;
}

/// <summary>Equality of affinity terms by what they select and where (weight excluded).</summary>
internal sealed class AffinityTermStructure : IEqualityComparer<AffinityTerm>
{
    public static readonly AffinityTermStructure Instance = new();

    public bool Equals(AffinityTerm? x, AffinityTerm? y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x is null || y is null) return false;
        return x.TopologyKey == y.TopologyKey && x.Namespaces.AsSpan().SequenceEqual(y.Namespaces) &&
               SameSelector(x.Selector, y.Selector) && SameSelector(x.NamespaceSelector, y.NamespaceSelector);
    }

    private static bool SameSelector(LabelSelector a, LabelSelector b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.MatchesNothing != b.MatchesNothing || a.Requirements.Length != b.Requirements.Length) return false;
        for (int i = 0; i < a.Requirements.Length; i++)
        {
            SelectorRequirement ra = a.Requirements[i], rb = b.Requirements[i];
            if (ra.Key != rb.Key || ra.Operator != rb.Operator || ra.Bound != rb.Bound || !ra.Values.AsSpan().SequenceEqual(rb.Values)) return false;
        }
        return true;
    }

    public int GetHashCode(AffinityTerm t)
    {
        var h = new HashCode();
        h.Add(t.TopologyKey);
        foreach (int ns in t.Namespaces) h.Add(ns);
        Hash(ref h, t.Selector);
        Hash(ref h, t.NamespaceSelector);
        return h.ToHashCode();
    }

    private static void Hash(ref HashCode h, LabelSelector s)
    {
        h.Add(s.MatchesNothing);
        foreach (SelectorRequirement r in s.Requirements)
        {
            h.Add(r.Key);
            h.Add((int)r.Operator);
            h.Add(r.Bound);
            foreach (int v in r.Values) h.Add(v);
        }
    }
}
