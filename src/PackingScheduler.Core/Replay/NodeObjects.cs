using k8s.Models;

namespace PackingScheduler.Core.Replay;

/// <summary>Kubernetes Node objects for a trace's compact node groups.</summary>
public static class NodeObjects
{
    public static V1Node For(string name, long milliCpu, long memory, long pods) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name },
        },
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity>
            {
                ["cpu"] = new(milliCpu % 1000 == 0 ? (milliCpu / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{milliCpu}m"),
                ["memory"] = new(memory.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ["pods"] = new(pods.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            },
        },
    };

    /// <summary>GROUP-001, GROUP-002, ...: zero-padded so that name order (the engine's tie rule) is index order.</summary>
    public static void AddGroup(List<V1Node> nodes, NodeGroup group)
    {
        for (int i = 1; i <= group.Count; i++)
            nodes.Add(For($"{group.Name}-{i:D3}", group.MilliCpu, group.Memory, group.Pods));
    }
}
