using k8s;
using k8s.Models;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scenarios;
using PackingScheduler.Core.Simulation;
using PackingScheduler.Tests.Live;

namespace PackingScheduler.Tests.Deployment;

/// <summary>manifests/examples: what a site copies into its pilot submitter.</summary>
public sealed class ExamplesTests
{
    private static readonly IReadOnlyDictionary<string, Type> TypeMap = new Dictionary<string, Type>
    {
        ["scheduling.k8s.io/v1/PriorityClass"] = typeof(V1PriorityClass),
        ["batch/v1/Job"] = typeof(V1Job),
        ["v1/Pod"] = typeof(V1Pod),
    };

    private static List<object> Examples() =>
        Directory.GetFiles(Path.Combine(RenderedManifests.ManifestsDir, "examples"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => RenderedManifests.Load(File.ReadAllText(f), "manifests/examples/" + Path.GetFileName(f), TypeMap))
            .ToList();

    [Fact]
    public void Production_pilots_outrank_backfill_which_never_preempts()
    {
        List<V1PriorityClass> classes = Examples().OfType<V1PriorityClass>().ToList();
        Assert.Contains(classes, c => c.Value > 0 && c.GlobalDefault != true);
        V1PriorityClass backfill = Assert.Single(classes, c => c.Value < 0);
        Assert.Equal("Never", backfill.PreemptionPolicy);
        Assert.DoesNotContain(classes, c => c.GlobalDefault == true);
    }

    [Fact]
    public void Pilot_jobs_use_the_packing_scheduler_with_one_container_and_requests_equal_to_limits()
    {
        List<object> examples = Examples();
        var classes = examples.OfType<V1PriorityClass>().Select(c => c.Metadata.Name).ToHashSet();
        List<V1Job> jobs = examples.OfType<V1Job>().ToList();
        Assert.Equal(new[] { "1", "8" }, jobs.Select(j => j.Spec.Template.Spec.Containers.Single().Resources.Requests["cpu"].ToString()).Order());
        foreach (V1Job job in jobs)
        {
            V1PodSpec spec = job.Spec.Template.Spec;
            Assert.Equal(SchedulerProfile.DefaultSchedulerName, spec.SchedulerName);
            Assert.Equal("Never", spec.RestartPolicy);
            Assert.Contains(spec.PriorityClassName, classes);
            V1Container c = Assert.Single(spec.Containers);
            foreach (string resource in new[] { "cpu", "memory" })
                Assert.Equal(c.Resources.Limits[resource].ToDecimal(), c.Resources.Requests[resource].ToDecimal());
        }
        V1Pod test = Assert.Single(examples.OfType<V1Pod>());
        Assert.Equal(SchedulerProfile.DefaultSchedulerName, test.Spec.SchedulerName);
    }

    [Fact]
    public void The_example_pilots_and_test_pod_schedule_in_a_simulation()
    {
        List<object> examples = Examples();
        var objects = new List<object>(examples.OfType<V1PriorityClass>())
        {
            ClusterBuilder.Node("wn-1", 16),
            ClusterBuilder.Node("wn-2", 16),
        };
        foreach (V1Job job in examples.OfType<V1Job>())
        {
            objects.Add(new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta { Name = job.Metadata.Name, NamespaceProperty = job.Metadata.NamespaceProperty, Labels = job.Spec.Template.Metadata.Labels },
                Spec = job.Spec.Template.Spec,
            });
        }
        objects.AddRange(examples.OfType<V1Pod>());

        Scenario scenario = ScenarioLoader.Load(KubernetesYaml.SerializeAll(objects), "examples.yaml");
        IReadOnlyList<Placement> placements = Simulator.Run(scenario, SchedulerProfile.NodePacking());
        Assert.Equal(3, placements.Count);
        Assert.All(placements, p => Assert.True(p.Node is not null, $"{p.Pod}: {p.Message}"));
        Assert.Equal(1000, placements.First(p => p.Pod.EndsWith("pilot-8core-example", StringComparison.Ordinal)).Priority);
    }
}
