using k8s.Models;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;

namespace PackingScheduler.Core.Workloads;

/// <summary>The pending pods a benchmark or test schedules.</summary>
public enum PodShape
{
    /// <summary>cpu and memory requests only: 1-core pilots, and one 8-core pilot in four.</summary>
    Plain,

    /// <summary>
    /// Plain, plus a nodeSelector (kubernetes.io/os=linux, on every node), a required node affinity
    /// (node-group In [worker, cms]), a preferred one (two zones, weight 10) and a toleration of the
    /// cms group's dedicated=cms:NoSchedule taint. GPU nodes stay excluded (group and taint).
    /// </summary>
    Affinity,

    /// <summary>
    /// Plain, plus required pod anti-affinity on kubernetes.io/hostname against one application
    /// (app=app-N) and preferred anti-affinity (weight 50) on topology.kubernetes.io/zone against another.
    /// </summary>
    AntiAffinity,
}

/// <summary>How <see cref="SyntheticCluster.Generate"/> builds a cluster.</summary>
public sealed record SyntheticClusterOptions
{
    public int Nodes { get; init; } = 500;
    public int Seed { get; init; } = 1;
    public int Zones { get; init; } = 10;

    /// <summary>Share of nodes in the GPU group (4 nvidia.com/gpu, taint nvidia.com/gpu=present:NoSchedule).</summary>
    public double GpuFraction { get; init; } = 0.05;

    /// <summary>Share of nodes in the cms group (taint dedicated=cms:NoSchedule).</summary>
    public double DedicatedFraction { get; init; } = 0.10;

    /// <summary>Share of worker nodes with a soft taint (maintenance=soon:PreferNoSchedule).</summary>
    public double PreferNoScheduleFraction { get; init; } = 0.05;

    /// <summary>Running pods per node (small: 250m cpu, 512Mi), bound with spec.nodeName.</summary>
    public int RunningPodsPerNode { get; init; }

    /// <summary>Distinct app=... labels among running pods; anti-affinity shapes select one of them.</summary>
    public int Apps { get; init; } = 1000;

    /// <summary>Share of running pods that carry pod anti-affinity terms themselves (half required on hostname, half preferred on zone).</summary>
    public double RunningWithAntiAffinityFraction { get; init; } = 0.05;
}

/// <summary>
/// A seeded, reproducible grid site for benchmarks and tests: Kubernetes objects (nodes, running
/// pods, pending pods of a <see cref="PodShape"/>), and the compiled <see cref="ClusterState"/>
/// built from them through <see cref="ObjectTranslator"/>. The same options give the same objects.
/// Nodes: worker nodes of 16, 32 or 64 cores (4 GiB a core), a cms group (tainted
/// dedicated=cms:NoSchedule), GPU nodes (tainted), a few soft-tainted workers; zones zone-0..;
/// labels kubernetes.io/hostname, topology.kubernetes.io/zone, kubernetes.io/os, node-group.
/// </summary>
public sealed class SyntheticCluster
{
    public const string Namespace = "atlas";
    public const string SchedulerName = "node-packing-scheduler";
    public const string HostnameKey = "kubernetes.io/hostname";
    public const string ZoneKey = "topology.kubernetes.io/zone";
    public const string GroupKey = "node-group";

    private static readonly int[] WorkerCores = { 16, 32, 64 };

    private SyntheticCluster(SyntheticClusterOptions options, List<V1Node> nodes)
    {
        Options = options;
        Nodes = nodes;
    }

    public SyntheticClusterOptions Options { get; }
    public IReadOnlyList<V1Node> Nodes { get; }

