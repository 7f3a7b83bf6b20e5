using System.Text.Json;
using k8s.Models;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scenarios;
using PackingScheduler.Core.Simulation;

namespace PackingScheduler.Tests.Cli;

/// <summary>README's first command simulates examples/grid-site.yaml: pin what it shows.</summary>
public sealed class BuiltInExampleTests
{
    private static readonly Dictionary<string, (string? Node, string? Message)> Placements = Run();

    private static Dictionary<string, (string? Node, string? Message)> Run()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("simulate", "-f", Path.Combine(RepoPaths.Examples, "grid-site.yaml"), "-o", "json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        return doc.RootElement.GetProperty("placements").EnumerateArray().ToDictionary(
            p => p.GetProperty("pod").GetString()!,
            p => (p.GetProperty("node").GetString(), p.GetProperty("message").GetString()));
    }

    [Fact]
    public void Every_8_core_pilot_finds_a_node()
    {
        var multicore = Placements.Where(p => p.Key.StartsWith("atlas/pilot-8c-")).ToList();
        Assert.Equal(12, multicore.Count);
        Assert.All(multicore, p => Assert.StartsWith("wn-", p.Value.Node));
    }

    [Fact]
    public void Packing_leaves_more_nodes_able_to_take_an_8_core_pilot_than_spreading()
    {
        Scenario scenario = ScenarioLoader.LoadFile(Path.Combine(RepoPaths.Examples, "grid-site.yaml"));
        int packed = FreeMulticoreSlots(scenario, SchedulerProfile.NodePacking());
        int spread = FreeMulticoreSlots(scenario, SchedulerProfile.NodePacking() with { ScoringStrategy = ScoringStrategy.LeastAllocated() });

        // The figures README quotes: 5 of the 24 schedulable workers keep an 8-core slot with packing, none with spreading.
        Assert.Equal((5, 0), (packed, spread));
    }

    /// <summary>Schedulable workers with at least 8 cores not requested after the simulation.</summary>
    private static int FreeMulticoreSlots(Scenario scenario, SchedulerProfile profile)
    {
        var used = new Dictionary<string, long>();
        void Add(string node, V1Pod pod) =>
            used[node] = used.GetValueOrDefault(node) + pod.Spec.Containers.Sum(c => (long)(c.Resources.Requests["cpu"].ToDecimal() * 1000));
        foreach (var p in scenario.BoundPods) Add(p.Object.Spec.NodeName, p.Object);
        Dictionary<string, V1Pod> pending = scenario.PendingPods.ToDictionary(p => $"{p.Namespace}/{p.Name}", p => p.Object);
        foreach (Placement placement in Simulator.Run(scenario, profile))
        {
            if (placement.Node is not null) Add(placement.Node, pending[placement.Pod]);
        }
        return scenario.Nodes.Count(n => n.Object.Spec?.Unschedulable != true && n.Name.StartsWith("wn-")
            && (long)(n.Object.Status.Allocatable["cpu"].ToDecimal() * 1000) - used.GetValueOrDefault(n.Name) >= 8000);
    }

    [Fact]
    public void Gpu_jobs_go_only_to_the_tainted_gpu_nodes_and_nothing_else_does()
    {
        Assert.All(Placements.Where(p => p.Key.StartsWith("cms/gpu-job-")), p => Assert.StartsWith("gpu-", p.Value.Node));
        Assert.All(Placements.Where(p => !p.Key.StartsWith("cms/gpu-job-") && p.Value.Node is not null), p => Assert.DoesNotMatch("^gpu-", p.Value.Node!));
    }

    [Fact]
    public void Only_the_cms_pilot_may_use_the_dedicated_node_and_nobody_uses_the_cordoned_one()
    {
        Assert.All(Placements.Where(p => p.Value.Node == "cms-01"), p => Assert.Equal("cms/cms-pilot-01", p.Key));
        Assert.DoesNotContain(Placements.Values, p => p.Node == "wn-25");
    }

    [Fact]
    public void The_64_core_pilot_is_reported_with_kube_scheduler_reasons()
    {
        (string? node, string? message) = Placements["atlas/pilot-64c"];
        Assert.Null(node);
        Assert.StartsWith("0/30 nodes are available: ", message);
        Assert.Contains("1 node(s) were unschedulable", message);
        Assert.Contains("node(s) had untolerated taint {nvidia.com/gpu: present}", message);
        Assert.Contains("Insufficient cpu", message);
    }
}
