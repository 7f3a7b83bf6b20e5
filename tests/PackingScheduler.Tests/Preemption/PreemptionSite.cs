using k8s;
using k8s.Models;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scenarios;
using PackingScheduler.Core.Simulation;
using PackingScheduler.Tests.Live;
using Server = PackingScheduler.TestApiServer.TestApiServer;

namespace PackingScheduler.Tests.Preemption;

/// <summary>
/// A grid site for the preemption tests: backfill pods at a negative PriorityClass filling the
/// nodes, production pilots above them. The same objects go to the test API server and, as a
/// scenario, to <see cref="Simulator"/>, so the live run can be compared with simulate.
/// </summary>
internal sealed class PreemptionSite
{
    public const string Namespace = "atlas";
    public const string BackfillClass = "backfill";
    public const string ProductionClass = "production";
    public const string NeverClass = "production-no-preemption";

    private static readonly DateTime Epoch = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    public List<V1PriorityClass> PriorityClasses { get; } =
    [
        new() { ApiVersion = "scheduling.k8s.io/v1", Kind = "PriorityClass", Metadata = new V1ObjectMeta { Name = BackfillClass }, Value = -10 },
        new() { ApiVersion = "scheduling.k8s.io/v1", Kind = "PriorityClass", Metadata = new V1ObjectMeta { Name = ProductionClass }, Value = 1000 },
        new()
        {
            ApiVersion = "scheduling.k8s.io/v1", Kind = "PriorityClass", Metadata = new V1ObjectMeta { Name = NeverClass }, Value = 1000,
            PreemptionPolicy = "Never",
        },
    ];

    public List<V1Node> Nodes { get; } = new();
    public List<V1Pod> Running { get; } = new();
    public List<V1Pod> Pilots { get; } = new();
    public List<V1PodDisruptionBudget> Budgets { get; } = new();

    public PreemptionSite Node(string name, int cores = 8)
    {
        Nodes.Add(ClusterBuilder.Node(name, cores));
        return this;
    }

    /// <summary>
    /// <paramref name="count"/> running 1-core backfill pods on <paramref name="node"/>, named
    /// node-bf-i, started <paramref name="startedMinute"/> minutes after the epoch.
    /// </summary>
    public PreemptionSite Backfill(string node, int count, int startedMinute, string job = "backfill")
    {
        for (int i = 0; i < count; i++) Running.Add(RunningPod($"{node}-bf-{i}", 1, node, BackfillClass, startedMinute, job));
        return this;
    }

    /// <summary>A running production pod: same priority as the pilots, never a victim.</summary>
    public PreemptionSite Production(string name, int cores, string node, int startedMinute = 0)
    {
        Running.Add(RunningPod(name, cores, node, ProductionClass, startedMinute, "production"));
        return this;
    }

    /// <summary>A pending pilot for our scheduler.</summary>
    public V1Pod Pilot(string name, int cores = 8, string priorityClass = ProductionClass)
    {
        V1Pod pod = ClusterBuilder.Pod(name, cores, Namespace);
        pod.Spec.PriorityClassName = priorityClass;
        pod.Metadata.Labels["job"] = "pilot";
        Pilots.Add(pod);
        return pod;
    }

    /// <summary>A PodDisruptionBudget on the pods labelled job=<paramref name="job"/>, as its controller left it.</summary>
    public PreemptionSite Budget(string name, string job, int disruptionsAllowed)
    {
        Budgets.Add(new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1",
            Kind = "PodDisruptionBudget",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["job"] = job } },
            },
            Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = disruptionsAllowed, CurrentHealthy = 8, DesiredHealthy = 1, ExpectedPods = 8 },
        });
        return this;
    }

    private static V1Pod RunningPod(string name, int cores, string node, string priorityClass, int startedMinute, string job)
    {
        V1Pod pod = ClusterBuilder.Pod(name, cores, Namespace, nodeName: node);
        pod.Spec.PriorityClassName = priorityClass;
        pod.Metadata.Labels["job"] = job;
        pod.Status = new V1PodStatus { Phase = "Running", StartTime = Epoch.AddMinutes(startedMinute) };
        return pod;
    }

    /// <summary>The cluster before the scheduler starts: classes, nodes, budgets, running pods.</summary>
    public void CreateCluster(Server server)
    {
        foreach (V1PriorityClass pc in PriorityClasses) server.Create(pc);
        foreach (V1Node n in Nodes) server.Create(n);
        foreach (V1PodDisruptionBudget b in Budgets) server.Create(b);
        foreach (V1Pod p in Running) server.Create(p);
    }

    /// <summary>What simulate does with the same objects: per pending pod, its node and victims.</summary>
    public IReadOnlyDictionary<string, Placement> Simulate()
    {
        string yaml = KubernetesYaml.SerializeAll(PriorityClasses.Cast<object>().Concat(Nodes).Concat(Budgets).Concat(Running).Concat(Pilots));
        Scenario scenario = ScenarioLoader.Load(yaml, "preemption-site.yaml");
        return Simulator.Run(scenario, SchedulerProfile.NodePacking()).ToDictionary(p => p.Pod);
    }

    public static string Key(V1Pod pod) => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
}
