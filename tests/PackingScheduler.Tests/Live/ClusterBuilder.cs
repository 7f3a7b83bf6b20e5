using k8s.Models;

namespace PackingScheduler.Tests.Live;

/// <summary>Nodes and pods for the live tests, seeded, and the scenario text simulate reads for the same objects.</summary>
internal static class ClusterBuilder
{
    public const string SchedulerName = "node-packing-scheduler";

    public static V1Node Node(string name, int cores, int pods = 110, string? zone = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name, ["topology.kubernetes.io/zone"] = zone ?? "z1" },
        },
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity>
            {
                ["cpu"] = new(cores.ToString()),
                ["memory"] = new($"{cores * 4}Gi"),
                ["pods"] = new(pods.ToString()),
            },
        },
    };

    public static V1Pod Pod(string name, int cores, string ns = "atlas", string? nodeName = null, string schedulerName = SchedulerName) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app"] = "pilot" } },
        Spec = new V1PodSpec
        {
            SchedulerName = schedulerName,
            NodeName = nodeName,
            Containers = new List<V1Container>
            {
                new()
                {
                    Name = "pilot",
                    Image = "atlas/pilot",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cores.ToString()), ["memory"] = new($"{cores * 2}Gi") },
                    },
                },
            },
        },
    };

    /// <summary>A grid site: nodes of 16, 32 and 64 cores; three 1-core pilots for each 8-core one.</summary>
    public static (List<V1Node> Nodes, List<V1Pod> Pods) GridSite(int nodes, int pods, int seed)
    {
        var random = new Random(seed);
        var nodeList = new List<V1Node>(nodes);
        int[] sizes = { 16, 32, 64 };
        for (int i = 0; i < nodes; i++) nodeList.Add(Node($"wn-{i:D4}", sizes[random.Next(sizes.Length)], zone: $"z{i % 4}"));
        var podList = new List<V1Pod>(pods);
        for (int i = 0; i < pods; i++)
        {
            int cores = random.Next(4) == 0 ? 8 : 1;
            podList.Add(Pod($"pilot-{i:D5}-{cores}c", cores));
        }
        return (nodeList, podList);
    }

    /// <summary>The objects as a scenario file, for comparing with simulate.</summary>
    public static string Scenario(IEnumerable<V1Node> nodes, IEnumerable<V1Pod> pods) =>
        k8s.KubernetesYaml.SerializeAll(nodes.Cast<object>().Concat(pods));
}