    public static SyntheticCluster Generate(SyntheticClusterOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Nodes);
        var random = new Random(options.Seed);
        var nodes = new List<V1Node>(options.Nodes);
        for (int i = 0; i < options.Nodes; i++)
        {
            double roll = random.NextDouble();
            string zone = $"zone-{random.Next(options.Zones)}";
            string name = NodeName(i);
            if (roll < options.GpuFraction)
            {
                nodes.Add(Node(name, zone, "gpu", 32, gpus: 4,
                    new V1Taint { Key = "nvidia.com/gpu", Value = "present", Effect = "NoSchedule" }));
            }
            else if (roll < options.GpuFraction + options.DedicatedFraction)
            {
                nodes.Add(Node(name, zone, "cms", 32, gpus: 0,
                    new V1Taint { Key = "dedicated", Value = "cms", Effect = "NoSchedule" }));
            }
            else
            {
                int cores = WorkerCores[random.Next(WorkerCores.Length)];
                V1Taint? soft = random.NextDouble() < options.PreferNoScheduleFraction
                    ? new V1Taint { Key = "maintenance", Value = "soon", Effect = "PreferNoSchedule" }
                    : null;
                nodes.Add(Node(name, zone, "worker", cores, gpus: 0, soft));
            }
        }
        return new SyntheticCluster(options, nodes);
    }

    public static SyntheticCluster Generate(int nodes, int seed = 1, int runningPodsPerNode = 0) =>
        Generate(new SyntheticClusterOptions { Nodes = nodes, Seed = seed, RunningPodsPerNode = runningPodsPerNode });

    /// <summary>Node names sort in index order (the engine's tie-break is the smallest name).</summary>
    public static string NodeName(int i) => $"node-{i:D5}";

    /// <summary>
    /// The running pods, <see cref="SyntheticClusterOptions.RunningPodsPerNode"/> on every node, bound
    /// with spec.nodeName; generated lazily (same sequence on every enumeration) so that large caches
    /// need not hold the objects.
    /// </summary>
    public IEnumerable<V1Pod> RunningPods()
    {
        var random = new Random(unchecked(Options.Seed * 7919 + 17));
        int k = 0;
        for (int n = 0; n < Nodes.Count; n++)
        {
            string node = Nodes[n].Metadata.Name;
            for (int j = 0; j < Options.RunningPodsPerNode; j++, k++)
            {
                string app = $"app-{random.Next(Options.Apps)}";
                V1Pod pod = Pod($"running-{k:D7}", app, milliCpu: 250, memoryMi: 512, node);
                pod.Metadata.Labels["tier"] = random.Next(2) == 0 ? "batch" : "service";
                if (random.NextDouble() < Options.RunningWithAntiAffinityFraction)
                {
                    string other = $"app-{random.Next(Options.Apps)}";
                    pod.Spec.Affinity = random.Next(2) == 0
                        ? new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = new List<V1PodAffinityTerm> { Term(HostnameKey, other) } } }
                        : new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { PreferredDuringSchedulingIgnoredDuringExecution = new List<V1WeightedPodAffinityTerm> { new() { Weight = 20, PodAffinityTerm = Term(ZoneKey, other) } } } };
                }
                yield return pod;
            }
        }
    }

    /// <summary>
    /// Running pods scattered over the nodes (not a fixed count per node): <paramref name="count"/>
    /// pods, node chosen at random, for cache-size measurements. Same seed, same pods.
    /// </summary>
    public IEnumerable<V1Pod> ScatteredRunningPods(int count, int seed)
    {
        var random = new Random(seed);
        for (int k = 0; k < count; k++)
        {
            string node = Nodes[random.Next(Nodes.Count)].Metadata.Name;
            string app = $"app-{random.Next(Options.Apps)}";
            V1Pod pod = Pod($"bound-{k:D7}", app, milliCpu: 100, memoryMi: 256, node);
            if (random.NextDouble() < Options.RunningWithAntiAffinityFraction)
                pod.Spec.Affinity = new V1Affinity { PodAntiAffinity = new V1PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = new List<V1PodAffinityTerm> { Term(HostnameKey, $"app-{random.Next(Options.Apps)}") } } };
            yield return pod;
        }
    }

    /// <summary>Pending pods of one shape, without spec.nodeName: a 1-core pilot, or one in four an 8-core pilot.</summary>
    public IEnumerable<V1Pod> PendingPods(int count, PodShape shape, int seed = 2, string prefix = "pilot")
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int cores = random.Next(4) == 0 ? 8 : 1;
            V1Pod pod = Pod($"{prefix}-{i:D6}-{cores}c", cores == 8 ? "pilot-multi" : "pilot-single", cores * 1000, cores * 2048, null);
            switch (shape)
            {
                case PodShape.Affinity:
                    pod.Spec.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" };
                    pod.Spec.Tolerations = new List<V1Toleration> { new() { Key = "dedicated", OperatorProperty = "Equal", Value = "cms", Effect = "NoSchedule" } };
                    int z = random.Next(Options.Zones);
                    pod.Spec.Affinity = new V1Affinity
                    {
                        NodeAffinity = new V1NodeAffinity
                        {
                            RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                            {
                                NodeSelectorTerms = new List<V1NodeSelectorTerm>
                                {
                                    new() { MatchExpressions = new List<V1NodeSelectorRequirement> { new() { Key = GroupKey, OperatorProperty = "In", Values = new List<string> { "worker", "cms" } } } },
                                },
                            },
                            PreferredDuringSchedulingIgnoredDuringExecution = new List<V1PreferredSchedulingTerm>
                            {
                                new()
                                {
                                    Weight = 10,
                                    Preference = new V1NodeSelectorTerm
                                    {
                                        MatchExpressions = new List<V1NodeSelectorRequirement>
                                        {
                                            new() { Key = ZoneKey, OperatorProperty = "In", Values = new List<string> { $"zone-{z}", $"zone-{(z + 1) % Options.Zones}" } },
                                        },
                                    },
                                },
                            },
                        },
                    };
                    break;
                case PodShape.AntiAffinity:
                    pod.Spec.Affinity = new V1Affinity
                    {
                        PodAntiAffinity = new V1PodAntiAffinity
                        {
                            RequiredDuringSchedulingIgnoredDuringExecution = new List<V1PodAffinityTerm> { Term(HostnameKey, $"app-{random.Next(Options.Apps)}") },
                            PreferredDuringSchedulingIgnoredDuringExecution = new List<V1WeightedPodAffinityTerm>
                            {
                                new() { Weight = 50, PodAffinityTerm = Term(ZoneKey, $"app-{random.Next(Options.Apps)}") },
                            },
                        },
                    };
                    break;
            }
            yield return pod;
        }
    }

    /// <summary>Compiles the nodes and the running pods into a fresh cluster state (the namespace included).</summary>
    public ClusterState BuildState(ObjectTranslator translator) => BuildState(translator, RunningPods());

    /// <summary>Compiles the nodes and <paramref name="running"/> (each with spec.nodeName) into a fresh cluster state.</summary>
    public ClusterState BuildState(ObjectTranslator translator, IEnumerable<V1Pod> running)
    {
        var state = new ClusterState(translator.Interner);
        state.SetNamespace(Namespace, null);
        // Nodes first: a node added after its pods scans every pod.
        foreach (V1Node n in Nodes) state.AddOrUpdateNode(translator.TranslateNode(n));
        foreach (V1Pod p in running) state.AddPod(translator.TranslatePod(p));
        return state;
    }

    /// <summary>The pending pods compiled, in order (Order = index), ready for the engine.</summary>
    public List<PodInfo> CompilePending(ObjectTranslator translator, int count, PodShape shape, int seed = 2)
    {
        var list = new List<PodInfo>(count);
        long order = 0;
        foreach (V1Pod p in PendingPods(count, shape, seed)) list.Add(translator.TranslatePod(p, order: order++));
        return list;
    }

    private static V1Node Node(string name, string zone, string group, int cores, int gpus, V1Taint? taint)
    {
        var allocatable = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cores.ToString()),
            ["memory"] = new($"{cores * 4}Gi"),
            ["pods"] = new("110"),
        };
        if (gpus > 0) allocatable["nvidia.com/gpu"] = new(gpus.ToString());
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string>
                {
                    [HostnameKey] = name,
                    [ZoneKey] = zone,
                    ["kubernetes.io/os"] = "linux",
                    [GroupKey] = group,
                },
            },
            Spec = new V1NodeSpec { Taints = taint is null ? null : new List<V1Taint> { taint } },
            Status = new V1NodeStatus { Allocatable = allocatable, Capacity = new Dictionary<string, ResourceQuantity>(allocatable) },
        };
    }

    private static V1Pod Pod(string name, string app, int milliCpu, int memoryMi, string? nodeName) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string> { ["app"] = app },
        },
        Spec = new V1PodSpec
        {
            SchedulerName = SchedulerName,
            NodeName = nodeName,
            Containers = new List<V1Container>
            {
                new()
                {
                    Name = "main",
                    Image = "atlas/pilot",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity>
                        {
                            ["cpu"] = new($"{milliCpu}m"),
                            ["memory"] = new($"{memoryMi}Mi"),
                        },
                    },
                },
            },
        },
    };

    private static V1PodAffinityTerm Term(string topologyKey, string app) => new()
    {
        TopologyKey = topologyKey,
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
    };
}

/// <summary>Profiles the benchmarks run.</summary>
public static class WorkloadProfiles
{
    /// <summary>
    /// The node-packing profile (every filter; NodeResourcesFit MostAllocated 1, InterPodAffinity 2)
    /// plus the NodeAffinity and TaintToleration scores (weight 1 each), every node scored: all
    /// filters and all scores this scheduler implements.
    /// </summary>
    public static Policy.SchedulerProfile AllPlugins() => Policy.SchedulerProfile.NodePacking() with
    {
        Scores = new[]
        {
            new Policy.WeightedScore(Policy.ScorePlugin.NodeResourcesFit, 1),
            new Policy.WeightedScore(Policy.ScorePlugin.InterPodAffinity, 2),
            new Policy.WeightedScore(Policy.ScorePlugin.NodeAffinity, 1),
            new Policy.WeightedScore(Policy.ScorePlugin.TaintToleration, 1),
        },
        PercentageOfNodesToScore = 100,
    };
}
