using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Predicates;

/// <summary>
/// Ported from upstream noderesources/fit_test.go. The node there is makeAllocatableResources(10, 20, 32, 5, 20, 5):
/// 10m cpu, 20 bytes of memory, 32 pods, 5 example.com/aaa, 20 bytes of ephemeral storage, 5 hugepages-2Mi.
/// </summary>
public class NodeResourcesFitTests
{
    private const string ExtendedA = "example.com/aaa";
    private const string ExtendedB = "example.com/bbb";
    private const string KubernetesIOA = "kubernetes.io/something";
    private const string KubernetesIOB = "subdomain.kubernetes.io/something";
    private const string HugePageA = "hugepages-2Mi";

    /// <summary>One container per usage, requesting milli-cpu, memory and the scalars given, as upstream's newResourcePod.</summary>
    private static PodBuilder Usage(PodBuilder pod, long milliCpu, long memory, params (string Name, long Amount)[] scalars)
    {
        pod.Requests(cpu: $"{milliCpu}m", memory: $"{memory}", ephemeralStorage: "0");
        foreach ((string name, long amount) in scalars) pod.Request(name, amount.ToString());
        return pod;
    }

    private static PodBuilder Existing(long milliCpu, long memory, params (string, long)[] scalars) =>
        Usage(Pod("existing").OnNode("node"), milliCpu, memory, scalars);

    private static PodBuilder Incoming(long milliCpu, long memory, params (string, long)[] scalars) =>
        Usage(Pod("incoming"), milliCpu, memory, scalars);

    private static NodeBuilder StandardNode(string pods = "32") =>
        Node("node").Allocatable(cpu: "10m", memory: "20", pods: pods, ephemeralStorage: "20").Resource(ExtendedA, "5").Resource(HugePageA, "5");

    private static string[] Run(PodBuilder incoming, PodBuilder existing, NodeBuilder? node = null,
        IReadOnlySet<string>? ignored = null, IReadOnlySet<string>? ignoredGroups = null)
    {
        var c = new TestCluster().Nodes(node ?? StandardNode()).Running(existing);
        return c.Filter(new NodeResourcesFit(c.Interner, ignored, ignoredGroups), incoming, "node").Reasons();
    }

    private static string Insufficient(string resource) => $"Insufficient {resource}";

