using k8s;
using k8s.Models;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;
using PackingScheduler.Core.Workloads;

namespace PackingScheduler.Core.Tests.Workloads;

public sealed class SyntheticClusterTests
{
    private static string Json(SyntheticCluster c, PodShape shape) =>
        KubernetesJson.Serialize(c.Nodes) + KubernetesJson.Serialize(c.RunningPods().ToList()) + KubernetesJson.Serialize(c.PendingPods(50, shape).ToList());

    [Theory]
    [InlineData(PodShape.Plain)]
    [InlineData(PodShape.Affinity)]
    [InlineData(PodShape.AntiAffinity)]
    public void The_same_seed_gives_the_same_cluster_and_another_seed_another(PodShape shape)
    {
        var options = new SyntheticClusterOptions { Nodes = 200, Seed = 7, RunningPodsPerNode = 3 };
        Assert.Equal(Json(SyntheticCluster.Generate(options), shape), Json(SyntheticCluster.Generate(options), shape));
        Assert.NotEqual(Json(SyntheticCluster.Generate(options), shape), Json(SyntheticCluster.Generate(options with { Seed = 8 }), shape));
    }

    [Fact]
    public void Nodes_have_groups_zones_taints_and_gpus_in_the_given_shares()
    {
        SyntheticCluster c = SyntheticCluster.Generate(new SyntheticClusterOptions { Nodes = 4000, Seed = 3 });
        Assert.Equal(4000, c.Nodes.Count);
        Assert.Equal(c.Nodes.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal), c.Nodes.Select(n => n.Metadata.Name));
        ILookup<string, V1Node> groups = c.Nodes.ToLookup(n => n.Metadata.Labels[SyntheticCluster.GroupKey]);
        Assert.InRange(groups["gpu"].Count(), 120, 280);        // 5 %
        Assert.InRange(groups["cms"].Count(), 320, 480);        // 10 %
        Assert.All(groups["gpu"], n =>
        {
            Assert.Equal("4", n.Status.Allocatable["nvidia.com/gpu"].ToString());
            Assert.Equal("nvidia.com/gpu", Assert.Single(n.Spec.Taints).Key);
        });
        Assert.All(groups["cms"], n => Assert.Equal(("dedicated", "cms", "NoSchedule"), (n.Spec.Taints[0].Key, n.Spec.Taints[0].Value, n.Spec.Taints[0].Effect)));
        Assert.Contains(groups["worker"], n => n.Spec.Taints?.SingleOrDefault()?.Effect == "PreferNoSchedule");
        Assert.Equal(new[] { "16", "32", "64" }, groups["worker"].Select(n => n.Status.Allocatable["cpu"].ToString()).Distinct().Order());
        Assert.Equal(10, c.Nodes.Select(n => n.Metadata.Labels[SyntheticCluster.ZoneKey]).Distinct().Count());
        Assert.All(c.Nodes, n => Assert.Equal(n.Metadata.Name, n.Metadata.Labels[SyntheticCluster.HostnameKey]));
    }

    [Fact]
    public void Pending_pods_are_single_and_8_core_pilots_with_the_shape_s_constraints()
    {
        SyntheticCluster c = SyntheticCluster.Generate(100);
        List<V1Pod> plain = c.PendingPods(400, PodShape.Plain).ToList();
        Assert.All(plain, p => Assert.Null(p.Spec.NodeName));
        Assert.All(plain, p => Assert.Null(p.Spec.Affinity));
        ILookup<string, V1Pod> byCpu = plain.ToLookup(p => p.Spec.Containers[0].Resources.Requests["cpu"].ToString());
        Assert.Equal(new[] { "1", "8" }, byCpu.Select(g => g.Key).Order());
        Assert.InRange(byCpu["8"].Count(), 60, 140);            // one in four

        V1Pod affinity = c.PendingPods(1, PodShape.Affinity).Single();
        Assert.Equal("linux", affinity.Spec.NodeSelector["kubernetes.io/os"]);
        Assert.Equal("cms", Assert.Single(affinity.Spec.Tolerations).Value);
        Assert.NotNull(affinity.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Single(affinity.Spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution);

        V1Pod anti = c.PendingPods(1, PodShape.AntiAffinity).Single();
        Assert.Equal(SyntheticCluster.HostnameKey, Assert.Single(anti.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution).TopologyKey);
        Assert.Equal(SyntheticCluster.ZoneKey, Assert.Single(anti.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution).PodAffinityTerm.TopologyKey);
    }

    [Fact]
    public void The_compiled_state_has_every_node_and_running_pod_and_scattered_pods_are_placed_as_asked()
    {
        SyntheticCluster c = SyntheticCluster.Generate(new SyntheticClusterOptions { Nodes = 300, Seed = 1, RunningPodsPerNode = 30 });
        var translator = new ObjectTranslator(new Interner());
        ClusterState state = c.BuildState(translator);
        Assert.Equal(300, state.Nodes.Count);
        Assert.Equal(9000, state.PodCount);
        Assert.All(state.Nodes, n => Assert.Equal(30, n.Pods.Count));
        Assert.True(state.PodsWithRequiredAntiAffinityCount > 0);

        ClusterState scattered = c.BuildState(new ObjectTranslator(new Interner()), c.ScatteredRunningPods(5000, seed: 4));
        Assert.Equal(5000, scattered.PodCount);
        Assert.Equal(5000, scattered.Nodes.Sum(n => n.Pods.Count));
    }

    [Theory]
    [InlineData(PodShape.Plain)]
    [InlineData(PodShape.Affinity)]
    [InlineData(PodShape.AntiAffinity)]
    public void Every_pending_pod_of_every_shape_is_placed_where_its_constraints_allow(PodShape shape)
    {
        SyntheticCluster c = SyntheticCluster.Generate(new SyntheticClusterOptions { Nodes = 200, Seed = 5, RunningPodsPerNode = shape == PodShape.AntiAffinity ? 30 : 4 });
        var interner = new Interner();
        var translator = new ObjectTranslator(interner);
        ClusterState state = c.BuildState(translator);
        var engine = new SchedulingEngine(WorkloadProfiles.AllPlugins(), interner);
        Dictionary<string, V1Node> nodes = c.Nodes.ToDictionary(n => n.Metadata.Name);
        foreach (PodInfo pod in c.CompilePending(translator, 300, shape))
        {
            ScheduleResult r = engine.Schedule(pod, state);
            Assert.True(r.Node is not null, r.Message);
            string group = nodes[r.Node!.Name].Metadata.Labels[SyntheticCluster.GroupKey];
            Assert.NotEqual("gpu", group);
            if (shape != PodShape.Affinity) Assert.Equal("worker", group);
            pod.NodeName = r.Node.Name;
            state.AddPod(pod);
        }
    }
}
