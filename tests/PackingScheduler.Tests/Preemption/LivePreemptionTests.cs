using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using PackingScheduler.Core.Simulation;
using PackingScheduler.TestApiServer;
using PackingScheduler.Tests.Live;
using PackingScheduler.Tests.Reliability;
using Server = PackingScheduler.TestApiServer.TestApiServer;

namespace PackingScheduler.Tests.Preemption;

/// <summary>
/// Preemption end to end: the real host and KubernetesClient against the test API server, sites
/// full of backfill pods at a negative priority and production 8-core pilots above them. The
/// API server's own state is watched at every commit (deletions, moves, overcommit); the
/// decisions are compared with simulate's for the same objects.
/// </summary>
[Trait("Category", "Preemption")]
[Collection(LiveCollection.Name)]
public sealed partial class LivePreemptionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Ns = PreemptionSite.Namespace;

    private static async Task WaitAsync(Func<bool> done, string what)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within {Patience}");
            await Task.Delay(25);
        }
    }

    private static bool Rejected(V1Pod p) =>
        p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable") == true;

    private static string NodeOf(JsonNode pod) => (string)pod["spec"]!["nodeName"]!;

    [Fact]
    [Trait("Category", "Preemption")]
    public async Task Production_pilots_on_a_site_full_of_backfill_each_evict_the_minimum_simulate_predicts_and_nothing_else()
    {
        // The kubelet finishes each victim shortly after its graceful deletion started.
        await using Server server = await Server.StartAsync(new TestApiServerOptions { Kubelet = KubeletMode.FixedDelay, KubeletDelay = TimeSpan.FromMilliseconds(200) });
        var site = new PreemptionSite();
        // wn-0 and wn-1 run a 4-core production pod: evicting their backfill frees only 4 cores.
        // wn-2..wn-5 are full of backfill started at different times (upstream prefers evicting the most recently started).
        for (int i = 0; i < 6; i++) site.Node($"wn-{i}");
        site.Production("prod-0", 4, "wn-0").Backfill("wn-0", 4, startedMinute: 50);
        site.Production("prod-1", 4, "wn-1").Backfill("wn-1", 4, startedMinute: 60);
        site.Backfill("wn-2", 8, startedMinute: 10).Backfill("wn-3", 8, startedMinute: 30).Backfill("wn-4", 8, startedMinute: 20).Backfill("wn-5", 8, startedMinute: 40);
        // Watching from the first commit on, so that every pod counts on its node.
        using var monitor = new ClusterMonitor(server);
        using var history = new PodHistory(server);
        site.CreateCluster(server);
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        V1Pod[] pilots = [site.Pilot("pilot-0"), site.Pilot("pilot-1"), site.Pilot("pilot-2")];
        foreach (V1Pod p in pilots) server.Create(p);
        foreach (V1Pod p in pilots) await server.WaitForAsync<V1Pod>(p.Metadata.Name, Ns, x => x.Spec.NodeName is not null, Patience);

        // Simulate decides the same nodes and victims for the same objects.
        IReadOnlyDictionary<string, Placement> simulated = site.Simulate();
        var expectedVictims = new HashSet<string>(StringComparer.Ordinal);
        foreach (V1Pod p in pilots)
        {
            V1Pod bound = server.Get<V1Pod>(p.Metadata.Name, Ns)!;
            Placement sim = simulated[PreemptionSite.Key(p)];
            Assert.Equal(sim.Node, bound.Spec.NodeName);
            Assert.Equal(1, server.BindingCount(Ns, p.Metadata.Name));
            // Each 8-core pilot needs a whole 8-core node: exactly its 8 one-core backfill pods.
            Assert.Equal(8, sim.Victims.Count);
            Assert.All(sim.Victims, v => Assert.StartsWith(bound.Spec.NodeName + "-bf-", v.Split('/')[1]));
            expectedVictims.UnionWith(sim.Victims);
            // status.nominatedNodeName named that node while the victims terminated.
            Assert.Equal(bound.Spec.NodeName, history.Nominations(PreemptionSite.Key(p)).First());
        }
        Assert.Equal(24, expectedVictims.Count);
        Assert.Equal(expectedVictims.Order(), history.Deleted.Order());

        // Nothing else touched: every other pod is where it was, no pod moved, no other delete call,
        // no binding but the pilots', and at no commit was a node over-committed.
        foreach (V1Pod p in site.Running.Where(p => !expectedVictims.Contains(PreemptionSite.Key(p))))
            Assert.Equal(p.Spec.NodeName, server.Get<V1Pod>(p.Metadata.Name, Ns)?.Spec.NodeName);
        Assert.Empty(history.Moved);
        Assert.All(server.Requests.Where(r => r.Verb == "delete"), r => Assert.Contains($"{r.Namespace}/{r.Name}", expectedVictims));
        Assert.Equal(site.Running.Concat(pilots).Select(PreemptionSite.Key).Order(), monitor.Bindings.Select(b => b.Pod).Order());
        Assert.Empty(monitor.Violations);

        // Each victim: the DisruptionTarget condition, deleted gracefully (it terminated before it went), the Preempted event.
        foreach (string victim in expectedVictims)
        {
            JsonNode last = history.LastBeforeDeletion(victim);
            Assert.NotNull(last["metadata"]?["deletionTimestamp"]);
            JsonNode condition = Assert.Single(last["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "DisruptionTarget")!;
            Assert.Equal(("True", "PreemptionByScheduler", "node-packing-scheduler: preempting to accommodate a higher priority pod"),
                ((string?)condition["status"], (string?)condition["reason"], (string?)condition["message"]));
        }
        await WaitAsync(() => server.List<Eventsv1Event>(Ns).Count(e => e.Reason == "Preempted") == 24, "24 Preempted events");
        foreach (Eventsv1Event e in server.List<Eventsv1Event>(Ns).Where(e => e.Reason == "Preempted"))
        {
            string victim = $"{Ns}/{e.Regarding.Name}";
            Assert.Contains(victim, expectedVictims);
            V1Pod preemptor = server.Get<V1Pod>(e.Related.Name, Ns)!;
            string node = NodeOf(history.LastBeforeDeletion(victim));
            Assert.Equal(("Normal", "Preempting", $"Preempted by pod {preemptor.Metadata.Uid} on node {node}"), (e.Type, e.Action, e.Note));
            Assert.Equal(("Pod", node), (e.Related.Kind, preemptor.Spec.NodeName));
            Assert.Equal("node-packing-scheduler", e.ReportingController);
        }

        // kube-scheduler's preemption metrics: one histogram sample of 8 victims per preemption.
        using var http = new HttpClient { BaseAddress = new Uri(scheduler.Url) };
        string metrics = await http.GetStringAsync("/metrics");
        Assert.Equal(3, Sample(metrics, "scheduler_preemption_victims_count"));
        Assert.Equal(24, Sample(metrics, "scheduler_preemption_victims_sum"));
        Assert.Equal(0, Sample(metrics, "scheduler_preemption_victims_bucket{le=\"4\"}"));
        Assert.Equal(3, Sample(metrics, "scheduler_preemption_victims_bucket{le=\"8\"}"));
        Assert.Equal(3, Sample(metrics, "scheduler_preemption_victims_bucket{le=\"64\"}"));
        Assert.True(Sample(metrics, "scheduler_preemption_attempts_total") >= 3);
    }

    [Fact]
    [Trait("Category", "Preemption")]
    public async Task While_victims_terminate_a_lower_priority_pod_does_not_take_the_room_and_the_preemptor_lands_on_its_nominated_node()
    {
        // No kubelet: the victims stay terminating until the test finishes them.
        await using Server server = await Server.StartAsync(new TestApiServerOptions { Kubelet = KubeletMode.None });
        var site = new PreemptionSite();
        for (int i = 0; i < 3; i++) site.Node($"wn-{i}").Backfill($"wn-{i}", 8, startedMinute: i);
        // Watching from the first commit on, so that every pod counts on its node.
        using var monitor = new ClusterMonitor(server);
        using var history = new PodHistory(server);
        site.CreateCluster(server);
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        server.Create(site.Pilot("pilot"));
        await WaitAsync(() => history.Nominations($"{Ns}/pilot").Count > 0, "the pilot is nominated");
        string nominated = history.Nominations($"{Ns}/pilot")[0];
        List<V1Pod> victims = null!;
        await WaitAsync(() => (victims = server.List<V1Pod>(Ns).Where(p => p.Metadata.DeletionTimestamp is not null).ToList()).Count == 8,
            "the 8 victims terminating");
        Assert.All(victims, v => Assert.Equal(nominated, v.Spec.NodeName));

        // Half of them finish: 4 cores on the nominated node are free, but held for the pilot.
        foreach (V1Pod v in victims.Take(4)) Assert.True(server.Delete<V1Pod>(v.Metadata.Name, Ns));
        Assert.Equal(4000, monitor.Used[nominated]);
        V1Pod late = ClusterBuilder.Pod("late-backfill", 1, Ns);
        late.Spec.PriorityClassName = PreemptionSite.BackfillClass;
        server.Create(late);
        V1Pod rejected = await server.WaitForAsync<V1Pod>("late-backfill", Ns, Rejected, Patience);
        Assert.StartsWith("0/3 nodes are available: 3 Insufficient cpu.", rejected.Status.Conditions.Single(c => c.Type == "PodScheduled").Message);
        Assert.Null(rejected.Spec.NodeName);

        foreach (V1Pod v in victims.Skip(4)) Assert.True(server.Delete<V1Pod>(v.Metadata.Name, Ns));
        V1Pod pilot = await server.WaitForAsync<V1Pod>("pilot", Ns, p => p.Spec.NodeName is not null, Patience);

        Assert.Equal(nominated, pilot.Spec.NodeName);
        Assert.Equal(0, server.BindingCount(Ns, "late-backfill"));
        Assert.Null(server.Get<V1Pod>("late-backfill", Ns)!.Spec.NodeName);
        Assert.Equal(8, history.Deleted.Count);
        Assert.Equal(8, server.Requests.Count(r => r.Verb == "delete"));
        Assert.Empty(history.Moved);
        Assert.Empty(monitor.Violations);
    }

    [Fact]
    [Trait("Category", "Preemption")]
    public async Task A_pilot_with_preemptionPolicy_Never_evicts_nothing_and_says_why()
    {
        await using Server server = await Server.StartAsync(new TestApiServerOptions { Kubelet = KubeletMode.FixedDelay });
        var site = new PreemptionSite();
        for (int i = 0; i < 2; i++) site.Node($"wn-{i}").Backfill($"wn-{i}", 8, startedMinute: i);
        using var history = new PodHistory(server);
        site.CreateCluster(server);
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        server.Create(site.Pilot("pilot", priorityClass: PreemptionSite.NeverClass));
        V1Pod rejected = await server.WaitForAsync<V1Pod>("pilot", Ns, Rejected, Patience);

        const string message = "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.";
        Assert.Equal(message, rejected.Status.Conditions.Single(c => c.Type == "PodScheduled").Message);
        Assert.Equal(message, site.Simulate()[$"{Ns}/pilot"].Message);
        await WaitAsync(() => server.List<Eventsv1Event>(Ns).Any(e => e.Reason == "FailedScheduling" && e.Regarding.Name == "pilot"), "the FailedScheduling event");
        Assert.EndsWith("preemption: not eligible due to preemptionPolicy=Never.",
            server.List<Eventsv1Event>(Ns).First(e => e.Reason == "FailedScheduling" && e.Regarding.Name == "pilot").Note);
        Assert.Empty(history.Deleted);
        Assert.DoesNotContain(server.Requests, r => r.Verb == "delete");
        Assert.Empty(history.Nominations($"{Ns}/pilot"));
        Assert.Equal(16, server.List<V1Pod>(Ns).Count(p => p.Spec.NodeName is not null));
    }

    [Fact]
    [Trait("Category", "Preemption")]
    public async Task Victims_come_from_pods_no_PodDisruptionBudget_protects_while_there_are_any()
    {
        await using Server server = await Server.StartAsync(new TestApiServerOptions { Kubelet = KubeletMode.FixedDelay });
        var site = new PreemptionSite();
        // wn-0 and wn-1 run protected backfill (a budget allowing no disruption) started last, and
        // sort first by name: without the budget, they would be evicted first. wn-2 is unprotected.
        site.Node("wn-0").Backfill("wn-0", 8, startedMinute: 30, job: "protected");
        site.Node("wn-1").Backfill("wn-1", 8, startedMinute: 20, job: "protected");
        site.Node("wn-2").Backfill("wn-2", 8, startedMinute: 10, job: "backfill");
        site.Budget("protected", "protected", disruptionsAllowed: 0);
        // Watching from the first commit on, so that every pod counts on its node.
        using var monitor = new ClusterMonitor(server);
        using var history = new PodHistory(server);
        site.CreateCluster(server);
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        server.Create(site.Pilot("pilot-0"));
        V1Pod first = await server.WaitForAsync<V1Pod>("pilot-0", Ns, p => p.Spec.NodeName is not null, Patience);
        // The unprotected node while it lasts; then a budget has to give, as upstream does when nothing else helps.
        Assert.Equal("wn-2", first.Spec.NodeName);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"{Ns}/wn-2-bf-{i}").Order(), history.Deleted.Order());

        server.Create(site.Pilot("pilot-1"));
        V1Pod second = await server.WaitForAsync<V1Pod>("pilot-1", Ns, p => p.Spec.NodeName is not null, Patience);
        Assert.Equal("wn-0", second.Spec.NodeName);

        IReadOnlyDictionary<string, Placement> simulated = site.Simulate();
        Assert.Equal(("wn-2", "wn-0"), (simulated[$"{Ns}/pilot-0"].Node, simulated[$"{Ns}/pilot-1"].Node));
        Assert.Equal(simulated.Values.SelectMany(p => p.Victims).Order(), history.Deleted.Order());
        Assert.Equal(16, history.Deleted.Count);
        Assert.Empty(history.Moved);
        Assert.Empty(monitor.Violations);
    }

    /// <summary>The value of one sample line of a Prometheus text exposition.</summary>
    private static double Sample(string metrics, string name)
    {
        Match m = Regex.Match(metrics, "^" + Regex.Escape(name) + " (\\S+)$", RegexOptions.Multiline);
        Assert.True(m.Success, $"no sample {name} in\n{metrics}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
