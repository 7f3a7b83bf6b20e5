using k8s.Models;

namespace PackingScheduler.Core.Tests.Support;

/// <summary>
/// Small builders for the Kubernetes objects the tests feed through the real translator:
/// <c>TestObjects.Pod("p").Requests(cpu: "1", memory: "2Gi").Label("app", "db")</c>.
/// </summary>
public static class TestObjects
{
    public static PodBuilder Pod(string name, string? ns = null) => new(name, ns);

    public static NodeBuilder Node(string name) => new(name);

    internal static Dictionary<string, ResourceQuantity>? Quantities(
        string? cpu, string? memory, string? ephemeralStorage = null, string? pods = null)
    {
        var list = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        if (cpu is not null) list["cpu"] = new ResourceQuantity(cpu);
        if (memory is not null) list["memory"] = new ResourceQuantity(memory);
        if (ephemeralStorage is not null) list["ephemeral-storage"] = new ResourceQuantity(ephemeralStorage);
        if (pods is not null) list["pods"] = new ResourceQuantity(pods);
        return list;
    }
}

public sealed class PodBuilder
{
    private readonly V1Pod _pod;
    private int _containers;

    internal PodBuilder(string name, string? ns)
    {
        _pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1PodSpec { Containers = new List<V1Container>() },
        };
    }

    private V1PodSpec Spec => _pod.Spec;

    public static implicit operator V1Pod(PodBuilder b) => b.Build();

    /// <summary>The pod; a pod given no container gets one with no resources, as every real pod has one.</summary>
    public V1Pod Build()
    {
        if (Spec.Containers.Count == 0) EmptyContainer();
        return _pod;
    }

    public PodBuilder Namespace(string ns)
    {
        _pod.Metadata.NamespaceProperty = ns;
        return this;
    }

    public PodBuilder Label(string key, string value)
    {
        (_pod.Metadata.Labels ??= new Dictionary<string, string>())[key] = value;
        return this;
    }

    /// <summary>Already running on <paramref name="node"/> (spec.nodeName).</summary>
    public PodBuilder OnNode(string node)
    {
        Spec.NodeName = node;
        return this;
    }

    // ---- Containers and resources ----

    /// <summary>Adds an app container that requests what is given (only the resources named).</summary>
    public PodBuilder Requests(string? cpu = null, string? memory = null, string? ephemeralStorage = null) =>
        AddContainer(TestObjects.Quantities(cpu, memory, ephemeralStorage), limits: null);

    /// <summary>Adds an app container with limits and no requests (API defaulting turns the limits into requests).</summary>
    public PodBuilder LimitsOnly(string? cpu = null, string? memory = null) =>
        AddContainer(requests: null, TestObjects.Quantities(cpu, memory));

    public PodBuilder EmptyContainer() => AddContainer(requests: null, limits: null);

    /// <summary>Adds one more request (an extended resource, hugepages...) to the last app container.</summary>
    public PodBuilder Request(string resource, string quantity)
    {
        V1Container c = LastContainer();
        c.Resources ??= new V1ResourceRequirements();
        (c.Resources.Requests ??= new Dictionary<string, ResourceQuantity>())[resource] = new ResourceQuantity(quantity);
        return this;
    }

    /// <summary>Adds a limit to the last app container.</summary>
    public PodBuilder Limit(string resource, string quantity)
    {
        V1Container c = LastContainer();
        c.Resources ??= new V1ResourceRequirements();
        (c.Resources.Limits ??= new Dictionary<string, ResourceQuantity>())[resource] = new ResourceQuantity(quantity);
        return this;
    }

    /// <summary>Adds an init container; <paramref name="sidecar"/> gives it restartPolicy Always.</summary>
    public PodBuilder InitContainer(string? cpu = null, string? memory = null, bool sidecar = false, params (string Name, string Quantity)[] extra)
    {
        Dictionary<string, ResourceQuantity> requests = TestObjects.Quantities(cpu, memory)!;
        foreach ((string name, string q) in extra) requests[name] = new ResourceQuantity(q);
        (Spec.InitContainers ??= new List<V1Container>()).Add(new V1Container
        {
            Name = $"init-{Spec.InitContainers.Count}",
            RestartPolicy = sidecar ? "Always" : null,
            Resources = requests.Count == 0 ? null : new V1ResourceRequirements { Requests = requests },
        });
        return this;
    }

    public PodBuilder Overhead(string? cpu = null, string? memory = null)
    {
        Spec.Overhead = TestObjects.Quantities(cpu, memory);
        return this;
    }

    private PodBuilder AddContainer(Dictionary<string, ResourceQuantity>? requests, Dictionary<string, ResourceQuantity>? limits)
    {
        Spec.Containers.Add(new V1Container
        {
            Name = $"c{_containers++}",
            Resources = requests is null && limits is null ? null : new V1ResourceRequirements
            {
                Requests = requests is { Count: > 0 } ? requests : null,
                Limits = limits is { Count: > 0 } ? limits : null,
            },
        });
        return this;
    }

    private V1Container LastContainer()
    {
        if (Spec.Containers.Count == 0) EmptyContainer();
        return Spec.Containers[^1];
    }

    // ---- Ports ----

    /// <summary>A host port on the last app container ("PROTOCOL/IP/PORT" like upstream's tests also works through the arguments).</summary>
    public PodBuilder HostPort(int port, string? protocol = null, string? hostIp = null)
    {
        V1Container c = LastContainer();
        (c.Ports ??= new List<V1ContainerPort>()).Add(new V1ContainerPort { ContainerPort = port, HostPort = port, Protocol = protocol, HostIP = hostIp });
        return this;
    }

    /// <summary>A host port on a new init container, a sidecar or not.</summary>
    public PodBuilder InitContainerHostPort(int port, bool sidecar)
    {
        (Spec.InitContainers ??= new List<V1Container>()).Add(new V1Container
        {
            Name = $"init-{Spec.InitContainers.Count}",
            RestartPolicy = sidecar ? "Always" : null,
            Ports = new List<V1ContainerPort> { new() { ContainerPort = port, HostPort = port, Protocol = "TCP" } },
        });
        return this;
    }

    // ---- Placement constraints ----

    public PodBuilder NodeSelector(string key, string value)
    {
        (Spec.NodeSelector ??= new Dictionary<string, string>())[key] = value;
        return this;
    }

    public PodBuilder Toleration(string? key, string? op = null, string? value = null, string? effect = null)
    {
        (Spec.Tolerations ??= new List<V1Toleration>()).Add(new V1Toleration { Key = key, OperatorProperty = op, Value = value, Effect = effect });
        return this;
    }

    /// <summary>Required node affinity: the terms are ORed.</summary>
    public PodBuilder RequiredNodeAffinity(params V1NodeSelectorTerm[] terms)
    {
        NodeAffinity().RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = terms.ToList() };
        return this;
    }

    public PodBuilder PreferredNodeAffinity(int weight, V1NodeSelectorTerm preference)
    {
        (NodeAffinity().PreferredDuringSchedulingIgnoredDuringExecution ??= new List<V1PreferredSchedulingTerm>())
            .Add(new V1PreferredSchedulingTerm { Weight = weight, Preference = preference });
        return this;
    }

    public PodBuilder PodAffinity(V1PodAffinityTerm term)
    {
        V1PodAffinity a = Affinity().PodAffinity ??= new V1PodAffinity();
        (a.RequiredDuringSchedulingIgnoredDuringExecution ??= new List<V1PodAffinityTerm>()).Add(term);
        return this;
    }

    public PodBuilder PodAntiAffinity(V1PodAffinityTerm term)
    {
        V1PodAntiAffinity a = Affinity().PodAntiAffinity ??= new V1PodAntiAffinity();
        (a.RequiredDuringSchedulingIgnoredDuringExecution ??= new List<V1PodAffinityTerm>()).Add(term);
        return this;
    }

    public PodBuilder PreferredPodAffinity(int weight, V1PodAffinityTerm term)
    {
        V1PodAffinity a = Affinity().PodAffinity ??= new V1PodAffinity();
        (a.PreferredDuringSchedulingIgnoredDuringExecution ??= new List<V1WeightedPodAffinityTerm>())
            .Add(new V1WeightedPodAffinityTerm { Weight = weight, PodAffinityTerm = term });
        return this;
    }

    public PodBuilder PreferredPodAntiAffinity(int weight, V1PodAffinityTerm term)
    {
        V1PodAntiAffinity a = Affinity().PodAntiAffinity ??= new V1PodAntiAffinity();
        (a.PreferredDuringSchedulingIgnoredDuringExecution ??= new List<V1WeightedPodAffinityTerm>())
            .Add(new V1WeightedPodAffinityTerm { Weight = weight, PodAffinityTerm = term });
        return this;
    }

    private V1Affinity Affinity() => Spec.Affinity ??= new V1Affinity();

    private V1NodeAffinity NodeAffinity() => Affinity().NodeAffinity ??= new V1NodeAffinity();

    // ---- Volumes ----

    public PodBuilder Volume(V1Volume volume)
    {
        volume.Name ??= $"v{Spec.Volumes?.Count ?? 0}";
        (Spec.Volumes ??= new List<V1Volume>()).Add(volume);
        return this;
    }

    public PodBuilder GcePersistentDisk(string pdName, bool readOnly = false) =>
        Volume(new V1Volume { GcePersistentDisk = new V1GCEPersistentDiskVolumeSource { PdName = pdName, ReadOnlyProperty = readOnly } });

    public PodBuilder AwsElasticBlockStore(string volumeId, bool readOnly = false) =>
        Volume(new V1Volume { AwsElasticBlockStore = new V1AWSElasticBlockStoreVolumeSource { VolumeID = volumeId, ReadOnlyProperty = readOnly } });

    public PodBuilder Iscsi(string iqn, bool readOnly = false) =>
        Volume(new V1Volume { Iscsi = new V1ISCSIVolumeSource { Iqn = iqn, TargetPortal = "127.0.0.1:3260", Lun = 0, ReadOnlyProperty = readOnly } });

    public PodBuilder Rbd(string[] monitors, string? pool, string image, bool readOnly = false) =>
        Volume(new V1Volume { Rbd = new V1RBDVolumeSource { Monitors = monitors.ToList(), Pool = pool, Image = image, ReadOnlyProperty = readOnly } });

    public PodBuilder PersistentVolumeClaim(string claimName) =>
        Volume(new V1Volume { PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claimName } });
}

