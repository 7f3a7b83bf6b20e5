using k8s;
using k8s.Models;

namespace PackingScheduler.Core.Scenarios;

/// <summary>A kind a scenario may contain, with the model type KubernetesYaml reads it into.</summary>
internal sealed record SupportedKind(
    string ApiVersion,
    string Kind,
    Type ModelType,
    bool Namespaced,
    Func<string, IKubernetesObject<V1ObjectMeta>> Deserialize)
{
    public static readonly IReadOnlyList<SupportedKind> All =
    [
        Create<V1Node>("v1", "Node", namespaced: false),
        Create<V1Pod>("v1", "Pod", namespaced: true),
        Create<V1PriorityClass>("scheduling.k8s.io/v1", "PriorityClass", namespaced: false),
        Create<V1PersistentVolume>("v1", "PersistentVolume", namespaced: false),
        Create<V1PersistentVolumeClaim>("v1", "PersistentVolumeClaim", namespaced: true),
        Create<V1StorageClass>("storage.k8s.io/v1", "StorageClass", namespaced: false),
        // Not a scheduling input, but lets scenarios give namespaces labels for namespaceSelector.
        Create<V1Namespace>("v1", "Namespace", namespaced: false),
        // Budgets preemption respects where it can.
        Create<V1PodDisruptionBudget>("policy/v1", "PodDisruptionBudget", namespaced: true),
    ];

    /// <summary>"Node (v1), Pod (v1), PriorityClass (scheduling.k8s.io/v1), ..." for error messages.</summary>
    public static string Listing { get; } = string.Join(", ", All.Select(k => $"{k.Kind} ({k.ApiVersion})"));

    private static SupportedKind Create<T>(string apiVersion, string kind, bool namespaced)
        where T : IKubernetesObject<V1ObjectMeta>
        => new(apiVersion, kind, typeof(T), namespaced, text => KubernetesYaml.Deserialize<T>(text));
}
