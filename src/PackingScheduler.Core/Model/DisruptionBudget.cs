using System.Diagnostics;

namespace PackingScheduler.Core.Model;

/// <summary>
/// A PodDisruptionBudget as preemption reads it: the pods it protects (namespace and compiled
/// selector; upstream: a nil or empty selector protects nothing), how many of them may still be
/// disrupted (status.disruptionsAllowed), and the pods already counted as disrupted
/// (status.disruptedPods, by name), which do not use the budget again.
/// </summary>
[DebuggerDisplay("{Namespace}/{Name}: {DisruptionsAllowed} allowed")]
public sealed class DisruptionBudget
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required LabelSelector Selector { get; init; }
    public int DisruptionsAllowed { get; init; }
    public IReadOnlySet<string> DisruptedPods { get; init; } = new HashSet<string>();

    public string Key => Namespace + "/" + Name;

    public bool Protects(PodInfo pod, Interner interner) =>
        pod.NamespaceName == Namespace && !Selector.MatchesNothing && !Selector.IsEverything && pod.Labels.Count > 0
        && Selector.Matches(pod.Labels, interner);
}
