using System.Net;
using k8s.Models;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scenarios;
using PackingScheduler.Core.Simulation;
using PackingScheduler.TestApiServer;
using Server = PackingScheduler.TestApiServer.TestApiServer;

namespace PackingScheduler.Tests.Live;

/// <summary>The live scheduler end to end: the real host and KubernetesClient against the in-process test API server.</summary>
[Trait("Category", "Live")]
[Collection(LiveCollection.Name)]
public sealed class LiveSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static async Task<IReadOnlyList<V1Pod>> WaitUntilAsync(Server server, Func<IReadOnlyList<V1Pod>, bool> done, string what)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            IReadOnlyList<V1Pod> pods = server.List<V1Pod>();
            if (done(pods)) return pods;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what}: not reached within {Patience}; {pods.Count(p => p.Spec.NodeName is null)} pods unbound");
            await Task.Delay(50);
        }
    }

    private static bool Settled(V1Pod p) =>
        p.Spec.NodeName is not null || p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true;

    [Fact]
    public async Task Two_thousand_pods_on_200_nodes_are_bound_once_each_where_simulate_puts_them()
    {
        await using Server server = await Server.StartAsync();
        (List<V1Node> nodes, List<V1Pod> pods) = ClusterBuilder.GridSite(200, 2000, seed: 42);
        foreach (V1Node n in nodes) server.Create(n);
        using var monitor = new OvercommitMonitor(server);
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        foreach (V1Pod p in pods) server.Create(p);
        IReadOnlyList<V1Pod> final = await WaitUntilAsync(server, all => all.All(Settled), "every pod bound or reported");

        Scenario scenario = ScenarioLoader.Load(ClusterBuilder.Scenario(nodes, pods), "live-comparison.yaml");
        Dictionary<string, string?> simulated = Simulator.Run(scenario, SchedulerProfile.NodePacking()).ToDictionary(p => p.Pod, p => p.Node);
        int bound = 0;
        foreach (V1Pod p in final)
        {
            string key = $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}";
            Assert.Equal(simulated[key], p.Spec.NodeName);
            if (p.Spec.NodeName is not null)
            {
                bound++;
                Assert.Equal(1, server.BindingCount(p.Metadata.NamespaceProperty, p.Metadata.Name));
            }
        }
        Assert.True(bound > 1900, $"only {bound} of 2000 pods bound");
        Assert.Empty(monitor.Violations);
    }

    [Fact]
    public async Task A_pod_that_fits_nowhere_is_reported_and_schedules_when_a_node_is_added()
    {
        await using Server server = await Server.StartAsync();
        server.Create(ClusterBuilder.Node("small", 4));
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        server.Create(ClusterBuilder.Pod("big", 8));
        V1Pod reported = await server.WaitForAsync<V1Pod>("big", "atlas",
            p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable") == true, Patience);
        V1PodCondition condition = reported.Status.Conditions.Single(c => c.Type == "PodScheduled");
        // kube-scheduler's message, with what DefaultPreemption (PostFilter) found: nothing to evict.
        const string message = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
        Assert.Equal(message, condition.Message);
        Eventsv1Event failed = await WaitForEventAsync(server, "atlas", "big", "FailedScheduling");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal(message, failed.Note);
        Assert.Equal(ClusterBuilder.SchedulerName, failed.ReportingController);

        server.Create(ClusterBuilder.Node("large", 16));

        await server.WaitForAsync<V1Pod>("big", "atlas", p => p.Spec.NodeName == "large", Patience);
        Eventsv1Event scheduled = await WaitForEventAsync(server, "atlas", "big", "Scheduled");
        Assert.Equal("Successfully assigned atlas/big to large", scheduled.Note);
    }

    [Fact]
    public async Task A_pod_that_fits_nowhere_schedules_when_a_running_pod_is_deleted()
    {
        await using Server server = await Server.StartAsync();
        server.Create(ClusterBuilder.Node("wn", 8));
        server.Create(ClusterBuilder.Pod("running", 6, nodeName: "wn", schedulerName: "default-scheduler"));
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        server.Create(ClusterBuilder.Pod("waiting", 4));
        await server.WaitForAsync<V1Pod>("waiting", "atlas", p => p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable") == true, Patience);

        server.Delete<V1Pod>("running", "atlas");

        await server.WaitForAsync<V1Pod>("waiting", "atlas", p => p.Spec.NodeName == "wn", Patience);
    }

    [Fact]
    public async Task A_stuck_pod_does_not_flood_events()
    {
        await using Server server = await Server.StartAsync();
        server.Create(ClusterBuilder.Node("small", 2));
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);
        server.Create(ClusterBuilder.Pod("big", 8));
        await WaitForEventAsync(server, "atlas", "big", "FailedScheduling");

        // Cluster events move the stuck pod back to the queue again and again; each attempt fails the same way.
        for (int i = 0; i < 20; i++)
        {
            server.Create(ClusterBuilder.Node($"tiny-{i}", 1));
            await Task.Delay(20);
        }
        await WaitUntilAsync(server, _ => scheduler.Service.Queue.PendingCounts.Unschedulable == 1 && scheduler.Service.Queue.PendingCounts.Active == 0, "attempts settle");

        int created = server.List<Eventsv1Event>("atlas").Count(e => e.Regarding?.Name == "big" && e.Reason == "FailedScheduling");
        // The message changes with the node count, so one event per distinct message at most, never one per attempt burst duplicate.
        int messages = server.List<Eventsv1Event>("atlas").Where(e => e.Regarding?.Name == "big").Select(e => e.Note).Distinct().Count();
        Assert.Equal(messages, created);
    }

    [Fact]
    public async Task Pods_bound_by_another_scheduler_count_and_no_node_is_ever_overcommitted()
    {
        await using Server server = await Server.StartAsync();
        for (int i = 0; i < 10; i++) server.Create(ClusterBuilder.Node($"wn-{i}", 16));
        using var monitor = new OvercommitMonitor(server);
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        // The default scheduler has placed 8-core pods on half the nodes: 40 of the 160 cores.
        for (int i = 0; i < 5; i++) server.Create(ClusterBuilder.Pod($"other-{i}", 8, ns: "cms", nodeName: $"wn-{i * 2}", schedulerName: "default-scheduler"));
        // Ours asks for 130 cores: exactly the 120 that are left get used, 10 pods wait.
        for (int i = 0; i < 130; i++) server.Create(ClusterBuilder.Pod($"ours-{i}", 1));
        IReadOnlyList<V1Pod> pods = await WaitUntilAsync(server,
            all => all.Where(p => p.Metadata.NamespaceProperty == "atlas").All(Settled), "our pods settled");
        Assert.Equal(120, pods.Count(p => p.Metadata.NamespaceProperty == "atlas" && p.Spec.NodeName is not null));

        // The other scheduler's pod finishes: its 8 cores go to 8 of ours that were waiting, no more.
        server.Delete<V1Pod>("other-0", "cms");
        pods = await WaitUntilAsync(server,
            all => all.Count(p => p.Metadata.NamespaceProperty == "atlas" && p.Spec.NodeName is not null) == 128, "freed cores used");
        Assert.All(pods.Where(p => p.Metadata.NamespaceProperty == "atlas" && p.Spec.NodeName is not null),
            p => Assert.Equal(1, server.BindingCount("atlas", p.Metadata.Name)));
        Assert.Empty(monitor.Violations);
    }

    [Fact]
    public async Task Watch_streams_cut_mid_run_lose_no_pod()
    {
        await using Server server = await Server.StartAsync();
        for (int i = 0; i < 20; i++) server.Create(ClusterBuilder.Node($"wn-{i}", 32));
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        for (int i = 0; i < 500; i++)
        {
            server.Create(ClusterBuilder.Pod($"pilot-{i}", 1));
            if (i % 50 == 25) server.CutWatches();
        }

        IReadOnlyList<V1Pod> pods = await WaitUntilAsync(server, all => all.All(p => p.Spec.NodeName is not null), "all bound");
        Assert.All(pods, p => Assert.Equal(1, server.BindingCount(p.Metadata.NamespaceProperty, p.Metadata.Name)));
    }

    [Fact]
    public async Task Expired_watch_history_makes_the_informers_list_again_and_no_pod_is_lost()
    {
        await using Server server = await Server.StartAsync(new TestApiServerOptions { HistorySize = 50 });
        for (int i = 0; i < 10; i++) server.Create(ClusterBuilder.Node($"wn-{i}", 32));
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);
        server.ClearRequests();

        // A restart drops every watch and compacts past every resourceVersion seen: resumes get 410 and must list again.
        server.Restart();
        for (int i = 0; i < 100; i++) server.Create(ClusterBuilder.Pod($"pilot-{i}", 1));

        await WaitUntilAsync(server, all => all.All(p => p.Spec.NodeName is not null), "all bound");
        Assert.Contains(server.Requests, r => r.Verb == "list" && r.Resource == "pods");
    }

    [Fact]
    public async Task Health_endpoints_answer_and_metrics_use_kube_scheduler_names()
    {
        await using Server server = await Server.StartAsync();
        server.Create(ClusterBuilder.Node("wn", 16));
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);
        server.Create(ClusterBuilder.Pod("p", 1));
        await server.WaitForAsync<V1Pod>("p", "atlas", p => p.Spec.NodeName == "wn", Patience);

        using var http = new HttpClient { BaseAddress = new Uri(scheduler.Url) };
        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
        Assert.Equal("ok", await http.GetStringAsync("/livez"));
        Assert.Equal("ok", await http.GetStringAsync("/readyz"));
        // The attempt counts as scheduled once the binding call has returned, which may be just after the pod shows bound.
        const string scheduled = "scheduler_schedule_attempts_total{result=\"scheduled\",profile=\"node-packing-scheduler\"} 1";
        string metrics = await http.GetStringAsync("/metrics");
        for (DateTime until = DateTime.UtcNow + Patience; !metrics.Contains(scheduled) && DateTime.UtcNow < until; await Task.Delay(50))
            metrics = await http.GetStringAsync("/metrics");
        Assert.Contains(scheduled, metrics);
        Assert.Contains("scheduler_scheduling_attempt_duration_seconds_bucket", metrics);
        Assert.Contains("scheduler_pod_scheduling_duration_seconds_bucket", metrics);
        Assert.Contains("scheduler_pending_pods{queue=\"active\"} 0", metrics);
        Assert.Contains("scheduler_cache_size{type=\"nodes\"} 1", metrics);
        Assert.Contains("scheduler_binding_duration_seconds_bucket", metrics);
        // 16 cores, one used: still room for an 8-core pilot.
        Assert.Contains("packing_scheduler_nodes_fitting_multicore_pilot 1", metrics);
    }

    [Fact]
    public async Task Readiness_waits_for_the_caches_to_sync()
    {
        await using Server server = await Server.StartAsync();
        FaultRegistration slowList = server.InjectFault(r => r.Verb == "list" && r.Resource == "nodes", FaultAction.Status(500));
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server, waitForSync: false);
        using var http = new HttpClient { BaseAddress = new Uri(scheduler.Url) };

        HttpResponseMessage notReady = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("ok", await http.GetStringAsync("/livez"));

        server.RemoveFault(slowList);
        await scheduler.Service.Synced.WaitAsync(Patience);
        Assert.Equal("ok", await http.GetStringAsync("/readyz"));
    }

    [Fact]
    public async Task A_failed_binding_is_retried_with_backoff_and_the_pod_is_bound_once()
    {
        await using Server server = await Server.StartAsync();
        server.Create(ClusterBuilder.Node("wn", 16));
        server.InjectFault(r => r.Subresource == "binding", FaultAction.Status(500, times: 2));
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        server.Create(ClusterBuilder.Pod("p", 1));

        await server.WaitForAsync<V1Pod>("p", "atlas", p => p.Spec.NodeName == "wn", Patience);
        Assert.Equal(1, server.BindingCount("atlas", "p"));
    }

    [Fact]
    public async Task A_pod_the_engine_cannot_read_is_reported_and_does_not_stop_the_others()
    {
        await using Server server = await Server.StartAsync();
        server.Create(ClusterBuilder.Node("wn", 16));
        await using LiveScheduler scheduler = await LiveScheduler.StartAsync(server);

        V1Pod bad = ClusterBuilder.Pod("bad", 1);
        bad.Spec.Tolerations = new List<V1Toleration> { new() { Key = "k", OperatorProperty = "Sometimes", Value = "v" } };
        server.Create(bad);
        server.Create(ClusterBuilder.Pod("good", 1));

        await server.WaitForAsync<V1Pod>("good", "atlas", p => p.Spec.NodeName == "wn", Patience);
        Eventsv1Event failed = await WaitForEventAsync(server, "atlas", "bad", "FailedScheduling");
        Assert.Contains("spec.tolerations[0].operator", failed.Note);
        Assert.Null(server.Get<V1Pod>("bad", "atlas")!.Spec.NodeName);
    }

    [Fact]
    public async Task With_two_replicas_only_the_leader_binds_and_the_standby_takes_over_within_the_lease()
    {
        await using Server server = await Server.StartAsync();
        for (int i = 0; i < 10; i++) server.Create(ClusterBuilder.Node($"wn-{i}", 32));
        TimeSpan lease = TimeSpan.FromSeconds(3);
        void Elect(Hosting.SchedulerOptions o)
        {
            o.LeaderElect = true;
            o.LeaseDuration = lease;
            o.RenewDeadline = TimeSpan.FromSeconds(2);
            o.RetryPeriod = TimeSpan.FromMilliseconds(250);
        }
        LiveScheduler a = await LiveScheduler.StartAsync(server, o => { Elect(o); o.Identity = "replica-a"; });
        await WaitUntilAsync(server, _ => a.Service.IsLeading, "replica-a leads");
        await using LiveScheduler b = await LiveScheduler.StartAsync(server, o => { Elect(o); o.Identity = "replica-b"; });

        for (int i = 0; i < 100; i++) server.Create(ClusterBuilder.Pod($"first-{i}", 1));
        await WaitUntilAsync(server, all => all.All(p => p.Spec.NodeName is not null), "first wave bound");
        Assert.False(b.Service.IsLeading);
        Assert.Equal(0L, b.Service.Loop?.InFlightBindings ?? 0);

        // The leader goes away mid-stream: pods keep arriving while it stops.
        Task stopping = a.DisposeAsync().AsTask();
        DateTime stoppedAt = DateTime.UtcNow;
        for (int i = 0; i < 100; i++) server.Create(ClusterBuilder.Pod($"second-{i}", 1));
        await stopping;

        IReadOnlyList<V1Pod> pods = await WaitUntilAsync(server, all => all.All(p => p.Spec.NodeName is not null), "second wave bound by the standby");
        Assert.True(b.Service.IsLeading);
        Assert.True(DateTime.UtcNow - stoppedAt < lease + TimeSpan.FromSeconds(10), "the standby took too long to take over");
        Assert.All(pods, p => Assert.Equal(1, server.BindingCount(p.Metadata.NamespaceProperty, p.Metadata.Name)));
    }

    [Fact]
    public async Task A_leader_whose_lease_is_taken_stops_scheduling_at_once()
    {
        await using Server server = await Server.StartAsync();
        server.Create(ClusterBuilder.Node("wn", 32));
        await using LiveScheduler a = await LiveScheduler.StartAsync(server, o =>
        {
            o.LeaderElect = true;
            o.LeaseDuration = TimeSpan.FromSeconds(3);
            o.RenewDeadline = TimeSpan.FromSeconds(2);
            o.RetryPeriod = TimeSpan.FromMilliseconds(250);
            o.Identity = "replica-a";
        });
        await WaitUntilAsync(server, _ => a.Service.IsLeading, "replica-a leads");
        server.Create(ClusterBuilder.Pod("before", 1));
        await server.WaitForAsync<V1Pod>("before", "atlas", p => p.Spec.NodeName == "wn", Patience);

        // Someone else holds the lease now (a split brain healed in the other's favour).
        server.Update<V1Lease>(a.Options.LockName, a.Options.LockNamespace, lease =>
        {
            lease.Spec.HolderIdentity = "intruder";
            lease.Spec.LeaseDurationSeconds = 3600;
            lease.Spec.RenewTime = DateTime.UtcNow;
        });
        await WaitUntilAsync(server, _ => !a.Service.IsLeading, "replica-a notices it lost the lease");

        server.Create(ClusterBuilder.Pod("after", 1));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Null(server.Get<V1Pod>("after", "atlas")!.Spec.NodeName);
        Assert.Equal(0, server.BindingCount("atlas", "after"));
    }

    private static async Task<Eventsv1Event> WaitForEventAsync(Server server, string ns, string pod, string reason)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            Eventsv1Event? e = server.List<Eventsv1Event>(ns).FirstOrDefault(x => x.Regarding?.Name == pod && x.Reason == reason);
            if (e is not null) return e;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {reason} event for {ns}/{pod}");
            await Task.Delay(50);
        }
    }
}