    public static TheoryData<string, PodBuilder, PodBuilder, string[]> EnoughRequests => new()
    {
        // ported from upstream fit_test.go TestEnoughRequests, case by case:
        { "no resources requested always fits", Incoming(0, 0), Existing(10, 20), new string[0] },
        { "too many resources fails", Incoming(1, 1), Existing(10, 20), new[] { Insufficient("cpu"), Insufficient("memory") } },
        { "too many resources fails due to init container cpu", Incoming(1, 1).InitContainer(cpu: "3m", memory: "1"), Existing(8, 19), new[] { Insufficient("cpu") } },
        { "too many resources fails due to highest init container cpu", Incoming(1, 1).InitContainer(cpu: "3m", memory: "1").InitContainer(cpu: "2m", memory: "1"), Existing(8, 19), new[] { Insufficient("cpu") } },
        { "too many resources fails due to init container memory", Incoming(1, 1).InitContainer(cpu: "1m", memory: "3"), Existing(9, 19), new[] { Insufficient("memory") } },
        { "too many resources fails due to highest init container memory", Incoming(1, 1).InitContainer(cpu: "1m", memory: "3").InitContainer(cpu: "1m", memory: "2"), Existing(9, 19), new[] { Insufficient("memory") } },
        { "init container fits because it's the max, not sum, of containers and init containers", Incoming(1, 1).InitContainer(cpu: "1m", memory: "1"), Existing(9, 19), new string[0] },
        { "multiple init containers fit because it's the max, not sum, of containers and init containers", Incoming(1, 1).InitContainer(cpu: "1m", memory: "1").InitContainer(cpu: "1m", memory: "1"), Existing(9, 19), new string[0] },
        { "both resources fit", Incoming(1, 1), Existing(5, 5), new string[0] },
        { "one resource memory fits", Incoming(2, 1), Existing(9, 5), new[] { Insufficient("cpu") } },
        { "one resource cpu fits", Incoming(1, 2), Existing(5, 19), new[] { Insufficient("memory") } },
        { "equal edge case", Incoming(5, 1), Existing(5, 19), new string[0] },
        { "equal edge case for init container", Incoming(4, 1).InitContainer(cpu: "5m", memory: "1"), Existing(5, 19), new string[0] },
        { "extended resource fits", Incoming(0, 0, (ExtendedA, 1)), Existing(0, 0), new string[0] },
        { "extended resource fits for init container", Incoming(0, 0).InitContainer(extra: (ExtendedA, "1")), Existing(0, 0), new string[0] },
        { "extended resource capacity enforced", Incoming(1, 1, (ExtendedA, 10)), Existing(0, 0, (ExtendedA, 0)), new[] { Insufficient(ExtendedA) } },
        { "extended resource capacity enforced for init container", Incoming(0, 0).InitContainer(cpu: "1m", memory: "1", extra: (ExtendedA, "10")), Existing(0, 0, (ExtendedA, 0)), new[] { Insufficient(ExtendedA) } },
        { "extended resource allocatable enforced", Incoming(1, 1, (ExtendedA, 1)), Existing(0, 0, (ExtendedA, 5)), new[] { Insufficient(ExtendedA) } },
        { "extended resource allocatable enforced for init container", Incoming(0, 0).InitContainer(cpu: "1m", memory: "1", extra: (ExtendedA, "1")), Existing(0, 0, (ExtendedA, 5)), new[] { Insufficient(ExtendedA) } },
        { "extended resource allocatable enforced for multiple containers", Usage(Incoming(1, 1, (ExtendedA, 3)), 1, 1, (ExtendedA, 3)), Existing(0, 0, (ExtendedA, 2)), new[] { Insufficient(ExtendedA) } },
        { "extended resource allocatable admits multiple init containers", Incoming(0, 0).InitContainer(cpu: "1m", memory: "1", extra: (ExtendedA, "3")).InitContainer(cpu: "1m", memory: "1", extra: (ExtendedA, "3")), Existing(0, 0, (ExtendedA, 2)), new string[0] },
        { "extended resource allocatable enforced for multiple init containers", Incoming(0, 0).InitContainer(cpu: "1m", memory: "1", extra: (ExtendedA, "6")).InitContainer(cpu: "1m", memory: "1", extra: (ExtendedA, "3")), Existing(0, 0, (ExtendedA, 2)), new[] { Insufficient(ExtendedA) } },
        { "extended resource allocatable enforced for unknown resource", Incoming(1, 1, (ExtendedB, 1)), Existing(0, 0), new[] { Insufficient(ExtendedB) } },
        { "extended resource allocatable enforced for unknown resource for init container", Incoming(0, 0).InitContainer(cpu: "1m", memory: "1", extra: (ExtendedB, "1")), Existing(0, 0), new[] { Insufficient(ExtendedB) } },
        { "kubernetes.io resource capacity enforced", Incoming(1, 1, (KubernetesIOA, 10)), Existing(0, 0), new[] { Insufficient(KubernetesIOA) } },
        { "kubernetes.io resource capacity enforced for init container", Incoming(0, 0).InitContainer(cpu: "1m", memory: "1", extra: (KubernetesIOB, "10")), Existing(0, 0), new[] { Insufficient(KubernetesIOB) } },
        { "hugepages resource capacity enforced", Incoming(1, 1, (HugePageA, 10)), Existing(0, 0, (HugePageA, 0)), new[] { Insufficient(HugePageA) } },
        { "hugepages resource capacity enforced for init container", Incoming(0, 0).InitContainer(cpu: "1m", memory: "1", extra: (HugePageA, "10")), Existing(0, 0, (HugePageA, 0)), new[] { Insufficient(HugePageA) } },
        { "hugepages resource allocatable enforced for multiple containers", Usage(Incoming(1, 1, (HugePageA, 3)), 1, 1, (HugePageA, 3)), Existing(0, 0, (HugePageA, 2)), new[] { Insufficient(HugePageA) } },
        { "resources + pod overhead fits", Incoming(1, 1).Overhead(cpu: "3m", memory: "13"), Existing(5, 5), new string[0] },
        { "requests + overhead does not fit for memory", Incoming(1, 1).Overhead(cpu: "1m", memory: "15"), Existing(5, 5), new[] { Insufficient("memory") } },
        { "skip checking extended resource request with quantity zero via resource groups", Incoming(1, 1, (ExtendedA, 0)), Existing(0, 0, (ExtendedA, 6)), new string[0] },
        { "skip checking resource request with quantity zero", Incoming(0, 0, (ExtendedA, 1)), Existing(20, 30, (ExtendedA, 1)), new string[0] },
    };

    [Theory]
    [MemberData(nameof(EnoughRequests))]
    public void Requests_must_fit_what_is_left_and_every_short_resource_is_reported(string _, PodBuilder incoming, PodBuilder existing, string[] reasons)
    {
        Assert.Equal(reasons, Run(incoming, existing));
    }

    [Fact]
    public void Ignored_extended_resource_is_not_checked()
    {
        // ported from upstream fit_test.go: "skip checking ignored extended resource"
        Assert.Empty(Run(Incoming(1, 1, (ExtendedB, 1)), Existing(0, 0), ignored: new HashSet<string> { ExtendedB }));
    }

