using k8s.Models;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Tests.Support;
using PackingScheduler.Core.Translation;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Translation;

/// <summary>
/// Objects the API server would refuse, or the engine cannot use, are InvalidObjectExceptions
/// naming the offending field.
/// </summary>
public class ValidationTests
{
    private const string Required = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";

    private static InvalidObjectException PodError(V1Pod pod) =>
        Assert.Throws<InvalidObjectException>(() => new ObjectTranslator(new Interner()).TranslatePod(pod));

    public static TheoryData<string, PodBuilder, string> InvalidPods => new()
    {
        // Tolerations
        { "unknown toleration operator", Pod("p").Toleration("k", "Gt", "5", "NoSchedule"), "spec.tolerations[0].operator" },
        { "Exists with a value", Pod("p").Toleration("k", "Exists", "v", "NoSchedule"), "spec.tolerations[0].value" },
        { "empty key without Exists", Pod("p").Toleration(null, "Equal", "v"), "spec.tolerations[0].operator" },
        { "empty key with the default operator", Pod("p").Toleration("", null, null), "spec.tolerations[0].operator" },
        { "bad toleration effect", Pod("p").Toleration("k", "Equal", "v", "NoScheduleAtAll"), "spec.tolerations[0].effect" },
        { "second toleration is named", Pod("p").Toleration("a", "Exists").Toleration("b", "Sometimes"), "spec.tolerations[1].operator" },
        // Node affinity
        { "unknown node selector operator", Pod("p").RequiredNodeAffinity(NodeTerms.Term(NodeTerms.Expr("k", "Like", "v"))), Required + "[0].matchExpressions[0].operator" },
        { "In without values", Pod("p").RequiredNodeAffinity(NodeTerms.Term(NodeTerms.Expr("k", "In"))), Required + "[0].matchExpressions[0].values" },
        // ported from upstream component-helpers nodeaffinity_test.go TestNodeSelectorRequirementsAsSelector: Exists with values
        { "Exists with values", Pod("p").RequiredNodeAffinity(NodeTerms.Term(NodeTerms.Expr("foo", "Exists", "bar", "baz"))), Required + "[0].matchExpressions[0].values" },
        { "Gt with two values", Pod("p").RequiredNodeAffinity(NodeTerms.Term(NodeTerms.Expr("k", "Gt", "1", "2"))), Required + "[0].matchExpressions[0].values" },
        { "Lt with a non-integer", Pod("p").RequiredNodeAffinity(NodeTerms.Term(NodeTerms.Expr("k", "Lt", "seven"))), Required + "[0].matchExpressions[0].values[0]" },
        { "empty key", Pod("p").RequiredNodeAffinity(NodeTerms.Term(NodeTerms.Expr("", "Exists"))), Required + "[0].matchExpressions[0].key" },
        // ported from upstream node_affinity_test.go: "Pod with an invalid value in Affinity term won't be scheduled onto the node"
        { "NotIn with an invalid label value", Pod("p").RequiredNodeAffinity(NodeTerms.Term(NodeTerms.Expr("foo", "NotIn", "invalid value: ___@#$%^"))), Required + "[0].matchExpressions[0].values[0]" },
        { "In with a label value over 63 characters", Pod("p").RequiredNodeAffinity(NodeTerms.Term(NodeTerms.Expr("foo", "In", new string('a', 64)))), Required + "[0].matchExpressions[0].values[0]" },
        // ported from upstream nodeaffinity_test.go TestNodeSelectorMatch: "invalid field selector and label selector"
        { "matchFields with two values", Pod("p").RequiredNodeAffinity(NodeTerms.Fields(new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = new List<string> { "host_1", "host_2" } })), Required + "[0].matchFields[0].values" },
        { "matchFields on another field", Pod("p").RequiredNodeAffinity(NodeTerms.Fields(new V1NodeSelectorRequirement { Key = "metadata.uid", OperatorProperty = "In", Values = new List<string> { "x" } })), Required + "[0].matchFields[0].key" },
        { "matchFields with Exists", Pod("p").RequiredNodeAffinity(NodeTerms.Fields(new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "Exists" })), Required + "[0].matchFields[0].operator" },
        { "no node selector terms", Pod("p").RequiredNodeAffinity(), Required },
        { "preferred weight 0", Pod("p").PreferredNodeAffinity(0, NodeTerms.Term(NodeTerms.Expr("k", "Exists"))), "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight" },
        { "preferred weight 101", Pod("p").PreferredNodeAffinity(101, NodeTerms.Term(NodeTerms.Expr("k", "Exists"))), "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight" },
        // Pod affinity
        { "pod affinity without topology key", Pod("p").PodAffinity(PodTerms.In("app", "", "db")), "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey" },
        { "label selectors have no Gt", Pod("p").PodAntiAffinity(PodTerms.Term("zone", PodTerms.Requirement("n", "Gt", "1"))), "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].operator" },
        { "preferred pod affinity weight 0", Pod("p").PreferredPodAffinity(0, PodTerms.Exists("app", "zone")), "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight" },
        // Resources
        { "negative cpu request", Pod("p").Requests(cpu: "-1"), "spec.containers[0].resources.requests.cpu" },
        { "negative memory limit turned request", Pod("p").LimitsOnly(memory: "-1Gi"), "spec.containers[0].resources.requests.memory" },
        { "negative fraction of a byte", Pod("p").Requests(memory: "-100m"), "spec.containers[0].resources.requests.memory" },
        { "cpu request too large for millicores", Pod("p").Requests(cpu: "9999999999999999999999Ei"), "spec.containers[0].resources.requests.cpu" },
        { "unsupported resource name", Pod("p").Requests(cpu: "1").Request("foo", "1"), "spec.containers[0].resources.requests.foo" },
        { "negative init container request", Pod("p").Requests(cpu: "1").InitContainer(cpu: "-1"), "spec.initContainers[0].resources.requests.cpu" },
        { "negative overhead", Pod("p").Overhead(cpu: "-1"), "spec.overhead.cpu" },
        // Ports and volumes
        { "host port out of range", Pod("p").HostPort(70000), "spec.containers[0].ports[0].hostPort" },
        { "unknown protocol", Pod("p").HostPort(80, "HTTP"), "spec.containers[0].ports[0].protocol" },
        { "claim without name", Pod("p").PersistentVolumeClaim(""), "spec.volumes[0].persistentVolumeClaim.claimName" },
        { "gce disk without name", Pod("p").GcePersistentDisk(""), "spec.volumes[0].gcePersistentDisk.pdName" },
    };

    [Theory]
    [MemberData(nameof(InvalidPods))]
    public void Invalid_pod_field_is_named(string _, PodBuilder pod, string field)
    {
        Assert.Equal(field, PodError(pod.Build()).Field);
    }

    [Fact]
    public void Pod_without_containers_is_invalid()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = new List<V1Container>() } };
        Assert.Equal("spec.containers", PodError(pod).Field);
    }

    [Fact]
    public void Pod_without_name_is_invalid()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta(), Spec = new V1PodSpec { Containers = new List<V1Container> { new() { Name = "c" } } } };
        Assert.Equal("metadata.name", PodError(pod).Field);
    }

    [Fact]
    public void Exception_message_is_field_then_problem()
    {
        InvalidObjectException e = PodError(Pod("p").Toleration("k", "Exists", "v").Build());
        Assert.StartsWith("spec.tolerations[0].value: ", e.Message);
        Assert.Contains("Exists", e.Problem);
    }

    public static TheoryData<string, NodeBuilder, string> InvalidNodes => new()
    {
        { "bad taint effect", Node("n").Taint("k", "v", "NoScheduleAtAll"), "spec.taints[0].effect" },
        { "missing taint effect", Node("n").Taint("k", "v", ""), "spec.taints[0].effect" },
        { "taint without key", Node("n").Taint("", "v", "NoSchedule"), "spec.taints[0].key" },
        { "second taint is named", Node("n").Taint("a", null, "NoSchedule").Taint("b", null, "Sometimes"), "spec.taints[1].effect" },
        { "negative allocatable", Node("n").Allocatable(cpu: "-4"), "status.allocatable.cpu" },
        { "negative capacity", Node("n").Capacity(memory: "-1"), "status.capacity.memory" },
    };

    [Theory]
    [MemberData(nameof(InvalidNodes))]
    public void Invalid_node_field_is_named(string _, NodeBuilder node, string field)
    {
        var e = Assert.Throws<InvalidObjectException>(() => new ObjectTranslator(new Interner()).TranslateNode(node.Build()));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Tolerations_with_empty_effect_and_default_operator_are_valid()
    {
        PodInfo p = new ObjectTranslator(new Interner()).TranslatePod(Pod("p").Toleration("k", null, "v").Toleration(null, "Exists").Build());
        Assert.Equal(TolerationOperator.Equal, p.Tolerations[0].Operator);
        Assert.Equal(TaintEffect.None, p.Tolerations[0].Effect);
        Assert.Equal(Interner.None, p.Tolerations[1].Key);
    }
}
