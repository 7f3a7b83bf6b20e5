using PackingScheduler.Core.Model;
using PackingScheduler.Core.Queue;
using PackingScheduler.Core.Scheduling;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Scheduling.LoopHarness;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Scheduling;

/// <summary>
/// The live loop (upstream scheduleOne with a bounded binding pipeline) over the real queue, cache
/// and engine: decisions, assumptions, binding outcomes, requeues, shutdown and back-pressure.
/// Every wait is on a condition the loop must reach; nothing asserts on elapsed time.
/// </summary>
public sealed class SchedulerLoopTests
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);

    private static NodeBuilder Node8(string name) => Node(name).Allocatable(cpu: "8", memory: "32Gi");

    private static PodBuilder Cores(string name, string cpu) => Pod(name).Requests(cpu: cpu, memory: "1Gi");

    // ---- Binding ----

    [Fact]
    public async Task Each_pod_is_bound_exactly_once_and_reported_scheduled()
    {
        await using var h = new LoopHarness(bindConcurrency: 4, bindQueueCapacity: 2);
        h.Nodes(Node8("a"), Node8("b"), Node8("c"));
        string[] names = Enumerable.Range(1, 20).Select(i => $"p{i:00}").ToArray();
        foreach (string n in names) h.Add(Cores(n, "1"));

        h.Start();
        await Until(() => h.Reporter.Scheduled.Count == 20 && h.Loop.InFlightBindings == 0, "all 20 pods are bound");

        var completed = h.Binder.Completed;
        Assert.Equal(names, completed.Select(c => c.Pod).Order().ToArray());
        Assert.All(completed, c => Assert.Equal(BindOutcome.Bound, c.Outcome));
        Assert.Equal(20, h.Binder.Entered.Count);
        var scheduled = h.Reporter.Scheduled;
        Assert.Equal(names, scheduled.Select(r => r.Pod).Order().ToArray());
        // Reported on the node it was bound to, which is where the cache counts it.
        Assert.All(scheduled, r => Assert.Contains((r.Pod, r.Node!, BindOutcome.Bound), completed));
        Assert.All(scheduled, r => Assert.Equal(r.Node, h.CachedNode(r.Pod)));
        Assert.Empty(h.Reporter.Failed);
        Assert.Equal(0, h.Queue.Count);
        Assert.Equal(20, h.Cache.AssumedCount);
        // Packing: the most allocated feasible node first, so a and b fill before c.
        Assert.Equal(8000, h.MilliCpu("a"));
        Assert.Equal(8000, h.MilliCpu("b"));
        Assert.Equal(4000, h.MilliCpu("c"));
    }

    [Fact]
    public async Task A_bound_pod_is_assumed_until_the_watch_confirms_or_the_ttl_runs_out()
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"));
        h.Add(Cores("p", "2"));

        h.Start();
        await Until(() => h.Reporter.Scheduled.Count == 1, "p is bound");

        Assert.True(h.Cache.IsAssumed("default/p"));
        // FinishBinding ran with the loop's clock: the TTL counts from the binding.
        Assert.Equal(0, h.Cache.CleanupExpired(h.Clock.UtcNow + h.Cache.AssumedPodTtl - TimeSpan.FromTicks(1)));
        Assert.Equal(2000, h.MilliCpu("a"));
        Assert.Equal(1, h.Cache.CleanupExpired(h.Clock.UtcNow + h.Cache.AssumedPodTtl + TimeSpan.FromTicks(1)));
        Assert.Equal(0, h.MilliCpu("a"));
    }

    [Fact]
    public async Task The_next_decision_counts_the_assumed_pod_while_its_binding_is_blocked()
    {
        await using var h = new LoopHarness(bindConcurrency: 1, bindQueueCapacity: 4);
        h.Nodes(Node8("a"), Node8("b"));
        h.Binder.Block();
        h.Add(Cores("p1", "6"));
        h.Add(Cores("p2", "6"));

        h.Start();
        await Until(() => h.Binder.Waiting == 1 && h.Cache.AssumedCount == 2 && h.Loop.InFlightBindings == 2,
            "p1 is binding and p2 is decided");

        // Without the assumption both would go to a (packing, ties by name): a has 2 cores left.
        Assert.Equal("a", h.CachedNode("p1"));
        Assert.Equal("b", h.CachedNode("p2"));
        Assert.Equal(6000, h.MilliCpu("a"));
        Assert.Equal(6000, h.MilliCpu("b"));
        Assert.Equal(new[] { ("p1", "a") }, h.Binder.Entered);
        Assert.Empty(h.Reporter.All);

        h.Binder.ReleaseAll();
        await Until(() => h.Reporter.Scheduled.Count == 2, "both are bound");

        Assert.Equal(new[] { ("p1", "a"), ("p2", "b") }, h.Binder.Entered);
        Assert.Equal(new[] { ("p1", "a"), ("p2", "b") }, h.Reporter.Scheduled.Select(r => (r.Pod, r.Node!)));
    }

    // ---- Unschedulable ----

    [Fact]
    public async Task An_unschedulable_pod_is_reported_with_kube_schedulers_message_and_waits_in_the_unschedulable_pool()
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"), Node8("b"));
        h.Add(Cores("big", "16"));

        h.Start();
        await Until(() => h.Location("big") == QueueLocation.Unschedulable, "big is in the unschedulable pool");

        const string message = "0/2 nodes are available: 2 Insufficient cpu.";
        var report = Assert.Single(h.Reporter.All);
        Assert.Equal(new RecordingReporter.Report("FailedScheduling", "big", null, "Unschedulable", message), report);
        Assert.Equal(message, h.Queue.Get("default/big")!.LastFailureMessage);
        Assert.Empty(h.Binder.Entered);
        Assert.Equal(0, h.Cache.PodCount);
        Assert.Equal(0, h.Loop.InFlightBindings);
        Assert.Equal(1, h.Metrics.Attempts("unschedulable"));
        Assert.Equal(1, h.Metrics.TotalAttempts);
    }

    [Fact]
    public async Task An_unschedulable_pod_is_bound_after_a_cluster_event_and_its_backoff()
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"));
        h.Add(Cores("big", "16"));
        h.Start();
        await Until(() => h.Location("big") == QueueLocation.Unschedulable, "big is unschedulable");

        h.Nodes(Node("huge").Allocatable(cpu: "32", memory: "128Gi"));
        Assert.Equal(1, h.Queue.MoveAllToActiveOrBackoff("NodeAdd"));
        Assert.Equal(QueueLocation.Backoff, h.Location("big"));
        Assert.Equal(1, h.AdvanceAndFlushBackoff(InitialBackoff));
        await Until(() => h.Reporter.Scheduled.Count == 1, "big is bound");

        Assert.Equal(("big", "huge"), (h.Reporter.Scheduled[0].Pod, h.Reporter.Scheduled[0].Node!));
        Assert.Equal(16000, h.MilliCpu("huge"));
    }

    // ---- Binding failures ----

    [Fact]
    public async Task A_failed_binding_forgets_the_assumption_reports_an_error_backs_off_and_binds_on_retry()
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"));
        h.Binder.Then("p", BindOutcome.Failed, "etcdserver: request timed out");
        PodInfo p = h.Add(Cores("p", "6"));

        h.Start();
        await Until(() => h.Location("p") == QueueLocation.Backoff, "p is backing off");

        Assert.Equal(0, h.Cache.AssumedCount);
        Assert.Equal(0, h.Cache.PodCount);
        Assert.Equal(0, h.MilliCpu("a"));
        Assert.Null(p.NodeName);
        var report = Assert.Single(h.Reporter.All);
        Assert.Equal(new RecordingReporter.Report("FailedScheduling", "p", null, "SchedulerError",
            "binding rejected: etcdserver: request timed out"), report);
        Assert.Equal("etcdserver: request timed out", h.Queue.Get("default/p")!.LastFailureMessage);

        // Not before its backoff runs out.
        Assert.Equal(0, h.AdvanceAndFlushBackoff(InitialBackoff - TimeSpan.FromTicks(1)));
        Assert.Equal(1, h.AdvanceAndFlushBackoff(TimeSpan.FromTicks(1)));
        await Until(() => h.Reporter.Scheduled.Count == 1, "p is bound on retry");

        Assert.Equal(new[] { ("p", "a"), ("p", "a") }, h.Binder.Entered);
        Assert.Equal(("p", "a"), (h.Reporter.Scheduled[0].Pod, h.Reporter.Scheduled[0].Node!));
        Assert.True(h.Cache.IsAssumed("default/p"));
        Assert.Equal(6000, h.MilliCpu("a"));
        Assert.Equal(0, h.Queue.Count);
    }

    [Fact]
    public async Task A_pod_requeued_after_a_failed_binding_is_not_pinned_to_its_first_node()
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"), Node8("b"));
        h.Binder.Then("p", BindOutcome.Failed, "the server is currently unable to handle the request");
        h.Add(Cores("p", "6"));
        h.Start();
        await Until(() => h.Location("p") == QueueLocation.Backoff, "p is backing off");
        Assert.Equal(("p", "a"), Assert.Single(h.Binder.Entered));

        // Meanwhile another scheduler fills a.
        h.Cache.AddOrUpdateBoundPod(h.BoundPod(Cores("theirs", "4").OnNode("a")));
        Assert.Equal(1, h.AdvanceAndFlushBackoff(InitialBackoff));
        await Until(() => h.Reporter.Scheduled.Count == 1, "p is bound on retry");

        Assert.Equal(("p", "b"), h.Binder.Entered[1]);
        Assert.Equal("b", h.CachedNode("p"));
        Assert.Equal(4000, h.MilliCpu("a"));
        Assert.Equal(6000, h.MilliCpu("b"));
    }

    [Theory]
    [InlineData(BindOutcome.AlreadyBound)]
    [InlineData(BindOutcome.Gone)]
    public async Task A_conflict_or_a_missing_pod_forgets_and_drops_the_pod(BindOutcome outcome)
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"));
        h.Binder.Then("p", outcome, "pods \"p\" conflict or not found");
        h.Add(Cores("p", "6"));

        h.Start();
        await Until(() => h.Queue.Count == 0 && h.Loop.InFlightBindings == 0, "p is dropped");

        Assert.Equal(0, h.Cache.AssumedCount);
        Assert.Equal(0, h.Cache.PodCount);
        Assert.Equal(0, h.MilliCpu("a"));
        Assert.Empty(h.Reporter.All);
        Assert.Equal(QueueLocation.None, h.Location("p"));
        // Not requeued: nothing comes back, even after any backoff.
        Assert.Equal(0, h.AdvanceAndFlushBackoff(TimeSpan.FromMinutes(1)));
        Assert.Equal((0, 0, 0), h.Queue.PendingCounts);
        Assert.Single(h.Binder.Entered);
        Assert.Equal(1, h.Metrics.Bindings(outcome.ToString()));
        Assert.Equal(0, h.Metrics.Attempts("scheduled"));
        Assert.Empty(h.Metrics.PodsScheduled);
    }

    [Fact]
    public async Task A_binder_exception_is_a_failed_binding()
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"));
        h.Binder.ThenThrow("p", new HttpRequestException("connection refused"));
        PodInfo p = h.Add(Cores("p", "6"));

        h.Start();
        await Until(() => h.Location("p") == QueueLocation.Backoff, "p is backing off");

        Assert.Equal(0, h.Cache.AssumedCount);
        Assert.Equal(0, h.MilliCpu("a"));
        Assert.Null(p.NodeName);
        var report = Assert.Single(h.Reporter.All);
        Assert.Equal(("SchedulerError", "binding rejected: connection refused"), (report.Reason, report.Message));
        Assert.Equal(1, h.Metrics.Bindings("Failed"));

        Assert.Equal(1, h.AdvanceAndFlushBackoff(InitialBackoff));
        await Until(() => h.Reporter.Scheduled.Count == 1, "p is bound on retry");
        Assert.Equal(6000, h.MilliCpu("a"));
    }

    // ---- Pods the cache already holds (upstream skipPodSchedule / AssumePod) ----

    [Fact]
    public async Task A_pod_already_assumed_is_skipped_when_it_comes_back_to_the_queue()
    {
        // An update that arrived during its previous cycle re-queues a pod whose binding is under way.
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"), Node8("b"));
        h.Cache.Assume(h.Translator.TranslatePod(Cores("p", "6").Build()), "a");
        h.Add(Cores("p", "6"));

        h.Start();
        await Until(() => h.Queue.Count == 0, "p has left the queue");

        Assert.Empty(h.Binder.Entered);
        Assert.Empty(h.Reporter.All);
        Assert.Equal(0, h.Metrics.TotalAttempts);
        Assert.True(h.Cache.IsAssumed("default/p"));
        Assert.Equal(6000, h.MilliCpu("a"));
        Assert.Equal(0, h.MilliCpu("b"));
    }

    [Fact]
    public async Task A_pod_the_watch_already_bound_is_not_assumed_over()
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"), Node8("b"));
        h.Add(Cores("p", "6"));
        // The watch's bound pod reaches the cache before the pending one is decided.
        h.Cache.AddOrUpdateBoundPod(h.BoundPod(Cores("p", "6").OnNode("b")));

        h.Start();
        await Until(() => h.Location("p") == QueueLocation.Backoff, "the cycle failed");

        Assert.Empty(h.Binder.Entered);
        Assert.Equal("SchedulerError", Assert.Single(h.Reporter.All).Reason);
        Assert.False(h.Cache.IsAssumed("default/p"));
        Assert.Equal("b", h.CachedNode("p"));
        Assert.Equal(0, h.MilliCpu("a"));
        Assert.Equal(6000, h.MilliCpu("b"));
        Assert.Equal(1, h.Metrics.Attempts("error"));
    }

    // ---- Shutdown ----

    [Fact]
    public async Task Stopping_drains_the_bindings_already_queued()
    {
        await using var h = new LoopHarness(bindConcurrency: 1, bindQueueCapacity: 8);
        h.Nodes(Node8("a"));
        h.Binder.Block();
        foreach (string n in new[] { "p1", "p2", "p3" }) h.Add(Cores(n, "1"));
        // Popped last: once it is unschedulable, p3's binding is surely queued.
        h.Add(Cores("big", "16"));
        h.Start();
        Task run = h.Run!;
        await Until(() => h.Binder.Waiting == 1 && h.Loop.InFlightBindings == 3 && h.Location("big") == QueueLocation.Unschedulable,
            "p1 is binding, p2 and p3 are queued for binding");

        h.Stop();
        // The loop waits for the blocked bindings.
        Assert.False(run.IsCompleted);
        h.Binder.ReleaseAll();
        await run.WaitAsync(Safety);

        Assert.Equal(new[] { "p1", "p2", "p3" }, h.Reporter.Scheduled.Select(r => r.Pod).ToArray());
        Assert.Equal(3, h.Binder.Completed.Count(c => c.Outcome == BindOutcome.Bound));
        Assert.Equal(3000, h.MilliCpu("a"));
        Assert.Equal(0, h.Loop.InFlightBindings);
        Assert.Equal(0, h.Cache.CleanupExpired(h.Clock.UtcNow));
        Assert.Equal(3, h.Cache.AssumedCount);
        Assert.Equal(1, h.Queue.Count);
    }

    [Fact]
    public async Task Aborting_requeues_the_queued_bindings_without_reporting_them_and_keeps_their_pods_pending()
    {
        await using var h = new LoopHarness(bindConcurrency: 1, bindQueueCapacity: 8);
        h.Nodes(Node8("a"));
        h.Binder.Block();
        PodInfo[] pods = new[] { "p1", "p2", "p3" }.Select(n => h.Add(Cores(n, "1"))).ToArray();
        h.Add(Cores("big", "16"));
        h.Start();
        await Until(() => h.Binder.Waiting == 1 && h.Loop.InFlightBindings == 3 && h.Location("big") == QueueLocation.Unschedulable,
            "p1 is binding, p2 and p3 are queued");

        await h.StopAndWaitAsync(abortBindings: true);

        Assert.Empty(h.Reporter.Scheduled);
        Assert.Empty(h.Binder.Completed);
        Assert.Equal(0, h.Cache.AssumedCount);
        Assert.Equal(0, h.MilliCpu("a"));
        Assert.All(pods, p => Assert.Null(p.NodeName));
        Assert.All(new[] { "p1", "p2", "p3" }, n => Assert.Equal(QueueLocation.Backoff, h.Location(n)));
        // An abort means the lease is gone: this replica no longer speaks for the scheduler.
        Assert.DoesNotContain(h.Reporter.Failed, r => r.Reason == "SchedulerError");
        Assert.Equal(3, h.Metrics.Bindings("Failed"));
        Assert.Equal(0, h.Loop.InFlightBindings);
    }

    [Fact]
    public async Task Stopping_while_waiting_for_room_in_the_pipeline_requeues_the_decided_pod()
    {
        await using var h = new LoopHarness(bindConcurrency: 1, bindQueueCapacity: 1);
        h.Nodes(Node8("a"));
        h.Binder.Block();
        foreach (string n in new[] { "p1", "p2", "p3" }) h.Add(Cores(n, "1"));
        h.Start();
        Task run = h.Run!;
        // p1 binding, p2 queued, p3 decided and assumed, waiting for room.
        await Until(() => h.Binder.Waiting == 1 && h.Queue.InFlightCount == 3 && h.Cache.AssumedCount == 3, "the pipeline is full");

        h.Stop();
        h.Binder.ReleaseAll();
        await run.WaitAsync(Safety);

        Assert.Equal(new[] { "p1", "p2" }, h.Reporter.Scheduled.Select(r => r.Pod).ToArray());
        Assert.Equal(QueueLocation.Backoff, h.Location("p3"));
        Assert.Equal("scheduler stopping", h.Queue.Get("default/p3")!.LastFailureMessage);
        Assert.False(h.Cache.IsAssumed("default/p3"));
        Assert.Null(h.Queue.Get("default/p3")!.PodInfo.NodeName);
        Assert.Equal(2000, h.MilliCpu("a"));
        Assert.Equal(0, h.Loop.InFlightBindings);
    }

    [Fact]
    public async Task Closing_the_queue_ends_the_loop()
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"));
        h.Start();
        Task run = h.Run!;

        h.Queue.Close();
        await run.WaitAsync(Safety);

        Assert.True(run.IsCompletedSuccessfully);
    }

    // ---- Back-pressure ----

    [Fact]
    public async Task A_blocked_binder_bounds_how_many_pods_are_decided_and_assumed()
    {
        const int concurrency = 2, capacity = 3, total = 10;
        // Popped: `concurrency` binding, `capacity` queued, and one decided pod waiting for room.
        const int bound = concurrency + capacity + 1;
        await using var h = new LoopHarness(bindConcurrency: concurrency, bindQueueCapacity: capacity);
        h.Nodes(Node8("a"), Node8("b"));
        h.Binder.Block();
        for (int i = 0; i < total; i++) h.Add(Cores($"p{i}", "1"));

        h.Start();
        await Until(() => h.Binder.Waiting == concurrency && h.Loop.InFlightBindings == bound
                          && h.Queue.PendingCounts.Active == total - bound, "the pipeline is full");

        Assert.Equal(bound, h.Queue.InFlightCount);
        Assert.Equal(bound, h.Cache.AssumedCount);
        Assert.Equal(concurrency, h.Binder.Entered.Count);
        Assert.Empty(h.Reporter.All);

        // One binding ends: one more pod is decided, and the pipeline is full again.
        h.Binder.Release(1);
        await Until(() => h.Reporter.Scheduled.Count == 1 && h.Binder.Waiting == concurrency
                          && h.Loop.InFlightBindings == bound && h.Cache.AssumedCount == bound + 1,
            "one more pod is decided");
        Assert.Equal(total - bound - 1, h.Queue.PendingCounts.Active);
        Assert.Equal(concurrency + 1, h.Binder.Entered.Count);

        h.Binder.ReleaseAll();
        await Until(() => h.Reporter.Scheduled.Count == total && h.Loop.InFlightBindings == 0, "all pods are bound");
        Assert.Equal(total, h.Cache.AssumedCount);
        Assert.Equal(0, h.Queue.Count);
    }

    // ---- Metrics ----

    [Fact]
    public async Task Attempts_are_counted_by_result_and_bindings_by_outcome()
    {
        await using var h = new LoopHarness(bindConcurrency: 1);
        h.Nodes(Node8("a"));
        h.Binder.Then("flaky", BindOutcome.Failed, "Too Many Requests");
        h.Add(Cores("ok", "2"));
        h.Add(Cores("big", "16"));
        h.Add(Cores("flaky", "2"));

        h.Start();
        await Until(() => h.Reporter.Scheduled.Count == 1 && h.Location("big") == QueueLocation.Unschedulable
                          && h.Location("flaky") == QueueLocation.Backoff, "each pod's first attempt ended");

        // Upstream: "scheduled" once bound; a failed binding is an "error" attempt.
        Assert.Equal(1, h.Metrics.Attempts("scheduled"));
        Assert.Equal(1, h.Metrics.Attempts("unschedulable"));
        Assert.Equal(1, h.Metrics.Attempts("error"));
        Assert.Equal(3, h.Metrics.TotalAttempts);
        Assert.Equal(1, h.Metrics.Bindings("Bound"));
        Assert.Equal(1, h.Metrics.Bindings("Failed"));
        Assert.Equal(new[] { (1, TimeSpan.Zero) }, h.Metrics.PodsScheduled);

        Assert.Equal(1, h.AdvanceAndFlushBackoff(InitialBackoff));
        await Until(() => h.Reporter.Scheduled.Count == 2, "flaky is bound on retry");

        Assert.Equal(2, h.Metrics.Attempts("scheduled"));
        Assert.Equal(1, h.Metrics.Attempts("error"));
        Assert.Equal(2, h.Metrics.Bindings("Bound"));
        // Its second attempt, one (fake) second after it was first queued.
        Assert.Equal((2, InitialBackoff), h.Metrics.PodsScheduled[1]);
        Assert.Equal(0, h.Metrics.NegativeDurations);
    }
}