    [Fact]
    public void Ignored_resource_group_skips_its_extended_resources_only()
    {
        // ported from upstream fit_test.go: "skip checking ignored extended resource via resource groups"
        Assert.Equal(new[] { Insufficient(KubernetesIOA) },
            Run(Incoming(1, 1, (ExtendedB, 1), (KubernetesIOA, 1)), Existing(0, 0), ignoredGroups: new HashSet<string> { "example.com" }));
    }

    [Theory]
    // Upstream ignores only extended resources (v1helper.IsExtendedResourceName): names in the
    // kubernetes.io/ namespace are native and always checked, whatever ignoredResources says.
    [InlineData(KubernetesIOA, null)]
    [InlineData(KubernetesIOB, null)]
    [InlineData(null, "kubernetes.io")]
    [InlineData(null, "subdomain.kubernetes.io")]
    public void Prefixed_native_resources_cannot_be_ignored(string? ignored, string? group)
    {
        string resource = ignored ?? (group == "kubernetes.io" ? KubernetesIOA : KubernetesIOB);
        string[] reasons = Run(Incoming(1, 1, (resource, 1)), Existing(0, 0),
            ignored: ignored is null ? null : new HashSet<string> { ignored },
            ignoredGroups: group is null ? null : new HashSet<string> { group });
        Assert.Equal(new[] { Insufficient(resource) }, reasons);
    }

    [Fact]
    public void Ignored_hugepages_are_still_checked()
    {
        Assert.Equal(new[] { Insufficient(HugePageA) },
            Run(Incoming(1, 1, (HugePageA, 10)), Existing(0, 0), ignored: new HashSet<string> { HugePageA }));
    }

    [Theory]
    // ported from upstream fit_test.go TestNotEnoughRequests: a node allowing 1 pod that already runs one
    [InlineData("even without specified resources, predicate fails when there's no space for additional pod", 0, 0, 10, 20)]
    [InlineData("even if both resources fit, predicate fails when there's no space for additional pod", 1, 1, 5, 5)]
    [InlineData("even for equal edge case, predicate fails when there's no space for additional pod", 5, 1, 5, 19)]
    public void Node_allowing_no_more_pods_rejects_with_too_many_pods(string _, long cpu, long memory, long usedCpu, long usedMemory)
    {
        string[] reasons = Run(Incoming(cpu, memory), Existing(usedCpu, usedMemory), Node("node").Allocatable(cpu: "10m", memory: "20", pods: "1"));
        Assert.Equal(new[] { NodeResourcesFit.TooManyPods }, reasons);
    }

    [Fact]
    public void Too_many_pods_is_reported_with_the_short_resources()
    {
        string[] reasons = Run(Incoming(2, 2), Existing(9, 19), Node("node").Allocatable(cpu: "10m", memory: "20", pods: "1"));
        Assert.Equal(new[] { NodeResourcesFit.TooManyPods, Insufficient("cpu"), Insufficient("memory") }, reasons);
    }

    [Theory]
    // ported from upstream fit_test.go TestStorageRequests
    [InlineData("empty storage requested, and pod fits", 0, 0, true)]
    [InlineData("storage ephemeral local storage request exceeds allocatable", 25, 0, false)]
    [InlineData("ephemeral local storage is sufficient", 5, 10, true)]
    [InlineData("pod fits", 10, 0, true)]
    public void Ephemeral_storage_must_fit(string _, int want, int used, bool fits)
    {
        PodBuilder incoming = Pod("incoming").Requests(cpu: "1m", memory: "1", ephemeralStorage: want.ToString());
        PodBuilder existing = Pod("existing").OnNode("node").Requests(cpu: "2m", memory: "2", ephemeralStorage: used.ToString());
        string[] reasons = Run(incoming, existing);
        Assert.Equal(fits ? new string[0] : new[] { Insufficient("ephemeral-storage") }, reasons);
    }

    [Fact]
    public void Sidecar_requests_count_for_the_whole_life_of_the_pod()
    {
        // 4m app + 4m sidecar does not fit 10m - 5m used, although each alone would.
        Assert.Equal(new[] { Insufficient("cpu") }, Run(Incoming(4, 1).InitContainer(cpu: "4m", sidecar: true), Existing(5, 1)));
    }

    [Fact]
    public void Removing_a_pod_gives_back_its_requests()
    {
        var c = new TestCluster().Nodes(StandardNode()).Running(Existing(10, 20));
        c.State.RemovePod("default/existing");
        Assert.True(c.Filter(new NodeResourcesFit(c.Interner), Incoming(10, 20), "node").IsSuccess);
    }
}
