using k8s.Models;

namespace PackingScheduler.TestApiServer;

/// <summary>The fixed set of resources the test server serves.</summary>
internal static class ResourceRegistry
{
    public static readonly ResourceType Pods = new(
        "", "v1", "pods", "Pod", namespaced: true, hasStatus: true, deleteReturnsObject: true, typeof(V1Pod),
        [
            "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
            "status.phase", "status.podIP", "status.nominatedNodeName",
        ]);

    public static readonly ResourceType Nodes = new(
        "", "v1", "nodes", "Node", namespaced: false, hasStatus: true, deleteReturnsObject: false, typeof(V1Node),
        ["spec.unschedulable"]);

    public static readonly ResourceType Namespaces = new(
        "", "v1", "namespaces", "Namespace", namespaced: false, hasStatus: true, deleteReturnsObject: false, typeof(V1Namespace),
        ["status.phase"]);

    public static readonly ResourceType PersistentVolumes = new(
        "", "v1", "persistentvolumes", "PersistentVolume", namespaced: false, hasStatus: true, deleteReturnsObject: true,
        typeof(V1PersistentVolume));

    public static readonly ResourceType PersistentVolumeClaims = new(
        "", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", namespaced: true, hasStatus: true, deleteReturnsObject: true,
        typeof(V1PersistentVolumeClaim));

    public static readonly ResourceType ConfigMaps = new(
        "", "v1", "configmaps", "ConfigMap", namespaced: true, hasStatus: false, deleteReturnsObject: false, typeof(V1ConfigMap));

    public static readonly ResourceType CoreEvents = new(
        "", "v1", "events", "Event", namespaced: true, hasStatus: false, deleteReturnsObject: false, typeof(Corev1Event),
        [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
            "reason", "reportingComponent", "source", "type",
        ]);

    public static readonly ResourceType Events = new(
        "events.k8s.io", "v1", "events", "Event", namespaced: true, hasStatus: false, deleteReturnsObject: false, typeof(Eventsv1Event),
        ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "reason", "reportingController", "type"]);

    public static readonly ResourceType Leases = new(
        "coordination.k8s.io", "v1", "leases", "Lease", namespaced: true, hasStatus: false, deleteReturnsObject: false, typeof(V1Lease));

    public static readonly ResourceType PriorityClasses = new(
        "scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", namespaced: false, hasStatus: false, deleteReturnsObject: false,
        typeof(V1PriorityClass));

    public static readonly ResourceType StorageClasses = new(
        "storage.k8s.io", "v1", "storageclasses", "StorageClass", namespaced: false, hasStatus: false, deleteReturnsObject: true,
        typeof(V1StorageClass));

    public static readonly ResourceType CsiNodes = new(
        "storage.k8s.io", "v1", "csinodes", "CSINode", namespaced: false, hasStatus: false, deleteReturnsObject: true, typeof(V1CSINode));

    public static readonly ResourceType PodDisruptionBudgets = new(
        "policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", namespaced: true, hasStatus: true, deleteReturnsObject: false,
        typeof(V1PodDisruptionBudget));

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Pods, Nodes, Namespaces, PersistentVolumes, PersistentVolumeClaims, ConfigMaps, CoreEvents, Events, Leases,
        PriorityClasses, StorageClasses, CsiNodes, PodDisruptionBudgets,
    ];

    private static readonly Dictionary<(string Group, string Version, string Plural), ResourceType> ByPath =
        All.ToDictionary(r => (r.Group, r.Version, r.Plural));

    private static readonly Dictionary<Type, ResourceType> ByClrType = All.ToDictionary(r => r.ClrType);

    public static ResourceType? Find(string group, string version, string plural) =>
        ByPath.TryGetValue((group, version, plural), out var rt) ? rt : null;

    public static ResourceType ForType(Type type) =>
        ByClrType.TryGetValue(type, out var rt)
            ? rt
            : throw new ArgumentException($"{type.Name} is not a resource served by the test API server.", nameof(type));
}
