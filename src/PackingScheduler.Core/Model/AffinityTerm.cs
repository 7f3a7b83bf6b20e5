namespace PackingScheduler.Core.Model;

/// <summary>
/// A compiled pod (anti-)affinity term. It applies to pods in <see cref="Namespaces"/> or in
/// namespaces whose labels match <see cref="NamespaceSelector"/>, whose labels match
/// <see cref="Selector"/>; the domain is the value of <see cref="TopologyKey"/> on a node.
/// </summary>
public sealed class AffinityTerm
{
    public AffinityTerm(LabelSelector selector, int[] namespaces, LabelSelector namespaceSelector, int topologyKey, int weight = 0)
    {
        Selector = selector;
        Namespaces = namespaces;
        NamespaceSelector = namespaceSelector;
        TopologyKey = topologyKey;
        Weight = weight;
    }

    public LabelSelector Selector { get; }

    /// <summary>Interned namespace names; the owning pod's namespace when the term names none and has no selector.</summary>
    public int[] Namespaces { get; }

    /// <summary><see cref="LabelSelector.Nothing"/> when the term has no namespaceSelector.</summary>
    public LabelSelector NamespaceSelector { get; }

    public int TopologyKey { get; }

    /// <summary>Weight of a preferred term; 0 for required terms.</summary>
    public int Weight { get; }

    /// <summary>Whether <paramref name="pod"/> is selected, given the labels of the pod's namespace.</summary>
    public bool Matches(PodInfo pod, LabelSet namespaceLabels, Interner interner)
    {
        if (Array.IndexOf(Namespaces, pod.Namespace) < 0 && !NamespaceSelector.Matches(namespaceLabels, interner))
            return false;
        return Selector.Matches(pod.Labels, interner);
    }
}
