using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>Small builders for test objects.</summary>
internal static class Objects
{
    public static V1Pod Pod(string name, string ns = "default", string? scheduler = null, string? node = null, IDictionary<string, string>? labels = null) =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels },
            Spec = new V1PodSpec
            {
                SchedulerName = scheduler,
                NodeName = node,
                Containers =
                [
                    new V1Container
                    {
                        Name = "main",
                        Image = "registry.k8s.io/pause:3.10",
                        Resources = new V1ResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
                        },
                    },
                ],
            },
        };

    public static V1Node Node(string name, string cpu = "4", string memory = "8Gi") =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Status = new V1NodeStatus
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new("110") },
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new("110") },
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
            },
        };

    public static V1Binding Binding(string pod, string node, string ns = "default", string? uid = null) =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = ns, Uid = uid },
            Target = new V1ObjectReference { Kind = "Node", ApiVersion = "v1", Name = node },
        };
}
