using PackingScheduler.Core.Model;
using PackingScheduler.Core.Tests.Support;
using PackingScheduler.Core.Translation;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Translation;

/// <summary>
/// A pod's request as the fit check sees it (upstream resourcehelper.PodRequests): app containers
/// summed, each init container against that sum, sidecars added, then overhead; and the
/// "non-zero" variant the scores use, which gives containers with no cpu or memory request
/// 100m and 200Mi.
/// </summary>
public class PodRequestTests
{
    private const long Mi = 1024 * 1024;
    private const long Gi = 1024 * Mi;

    private static PodInfo Translate(PodBuilder pod) => new ObjectTranslator(new Interner()).TranslatePod(pod.Build());

    public static TheoryData<string, PodBuilder, long, long> Requests => new()
    {
        { "containers are summed", Pod("p").Requests(cpu: "1", memory: "1Gi").Requests(cpu: "500m", memory: "512Mi"), 1500, Gi + 512 * Mi },
        // ported from upstream component-helpers resource/helpers_test.go: "nil options, larger init container"
        { "an init container larger than the containers wins", Pod("p").Requests(cpu: "1").InitContainer(cpu: "4"), 4000, 0 },
        // ported from upstream helpers_test.go: "nil options, larger containers"
        { "containers larger than the init container win", Pod("p").Requests(cpu: "2").Requests(cpu: "3").InitContainer(cpu: "2"), 5000, 0 },
        { "the max is taken per resource", Pod("p").Requests(cpu: "1", memory: "4Gi").InitContainer(cpu: "2", memory: "1Gi"), 2000, 4 * Gi },
        { "init containers are not summed", Pod("p").Requests(cpu: "1").InitContainer(cpu: "3").InitContainer(cpu: "2"), 3000, 0 },
        // ported from upstream helpers_test.go TestPodRequestsAndLimits: "req-and-overhead"
        { "overhead is added", Pod("p").Requests(cpu: "1", memory: "10").Overhead(cpu: "5", memory: "5"), 6000, 15 },
        // ported from upstream helpers_test.go: "pod overhead included"
        { "overhead is added after the init max", Pod("p").Requests(cpu: "2").Requests(cpu: "3").InitContainer(cpu: "2").Overhead(cpu: "1", memory: "1Gi"), 6000, Gi },
        // ported from upstream helpers_test.go: "restartable init container"
        { "a sidecar runs alongside the containers", Pod("p").Requests(cpu: "1").InitContainer(cpu: "1", sidecar: true), 2000, 0 },
        // ported from upstream helpers_test.go: "multiple restartable init containers" -- max(5, 3+2+1 + 1) = 7
        { "sidecars add up", Pod("p").Requests(cpu: "1").InitContainer(cpu: "5").InitContainer(cpu: "1", sidecar: true).InitContainer(cpu: "2", sidecar: true).InitContainer(cpu: "3", sidecar: true), 7000, 0 },
        // ported from upstream helpers_test.go: "multiple restartable and regular init containers" -- init-2 needs 5 + sidecars 1+2 = 8
        { "an init container counts the sidecars started before it", Pod("p").Requests(cpu: "1").InitContainer(cpu: "5").InitContainer(cpu: "1", sidecar: true).InitContainer(cpu: "2", sidecar: true).InitContainer(cpu: "5").InitContainer(cpu: "3", sidecar: true), 8000, 0 },
        // ported from upstream helpers_test.go: "restartable-init, init and regular" -- 10 + 200
        { "a sidecar before a big init container", Pod("p").Requests(cpu: "100").InitContainer(cpu: "10", sidecar: true).InitContainer(cpu: "200"), 210_000, 0 },
        { "a limit-only container requests its limits", Pod("p").LimitsOnly(cpu: "2", memory: "3Gi"), 2000, 3 * Gi },
        { "a limit fills only the resources without a request", Pod("p").Requests(cpu: "500m").Limit("cpu", "2").Limit("memory", "1Gi"), 500, Gi },
        { "explicit zero requests stay zero", Pod("p").Requests(cpu: "0", memory: "0"), 0, 0 },
        { "a container with no resources requests nothing", Pod("p").EmptyContainer(), 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Pod_request_follows_upstream_PodRequests(string _, PodBuilder pod, long milliCpu, long memory)
    {
        PodInfo p = Translate(pod);
        Assert.Equal(milliCpu, p.Request.MilliCpu);
        Assert.Equal(memory, p.Request.Memory);
    }

    public static TheoryData<string, PodBuilder, long, long> NonZero => new()
    {
        { "a container with no requests counts 100m and 200Mi", Pod("p").EmptyContainer(), 100, 200 * Mi },
        { "explicit zero is not replaced by the defaults", Pod("p").Requests(cpu: "0", memory: "0"), 0, 0 },
        { "only the missing resource gets its default", Pod("p").Requests(cpu: "500m"), 500, 200 * Mi },
        { "defaults are per container", Pod("p").EmptyContainer().EmptyContainer().Requests(memory: "1Gi"), 300, Gi + 400 * Mi },
        { "a limit-only container counts its limit, not the default", Pod("p").LimitsOnly(cpu: "2"), 2000, 200 * Mi },
        { "init containers get the defaults too", Pod("p").EmptyContainer().InitContainer(cpu: "1"), 1000, 200 * Mi },
        { "sidecars get the defaults and add up", Pod("p").EmptyContainer().InitContainer(sidecar: true), 200, 400 * Mi },
        { "overhead is added", Pod("p").EmptyContainer().Overhead(cpu: "250m", memory: "56Mi"), 350, 256 * Mi },
    };

    [Theory]
    [MemberData(nameof(NonZero))]
    public void Non_zero_request_gives_defaults_only_to_missing_requests(string _, PodBuilder pod, long milliCpu, long memory)
    {
        PodInfo p = Translate(pod);
        Assert.Equal(milliCpu, p.NonZeroMilliCpu);
        Assert.Equal(memory, p.NonZeroMemory);
    }

    [Fact]
    public void Extended_resources_hugepages_and_ephemeral_storage_are_requested()
    {
        var interner = new Interner();
        PodInfo p = new ObjectTranslator(interner).TranslatePod(
            Pod("p").Requests(cpu: "1", ephemeralStorage: "2Gi").Request("nvidia.com/gpu", "2").Request("hugepages-2Mi", "4Mi")
                .InitContainer(extra: ("nvidia.com/gpu", "3")).Build());
        Assert.Equal(2 * Gi, p.Request.EphemeralStorage);
        Assert.Equal(3, p.Request.Scalar(interner.Find("nvidia.com/gpu")));   // init container's 3 beats the containers' 2
        Assert.Equal(4 * Mi, p.Request.Scalar(interner.Find("hugepages-2Mi")));
    }

    [Fact]
    public void A_zero_extended_request_is_dropped()
    {
        PodInfo p = Translate(Pod("p").Requests(cpu: "1").Request("example.com/aaa", "0"));
        Assert.Empty(p.Request.Scalars);
    }

    [Theory]
    [InlineData("0.0001", 1)]     // MilliValue rounds up
    [InlineData("2E-3", 2)]
    [InlineData("1e3", 1_000_000)]
    [InlineData("100m", 100)]
    public void Cpu_quantities_go_through_ResourceQuantity_without_losing_precision(string cpu, long milli)
    {
        Assert.Equal(milli, Translate(Pod("p").Requests(cpu: cpu)).Request.MilliCpu);
    }

    [Fact]
    public void Labels_namespace_and_scheduler_name_are_kept()
    {
        PodInfo p = Translate(Pod("p").Label("app", "db"));
        Assert.Equal("default", p.NamespaceName);
        Assert.Equal("default/p", p.Key);
        Assert.Equal(1, p.Labels.Count);
        Assert.Null(p.NodeName);
    }
}
