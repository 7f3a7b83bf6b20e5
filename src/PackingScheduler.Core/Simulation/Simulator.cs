using k8s.Models;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Preemption;
using PackingScheduler.Core.Scenarios;
using PackingScheduler.Core.Translation;

namespace PackingScheduler.Core.Simulation;

/// <summary>One pending pod's outcome in a simulation, in scheduling order.</summary>
public sealed record Placement(string Pod, string? Node, long? Score, string? Message, int Priority)
{
    public IReadOnlyList<NodeExplanation>? Explanation { get; init; }

    /// <summary>Pods this pod preempted (namespace/name, most important first); empty when it preempted none.</summary>
    public IReadOnlyList<string> Victims { get; init; } = Array.Empty<string>();
}

/// <summary>
/// Runs the scheduling engine over a described cluster: pending pods one at a time in queue
/// order (priority, then file order), each placement added to the cluster before the next.
/// A pod that fits nowhere may preempt (when the profile has DefaultPreemption): its victims are
/// taken off at once, as if they had terminated, and the pod goes to the node it nominated.
/// </summary>
public static class Simulator
{
    public static IReadOnlyList<Placement> Run(Scenario input, SchedulerProfile profile, string? explainPod = null)
    {
        var interner = new Interner();
        var translator = new ObjectTranslator(interner);
        var cluster = new ClusterState(interner);
        var priorities = new PriorityResolver();

        foreach (ScenarioObject<V1PriorityClass> pc in input.PriorityClasses) priorities.AddOrUpdate(pc.Object);
        foreach (ScenarioObject<V1Namespace> ns in input.Namespaces) cluster.SetNamespace(ns.Object.Metadata.Name, ns.Object.Metadata.Labels);
        foreach (ScenarioObject<V1Pod> p in input.Pods)
        {
            // Namespaces that pods use exist, as they would in a cluster.
            string ns = p.Object.Metadata?.NamespaceProperty is { Length: > 0 } s ? s : "default";
            if (!cluster.HasNamespace(interner.Intern(ns))) cluster.SetNamespace(ns, null);
        }
        foreach (ScenarioObject<V1StorageClass> sc in input.StorageClasses) cluster.SetStorageClass(ObjectTranslator.TranslateStorageClass(sc.Object));
        foreach (ScenarioObject<V1PersistentVolume> pv in input.PersistentVolumes) cluster.SetVolume(ObjectTranslator.TranslateVolume(pv.Object));
        foreach (ScenarioObject<V1PersistentVolumeClaim> c in input.PersistentVolumeClaims) cluster.SetClaim(ObjectTranslator.TranslateClaim(c.Object));
        foreach (ScenarioObject<V1PodDisruptionBudget> b in input.PodDisruptionBudgets)
            cluster.SetDisruptionBudget(Translate(input, b, () => translator.TranslateDisruptionBudget(b.Object, input.PodObjects)));
        foreach (ScenarioObject<V1Node> node in input.Nodes)
            cluster.AddOrUpdateNode(Translate(input, node, () => translator.TranslateNode(node.Object)));

        var pending = new List<PodInfo>();
        long order = 0;
        foreach (ScenarioObject<V1Pod> p in input.Pods)
        {
            long seq = order++;
            PodInfo pod = Translate(input, p, () =>
            {
                (int priority, bool never) = priorities.Resolve(p.Object);
                return translator.TranslatePod(p.Object, priority, never, seq);
            });
            if (pod.NodeName is null)
            {
                pending.Add(pod);
                continue;
            }
            if (cluster.FindNode(pod.NodeName) is null)
                throw input.Error(p, "spec.nodeName", $"no Node named \"{pod.NodeName}\"");
            cluster.AddPod(pod);
        }
        if (explainPod is not null && !pending.Exists(p => p.Key == explainPod))
            throw new ScenarioException(input.SourceName, null, null, "--explain", $"no pending pod \"{explainPod}\" in the scenario (give it as namespace/name)");

        // Queue order: higher priority first; equal priority keeps file order (List.Sort is not stable).
        pending.Sort(static (a, b) => a.Priority != b.Priority ? b.Priority.CompareTo(a.Priority) : a.Order.CompareTo(b.Order));

        var engine = new SchedulingEngine(profile, interner);
        DefaultPreemption? preemption = profile.Preemption ? new DefaultPreemption(engine) : null;
        var results = new List<Placement>(pending.Count);
        foreach (PodInfo pod in pending)
        {
            bool explain = explainPod == pod.Key;
            ScheduleResult r = engine.Schedule(pod, cluster, explain);
            IReadOnlyList<string> victims = Array.Empty<string>();
            if (r.Node is null && preemption is not null)
            {
                PreemptionResult p = preemption.Preempt(pod, cluster, r);
                if (p.Chosen is { } chosen)
                {
                    var names = new List<string>(chosen.Victims.Count);
                    foreach (PodInfo v in chosen.Victims)
                    {
                        cluster.RemovePod(v.Key);
                        names.Add(v.Key);
                    }
                    victims = names;
                    // The next cycle tries the nominated node first; here it follows at once.
                    pod.NominatedNodeName = chosen.Node.Name;
                    r = engine.Schedule(pod, cluster, explain);
                }
                else
                {
                    r = r with { Message = r.Message + " " + p.Message };
                }
            }
            if (r.Node is not null)
            {
                pod.NodeName = r.Node.Name;
                cluster.AddPod(pod);
                results.Add(new Placement(pod.Key, r.Node.Name, r.Score, null, pod.Priority) { Explanation = r.Explanation, Victims = victims });
            }
            else
            {
                results.Add(new Placement(pod.Key, null, null, r.Message, pod.Priority) { Explanation = r.Explanation, Victims = victims });
            }
        }
        return results;
    }

    private static TResult Translate<T, TResult>(Scenario scenario, ScenarioObject<T> source, Func<TResult> translate)
        where T : k8s.IKubernetesObject<V1ObjectMeta>
    {
        try
        {
            return translate();
        }
        catch (InvalidObjectException e)
        {
            throw scenario.Error(source, e.Field, e.Problem);
        }
    }
}