public sealed class NodeBuilder
{
    private readonly V1Node _node;

    internal NodeBuilder(string name)
    {
        _node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1NodeSpec(),
            Status = new V1NodeStatus(),
        };
    }

    public static implicit operator V1Node(NodeBuilder b) => b.Build();

    public V1Node Build() => _node;

    /// <summary>status.allocatable; pods defaults to 110 so that pod count never gets in the way unless a test wants it to.</summary>
    public NodeBuilder Allocatable(string? cpu = null, string? memory = null, string? pods = "110", string? ephemeralStorage = null)
    {
        _node.Status.Allocatable = Merge(_node.Status.Allocatable, TestObjects.Quantities(cpu, memory, ephemeralStorage, pods)!);
        return this;
    }

    public NodeBuilder Capacity(string? cpu = null, string? memory = null, string? pods = "110", string? ephemeralStorage = null)
    {
        _node.Status.Capacity = Merge(_node.Status.Capacity, TestObjects.Quantities(cpu, memory, ephemeralStorage, pods)!);
        return this;
    }

    /// <summary>One more allocatable resource: an extended resource, hugepages, ...</summary>
    public NodeBuilder Resource(string name, string quantity)
    {
        (_node.Status.Allocatable ??= new Dictionary<string, ResourceQuantity>())[name] = new ResourceQuantity(quantity);
        return this;
    }

    public NodeBuilder Label(string key, string value)
    {
        (_node.Metadata.Labels ??= new Dictionary<string, string>())[key] = value;
        return this;
    }

    public NodeBuilder Taint(string key, string? value, string effect)
    {
        (_node.Spec.Taints ??= new List<V1Taint>()).Add(new V1Taint { Key = key, Value = value, Effect = effect });
        return this;
    }

    public NodeBuilder Unschedulable()
    {
        _node.Spec.Unschedulable = true;
        return this;
    }

    private static IDictionary<string, ResourceQuantity> Merge(IDictionary<string, ResourceQuantity>? into, Dictionary<string, ResourceQuantity> add)
    {
        into ??= new Dictionary<string, ResourceQuantity>();
        foreach (KeyValuePair<string, ResourceQuantity> kv in add) into[kv.Key] = kv.Value;
        return into;
    }
}
