using k8s;
using k8s.Models;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scenarios;
using PackingScheduler.Core.Simulation;
using PackingScheduler.Tests.Cli;
using PackingScheduler.Tests.Live;
using Server = PackingScheduler.TestApiServer.TestApiServer;

namespace PackingScheduler.Tests.Deployment;

/// <summary>`cluster-dump` against the test API server, then `simulate` on the dump.</summary>
public sealed class ClusterDumpCommandTests
{
    private const string Secret = "s3cr3t-token-value";

    private static V1Node Node(string name, int cores, string zone, V1Taint? taint = null)
    {
        V1Node n = ClusterBuilder.Node(name, cores, zone: zone);
        n.Metadata.Labels["accelerator-free"] = "true";
        n.Status.Capacity = n.Status.Allocatable;
        n.Status.Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }];
        n.Status.Images = [new V1ContainerImage { Names = ["atlas/pilot:1"], SizeBytes = 1 << 30 }];
        if (taint is not null) n.Spec = new V1NodeSpec { Taints = [taint] };
        return n;
    }

    private static V1Pod Pod(string name, int cores, string? nodeName = null, string? priorityClass = null, string? claim = null,
        string schedulerName = ClusterBuilder.SchedulerName)
    {
        V1Pod p = ClusterBuilder.Pod(name, cores, nodeName: nodeName, schedulerName: schedulerName);
        p.Spec.PriorityClassName = priorityClass;
        if (claim is not null)
            p.Spec.Volumes = [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } }];
        return p;
    }

    /// <summary>A small grid site: what the dump must keep, what it must drop, and what it must leave out.</summary>
    private static (List<object> Kept, List<V1Pod> LeftOut) Site()
    {
        var pc = new V1PriorityClass { ApiVersion = "scheduling.k8s.io/v1", Kind = "PriorityClass", Metadata = new V1ObjectMeta { Name = "grid-production" }, Value = 1000 };
        var sc = new V1StorageClass
        {
            ApiVersion = "storage.k8s.io/v1", Kind = "StorageClass", Metadata = new V1ObjectMeta { Name = "local" },
            Provisioner = "kubernetes.io/no-provisioner", VolumeBindingMode = "WaitForFirstConsumer",
        };
        var pv = new V1PersistentVolume
        {
            ApiVersion = "v1", Kind = "PersistentVolume",
            Metadata = new V1ObjectMeta { Name = "pv-z1", Labels = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "z1" } },
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("10Gi") },
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = "local",
                HostPath = new V1HostPathVolumeSource { Path = "/data" },
            },
        };
        var pvc = new V1PersistentVolumeClaim
        {
            ApiVersion = "v1", Kind = "PersistentVolumeClaim", Metadata = new V1ObjectMeta { Name = "data", NamespaceProperty = "atlas" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"], StorageClassName = "local", VolumeName = "pv-z1",
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("10Gi") } },
            },
        };

        V1Node a = Node("wn-a", 16, "z1");
        V1Node b = Node("wn-b", 16, "z2");
        V1Node c = Node("wn-c", 32, "z1", new V1Taint { Key = "dedicated", Value = "cms", Effect = "NoSchedule" });

        V1Pod running = Pod("running-12c", 12, nodeName: "wn-a", schedulerName: "default-scheduler");
        running.Metadata.Labels ??= new Dictionary<string, string>();
        running.Metadata.Labels["app"] = "analysis";
        running.Status = new V1PodStatus { Phase = "Running", StartTime = new DateTime(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc) };
        running.Metadata.Annotations = new Dictionary<string, string> { ["harvester/worker"] = Secret };
        running.Spec.Containers[0].Env = [new V1EnvVar { Name = "TOKEN", Value = Secret }];
        running.Spec.Containers[0].Command = ["/bin/sh", "-c", $"echo {Secret}"];
        running.Spec.Volumes = [new V1Volume { Name = "proxy", Secret = new V1SecretVolumeSource { SecretName = "grid-proxy-" + Secret } }];

        // Pending pods of this scheduler, named in creation order (the dump's order among equal priorities).
        V1Pod multicore = Pod("pilot-8c", 8, priorityClass: "grid-production");
        V1Pod single = Pod("p1-pilot-1c", 1);
        V1Pod withClaim = Pod("p2-with-claim", 1, claim: "data");
        V1Pod tooBig = Pod("p3-too-big", 40);

        V1Pod finished = Pod("finished-8c", 8, nodeName: "wn-b");
        finished.Status = new V1PodStatus { Phase = "Succeeded" };
        V1Pod orphan = Pod("orphan", 4, nodeName: "wn-deleted");
        V1Pod otherScheduler = Pod("other", 1, schedulerName: "default-scheduler");

        List<object> kept = [pc, sc, pv, pvc, a, b, c, running, multicore, single, withClaim, tooBig];
        return (kept, [finished, orphan, otherScheduler]);
    }

    private static async Task<Server> StartSiteAsync()
    {
        Server server = await Server.StartAsync();
        server.Create(new V1Namespace { Metadata = new V1ObjectMeta { Name = "atlas", Labels = new Dictionary<string, string> { ["experiment"] = "atlas" } } });
        server.Create(new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1", Kind = "PodDisruptionBudget",
            Metadata = new V1ObjectMeta { Name = "analysis", NamespaceProperty = "atlas" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "analysis" } } },
            Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 0, CurrentHealthy = 1, DesiredHealthy = 1, ExpectedPods = 1 },
        });
        (List<object> kept, List<V1Pod> leftOut) = Site();
        foreach (object o in kept.Concat(leftOut))
        {
            switch (o)
            {
                case V1PriorityClass x: server.Create(x); break;
                case V1StorageClass x: server.Create(x); break;
                case V1PersistentVolume x: server.Create(x); break;
                case V1PersistentVolumeClaim x: server.Create(x); break;
                case V1Node x: server.Create(x); break;
                case V1Pod x:
                    server.Create(x);
                    // Distinct creation timestamps (whole seconds) are not needed: names sort in creation order.
                    break;
            }
        }
        return server;
    }

    private static string Kubeconfig(Server server)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ps-kubeconfig-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {server.BaseUrl}
            users:
            - name: test
              user:
                token: test-token
            contexts:
            - name: test
              context:
                cluster: test
                user: test
            current-context: test
            """);
        return path;
    }

    [Fact]
    public async Task A_dump_of_a_cluster_loads_as_a_scenario_and_simulates_as_the_cluster_itself_would()
    {
        await using Server server = await StartSiteAsync();
        string output = Path.Combine(Path.GetTempPath(), $"ps-dump-{Guid.NewGuid():N}.yaml");

        (int code, string stdout, string stderr) = CliRunner.Run("cluster-dump", "--kubeconfig", Kubeconfig(server), "-o", output);

        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout);
        Assert.Contains("1 pod(s) bound to nodes that were not listed were left out", stderr);
        Assert.Contains("1 pending pod(s) of other schedulers were left out", stderr);
        Scenario dumped = ScenarioLoader.LoadFile(output);
        Assert.Equal(new[] { "wn-a", "wn-b", "wn-c" }, dumped.Nodes.Select(n => n.Object.Metadata.Name));
        Assert.Equal(new[] { "atlas/running-12c" }, dumped.BoundPods.Select(p => $"{p.Object.Metadata.NamespaceProperty}/{p.Object.Metadata.Name}"));
        Assert.Equal(new[] { "pilot-8c", "p1-pilot-1c", "p2-with-claim", "p3-too-big" }.Order(), dumped.PendingPods.Select(p => p.Object.Metadata.Name).Order());
        Assert.Single(dumped.PersistentVolumes);
        Assert.Single(dumped.PersistentVolumeClaims);
        Assert.Single(dumped.StorageClasses);
        Assert.Contains(dumped.PriorityClasses, p => p.Object.Metadata.Name == "grid-production" && p.Object.Value == 1000);
        Assert.Contains(dumped.Namespaces, n => n.Object.Metadata.Name == "atlas" && n.Object.Metadata.Labels["experiment"] == "atlas");
        // What preemption reads: budgets with the controller's status, and when running pods started.
        V1PodDisruptionBudget budget = Assert.Single(dumped.PodDisruptionBudgets).Object;
        Assert.Equal(("atlas", "analysis", 0), (budget.Metadata.NamespaceProperty, budget.Metadata.Name, budget.Status.DisruptionsAllowed ?? -1));
        Assert.Equal(new DateTime(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc), dumped.BoundPods.Single().Object.Status.StartTime?.ToUniversalTime());

        Dictionary<string, Placement> placements = Simulator.Run(dumped, SchedulerProfile.NodePacking()).ToDictionary(p => p.Pod);
        // Highest priority first: 8 cores fit only on the empty wn-b (wn-a has 4 free, wn-c is tainted).
        Assert.Equal("wn-b", placements["atlas/pilot-8c"].Node);
        Assert.Equal(1000, placements["atlas/pilot-8c"].Priority);
        // Packing: the single-core pilot goes to the fuller node.
        Assert.Equal("wn-a", placements["atlas/p1-pilot-1c"].Node);
        // The claim's volume is in z1; wn-c (z1) is tainted, wn-b is z2.
        Assert.Equal("wn-a", placements["atlas/p2-with-claim"].Node);
        Assert.Null(placements["atlas/p3-too-big"].Node);
        Assert.StartsWith("0/3 nodes are available: ", placements["atlas/p3-too-big"].Message);
        Assert.Contains("node(s) had untolerated taint {dedicated: cms}", placements["atlas/p3-too-big"].Message);

        // The same objects written by hand give the same answer: the dump kept what scheduling reads.
        (List<object> kept, _) = Site();
        var direct = ScenarioLoader.Load(
            KubernetesYaml.SerializeAll(new object[] { new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = "atlas" } } }.Concat(kept)),
            "direct.yaml");
        var expected = Simulator.Run(direct, SchedulerProfile.NodePacking()).Select(p => (p.Pod, p.Node, p.Score, p.Message)).OrderBy(p => p.Pod);
        var actual = placements.Values.Select(p => (p.Pod, p.Node, p.Score, p.Message)).OrderBy(p => p.Pod);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_dump_keeps_no_metadata_noise_status_or_pod_secrets()
    {
        await using Server server = await StartSiteAsync();

        (int code, string stdout, string stderr) = CliRunner.Run("cluster-dump", "--kubeconfig", Kubeconfig(server));

        Assert.True(code == 0, stderr);
        Assert.StartsWith("# packing-scheduler cluster-dump of ", stdout);
        foreach (string noise in new[] { "managedFields", "resourceVersion", "uid:", "creationTimestamp", "annotations", "conditions", "images", "phase", Secret, "env:", "command:" })
            Assert.DoesNotContain(noise, stdout);
        // What scheduling reads survives.
        Assert.Contains("allocatable:", stdout);
        Assert.Contains("taints:", stdout);
        Assert.Contains("nodeName: wn-a", stdout);
        Assert.Contains("claimName: data", stdout);
        Assert.Contains("priorityClassName: grid-production", stdout);
        Scenario loaded = ScenarioLoader.Load(stdout, "stdout.yaml");
        Assert.Equal(4, loaded.PendingPods.Count());
    }

    [Fact]
    public void An_unreachable_cluster_is_exit_1_with_the_server_named()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ps-kubeconfig-{Guid.NewGuid():N}");
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: gone
              cluster:
                server: http://127.0.0.1:1
            users:
            - name: u
              user:
                token: test-token
            contexts:
            - name: gone
              context:
                cluster: gone
                user: u
            current-context: gone
            """);

        (int code, _, string stderr) = CliRunner.Run("cluster-dump", "--kubeconfig", path);

        Assert.Equal(1, code);
        Assert.Contains("cannot read the cluster at http://127.0.0.1:1", stderr);
    }

    [Fact]
    public void A_missing_kubeconfig_or_an_unknown_flag_is_bad_usage()
    {
        (int code, _, string stderr) = CliRunner.Run("cluster-dump", "--kubeconfig", "/nonexistent/kubeconfig");
        Assert.Equal(2, code);
        Assert.Contains("cannot configure the Kubernetes client", stderr);

        (code, _, stderr) = CliRunner.Run("cluster-dump", "--bogus");
        Assert.Equal(2, code);
        Assert.Contains("unknown flag", stderr);

        (code, string stdout, _) = CliRunner.Run("cluster-dump", "--help");
        Assert.Equal(0, code);
        Assert.Contains("packing-scheduler cluster-dump", stdout);
    }
}
