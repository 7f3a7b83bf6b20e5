using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Predicates;

/// <summary>
/// An affinity term of the pod being scheduled with its namespaceSelector resolved, for this
/// cycle, against the namespaces that exist (upstream merges them into the namespace list).
/// </summary>
public readonly struct IncomingTerm
{
    private readonly int[] _namespaces;
    private readonly bool _allNamespaces;

    public IncomingTerm(AffinityTerm term, ClusterState cluster)
    {
        Term = term;
        _allNamespaces = term.NamespaceSelector.IsEverything;
        if (_allNamespaces || term.NamespaceSelector.MatchesNothing)
        {
            _namespaces = term.Namespaces;
            return;
        }
        var set = new List<int>(term.Namespaces);
        foreach (KeyValuePair<int, LabelSet> ns in cluster.Namespaces)
        {
            if (term.NamespaceSelector.Matches(ns.Value, cluster.Interner) && !set.Contains(ns.Key)) set.Add(ns.Key);
        }
        _namespaces = set.ToArray();
    }

    public AffinityTerm Term { get; }
    public int TopologyKey => Term.TopologyKey;
    public int Weight => Term.Weight;

    public bool Matches(PodInfo pod, Interner interner) =>
        (_allNamespaces || Array.IndexOf(_namespaces, pod.Namespace) >= 0) && Term.Selector.Matches(pod.Labels, interner);

    public static IncomingTerm[] Resolve(AffinityTerm[] terms, ClusterState cluster)
    {
        if (terms.Length == 0) return Array.Empty<IncomingTerm>();
        var result = new IncomingTerm[terms.Length];
        for (int i = 0; i < terms.Length; i++) result[i] = new IncomingTerm(terms[i], cluster);
        return result;
    }

    public static bool AllMatch(IncomingTerm[] terms, PodInfo pod, Interner interner)
    {
        if (terms.Length == 0) return false;
        for (int i = 0; i < terms.Length; i++)
        {
            if (!terms[i].Matches(pod, interner)) return false;
        }
        return true;
    }
}
