using k8s;
using k8s.Models;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// The objects of a scenario file, typed, validated and defaulted as the API server would have
/// stored them, each list in file order. Pods with spec.nodeName are already running there;
/// the others are pending.
/// </summary>
public sealed class Scenario
{
    internal Scenario(
        string sourceName,
        IReadOnlyList<ScenarioObject<V1Node>> nodes,
        IReadOnlyList<ScenarioObject<V1Pod>> pods,
        IReadOnlyList<ScenarioObject<V1PriorityClass>> priorityClasses,
        IReadOnlyList<ScenarioObject<V1PersistentVolume>> persistentVolumes,
        IReadOnlyList<ScenarioObject<V1PersistentVolumeClaim>> persistentVolumeClaims,
        IReadOnlyList<ScenarioObject<V1StorageClass>> storageClasses,
        IReadOnlyList<ScenarioObject<V1Namespace>> namespaces,
        IReadOnlyList<ScenarioObject<V1PodDisruptionBudget>> podDisruptionBudgets)
    {
        PodDisruptionBudgets = podDisruptionBudgets;
        SourceName = sourceName;
        Nodes = nodes;
        Pods = pods;
        PriorityClasses = priorityClasses;
        PersistentVolumes = persistentVolumes;
        PersistentVolumeClaims = persistentVolumeClaims;
        StorageClasses = storageClasses;
        Namespaces = namespaces;
    }

    /// <summary>The file name as given to the loader; error messages start with it.</summary>
    public string SourceName { get; }

    public IReadOnlyList<ScenarioObject<V1Node>> Nodes { get; }

    /// <summary>All pods, bound and pending, in file order.</summary>
    public IReadOnlyList<ScenarioObject<V1Pod>> Pods { get; }

    public IReadOnlyList<ScenarioObject<V1PriorityClass>> PriorityClasses { get; }
    public IReadOnlyList<ScenarioObject<V1PersistentVolume>> PersistentVolumes { get; }
    public IReadOnlyList<ScenarioObject<V1PersistentVolumeClaim>> PersistentVolumeClaims { get; }
    public IReadOnlyList<ScenarioObject<V1StorageClass>> StorageClasses { get; }
    public IReadOnlyList<ScenarioObject<V1Namespace>> Namespaces { get; }
    public IReadOnlyList<ScenarioObject<V1PodDisruptionBudget>> PodDisruptionBudgets { get; }

    /// <summary>Every pod object, bound and pending (a disruption budget without status counts the bound ones it selects).</summary>
    public IEnumerable<V1Pod> PodObjects => Pods.Select(p => p.Object);

    /// <summary>Pods with spec.nodeName, in file order: the cluster state.</summary>
    public IEnumerable<ScenarioObject<V1Pod>> BoundPods => Pods.Where(p => !string.IsNullOrEmpty(p.Object.Spec.NodeName));

    /// <summary>Pods without spec.nodeName, in file order: what the simulation schedules.</summary>
    public IEnumerable<ScenarioObject<V1Pod>> PendingPods => Pods.Where(p => string.IsNullOrEmpty(p.Object.Spec.NodeName));

    /// <summary>
    /// An error about an object found after loading (e.g. during translation), worded like the
    /// loader's own: file, document, object, field.
    /// </summary>
    public ScenarioException Error<T>(ScenarioObject<T> source, string? fieldPath, string problem)
        where T : IKubernetesObject<V1ObjectMeta>
        => new(SourceName, source.DocumentIndex, source.Description, fieldPath, problem);
}
