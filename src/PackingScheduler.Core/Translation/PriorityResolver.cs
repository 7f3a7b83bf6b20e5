using k8s.Models;

namespace PackingScheduler.Core.Translation;

/// <summary>
/// Resolves a pod's priority as the Priority admission plugin does: spec.priority when set,
/// else the value of its PriorityClass, else the globalDefault class, else 0.
/// </summary>
public sealed class PriorityResolver
{
    private readonly Dictionary<string, V1PriorityClass> _classes = new(StringComparer.Ordinal);

    public void AddOrUpdate(V1PriorityClass pc) => _classes[pc.Metadata.Name] = pc;

    public void Remove(string name) => _classes.Remove(name);

    public bool TryGet(string name, out V1PriorityClass pc) => _classes.TryGetValue(name, out pc!);

    public (int Priority, bool PreemptionNever) Resolve(V1Pod pod)
    {
        V1PodSpec spec = pod.Spec;
        string? className = spec.PriorityClassName;
        V1PriorityClass? pc = null;
        if (!string.IsNullOrEmpty(className))
        {
            // The two built-in classes exist in every cluster.
            if (className == "system-cluster-critical" && !_classes.ContainsKey(className)) return (spec.Priority ?? 2000000000, false);
            if (className == "system-node-critical" && !_classes.ContainsKey(className)) return (spec.Priority ?? 2000001000, false);
            if (!_classes.TryGetValue(className, out pc) && spec.Priority is null)
                throw new InvalidObjectException("spec.priorityClassName", $"no PriorityClass named \"{className}\"");
        }
        else
        {
            pc = GlobalDefault();
        }
        bool never = (spec.PreemptionPolicy ?? pc?.PreemptionPolicy) == "Never";
        return (spec.Priority ?? pc?.Value ?? 0, never);
    }

    private V1PriorityClass? GlobalDefault()
    {
        V1PriorityClass? best = null;
        foreach (V1PriorityClass pc in _classes.Values)
        {
            // Admission refuses a second globalDefault; if a dump has two anyway, take the lowest, as upstream does.
            if (pc.GlobalDefault == true && (best is null || pc.Value < best.Value)) best = pc;
        }
        return best;
    }
}
