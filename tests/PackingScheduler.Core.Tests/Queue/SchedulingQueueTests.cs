using PackingScheduler.Core.Queue;
using static PackingScheduler.Core.Tests.Queue.QueueTestSupport;

namespace PackingScheduler.Core.Tests.Queue;

public sealed class SchedulingQueueTests
{
    // ---------- ordering ----------

    [Fact]
    public void Pops_by_priority_then_creation_order_then_key()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("c", priority: 0, order: 3));
        q.Add(Pod("a", priority: 10, order: 2));
        q.Add(Pod("b", priority: 10, order: 1));
        q.Add(Pod("d", priority: 0, order: 1));
        q.Add(Pod("f", priority: -5, order: 0));
        q.Add(Pod("y", priority: 0, order: 7));
        q.Add(Pod("x", priority: 0, order: 7));

        var popped = Enumerable.Range(0, 7).Select(_ => q.PopNow().PodInfo.Name).ToArray();

        Assert.Equal(new[] { "b", "a", "d", "c", "x", "y", "f" }, popped);
    }

    [Fact]
    public void A_pod_back_from_a_failed_attempt_goes_behind_equal_priority_pods_queued_before_it()
    {
        // Upstream PrioritySort breaks priority ties on the queue timestamp, which a failure
        // refreshes: the older pod (by creation) still goes second.
        var (q, clock) = NewQueue();
        q.Add(Pod("old", order: 1));
        QueuedPodInfo old = q.PopNow();
        clock.Advance(TimeSpan.FromSeconds(1));
        q.Add(Pod("new", order: 2));
        clock.Advance(TimeSpan.FromSeconds(1));
        q.AddUnschedulableIfNotPresent(old, old.SchedulingCycle, "no fit");
        clock.Advance(TimeSpan.FromSeconds(1));
        q.MoveAllToActiveOrBackoff("NodeAdd");

        Assert.Equal("new", q.PopNow().PodInfo.Name);
        Assert.Equal("old", q.PopNow().PodInfo.Name);
    }

    [Fact]
    public void Pop_counts_attempts_and_scheduling_cycles()
    {
        var (q, clock) = NewQueue();
        q.Add(Pod("a"));
        q.Add(Pod("b"));
        QueuedPodInfo a = q.PopNow();
        QueuedPodInfo b = q.PopNow();
        Assert.Equal((1, 1, 1L, 2L), (a.Attempts, b.Attempts, a.SchedulingCycle, b.SchedulingCycle));
        Assert.Equal(2, q.SchedulingCycle);

        q.AddBackoff(a, "bind failed");
        clock.Advance(TimeSpan.FromSeconds(1));
        q.FlushBackoffCompleted();
        QueuedPodInfo again = q.PopNow();
        Assert.Same(a, again);
        Assert.Equal(2, again.Attempts);
        Assert.Equal(3, again.SchedulingCycle);
    }

    [Fact]
    public void Timestamps_record_first_entry_and_last_requeue()
    {
        var (q, clock) = NewQueue();
        DateTime t0 = clock.UtcNow;
        q.Add(Pod("a"));
        QueuedPodInfo a = q.PopNow();
        clock.Advance(TimeSpan.FromSeconds(7));
        q.AddUnschedulableIfNotPresent(a, a.SchedulingCycle, "no fit", new[] { "NodeResourcesFit" });

        Assert.Equal(t0, a.InitialAttemptTimestamp);
        Assert.Equal(t0 + TimeSpan.FromSeconds(7), a.Timestamp);
        Assert.Equal("no fit", a.LastFailureMessage);
        Assert.Equal(new[] { "NodeResourcesFit" }, a.UnschedulablePlugins);
    }

    // ---------- backoff ----------

    [Fact]
    public void Backoff_doubles_from_one_second_and_caps_at_ten()
    {
        var (q, _) = NewQueue();
        int[] attempts = { 0, 1, 2, 3, 4, 5, 6, 100, int.MaxValue };
        double[] seconds = { 0, 1, 2, 4, 8, 10, 10, 10, 10 };
        Assert.Equal(seconds, attempts.Select(n => q.GetBackoffDuration(n).TotalSeconds));
    }

    [Fact]
    public void Backoff_bounds_are_configurable()
    {
        var (q, _) = NewQueue(SchedulingQueueOptions.FromSeconds(podInitialBackoffSeconds: 2, podMaxBackoffSeconds: 5));
        Assert.Equal(new double[] { 2, 4, 5, 5 }, new[] { 1, 2, 3, 4 }.Select(n => q.GetBackoffDuration(n).TotalSeconds));
    }

    [Fact]
    public void Invalid_backoff_bounds_are_rejected_as_upstream_validation_does()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SchedulingQueue(new FakeClock(), SchedulingQueueOptions.FromSeconds(0, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SchedulingQueue(new FakeClock(), SchedulingQueueOptions.FromSeconds(5, 4)));
    }

    [Fact]
    public void A_pod_in_backoff_becomes_active_exactly_when_its_backoff_expires()
    {
        var (q, clock) = NewQueue();
        q.Add(Pod("a"));
        int[] expectedSeconds = { 1, 2, 4, 8, 10, 10 };
        foreach (int seconds in expectedSeconds)
        {
            QueuedPodInfo a = q.PopNow();
            q.AddBackoff(a, "error");
            Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));

            clock.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromTicks(1));
            Assert.Equal(0, q.FlushBackoffCompleted());
            Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));

            clock.Advance(TimeSpan.FromTicks(1));
            Assert.Equal(1, q.FlushBackoffCompleted());
            Assert.Equal(QueueLocation.Active, q.GetLocation("default/a"));
        }
    }

    [Fact]
    public void BackoffQ_releases_pods_in_expiry_order()
    {
        var (q, clock) = NewQueue();
        q.Add(Pod("once"));
        q.Add(Pod("twice", priority: 100));
        QueuedPodInfo twice = q.PopNow();
        q.AddBackoff(twice);
        clock.Advance(TimeSpan.FromSeconds(1));
        q.FlushBackoffCompleted();
        twice = q.PopNow();                  // attempts 2: backs off 2 s
        QueuedPodInfo once = q.PopNow();     // attempts 1: backs off 1 s
        q.AddBackoff(twice);
        q.AddBackoff(once);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, q.FlushBackoffCompleted());
        Assert.Equal(QueueLocation.Active, q.GetLocation("default/once"));
        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/twice"));
    }

    // ---------- unschedulable and move requests ----------

    [Fact]
    public void An_unschedulable_pod_waits_until_an_event_moves_it_to_active()
    {
        var (q, clock) = NewQueue();
        q.MakeUnschedulable(Pod("a"));
        Assert.Equal((0, 0, 1), q.PendingCounts);
        Assert.Equal(0, q.FlushBackoffCompleted());

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, q.MoveAllToActiveOrBackoff("NodeAdd"));

        Assert.Equal(QueueLocation.Active, q.GetLocation("default/a"));
        Assert.Equal(2, q.PopNow().Attempts);
    }

    [Fact]
    public void An_event_moves_a_pod_still_backing_off_to_backoff()
    {
        var (q, clock) = NewQueue();
        q.MakeUnschedulable(Pod("a"));

        q.MoveAllToActiveOrBackoff("NodeUpdate");
        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));

        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, q.FlushBackoffCompleted());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, q.FlushBackoffCompleted());
        Assert.Equal(QueueLocation.Active, q.GetLocation("default/a"));
    }

    [Fact]
    public void The_pre_check_limits_which_pods_an_event_moves()
    {
        var (q, clock) = NewQueue();
        q.MakeUnschedulable(Pod("a", priority: 1));
        q.MakeUnschedulable(Pod("b", priority: 2));
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, q.MoveAllToActiveOrBackoff("NodeAdd", pod => pod.Priority == 2));

        Assert.Equal(QueueLocation.Unschedulable, q.GetLocation("default/a"));
        Assert.Equal(QueueLocation.Active, q.GetLocation("default/b"));
    }

    [Fact]
    public void A_pod_failing_in_a_cycle_that_saw_a_move_request_goes_to_backoff()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("a"));
        QueuedPodInfo a = q.PopNow();
        q.MoveAllToActiveOrBackoff("NodeAdd"); // arrives while a is being scheduled

        Assert.True(q.AddUnschedulableIfNotPresent(a, a.SchedulingCycle, "no fit"));

        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));
    }

    [Fact]
    public void A_move_request_before_the_cycle_started_does_not_spare_the_pod_the_unschedulable_pool()
    {
        var (q, _) = NewQueue();
        q.MoveAllToActiveOrBackoff("NodeAdd");
        q.MakeUnschedulable(Pod("a"));
        Assert.Equal(QueueLocation.Unschedulable, q.GetLocation("default/a"));
    }

    [Fact]
    public void The_race_rule_compares_the_move_request_with_each_pods_own_cycle()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("a", order: 1));
        q.Add(Pod("b", order: 2));
        QueuedPodInfo a = q.PopNow();                 // cycle 1
        q.MoveAllToActiveOrBackoff("PodDelete");      // move request at cycle 1
        QueuedPodInfo b = q.PopNow();                 // cycle 2, started after the request

        q.AddUnschedulableIfNotPresent(a, a.SchedulingCycle, "no fit");
        q.AddUnschedulableIfNotPresent(b, b.SchedulingCycle, "no fit");

        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));
        Assert.Equal(QueueLocation.Unschedulable, q.GetLocation("default/b"));
    }

    [Fact]
    public void An_error_sends_the_pod_to_backoff_even_without_a_move_request()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("a"));
        QueuedPodInfo a = q.PopNow();
        Assert.True(q.AddBackoff(a, "binding rejected"));
        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));
        Assert.Empty(a.UnschedulablePlugins);
        Assert.Equal("binding rejected", a.LastFailureMessage);
    }

    [Fact]
    public void Leftover_unschedulable_pods_are_retried_after_five_minutes()
    {
        var (q, clock) = NewQueue();
        q.MakeUnschedulable(Pod("a"));

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, q.FlushUnschedulableLeftover()); // strictly longer than the limit
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, q.FlushUnschedulableLeftover());

        Assert.Equal(QueueLocation.Active, q.GetLocation("default/a"));
    }

    [Fact]
    public void The_leftover_flush_counts_as_a_move_request_for_pods_in_flight()
    {
        var (q, clock) = NewQueue();
        q.MakeUnschedulable(Pod("stale"));
        clock.Advance(TimeSpan.FromMinutes(6));
        q.Add(Pod("running", priority: 100));
        QueuedPodInfo running = q.PopNow();
        q.FlushUnschedulableLeftover();

        q.AddUnschedulableIfNotPresent(running, running.SchedulingCycle, "no fit");

        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/running"));
    }

    [Fact]
    public void The_leftover_timeout_is_configurable()
    {
        var (q, clock) = NewQueue(new SchedulingQueueOptions { PodMaxInUnschedulablePodsDuration = TimeSpan.FromSeconds(60) });
        q.MakeUnschedulable(Pod("a"));
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, q.FlushUnschedulableLeftover());
    }

    // ---------- update ----------

    [Fact]
    public void Updating_an_unschedulable_pod_moves_it_to_active_once_its_backoff_is_over()
    {
        var (q, clock) = NewQueue();
        q.MakeUnschedulable(Pod("a"));
        clock.Advance(TimeSpan.FromSeconds(2));
        var updated = Pod("a", priority: 5);

        q.Update(Pod("a"), updated, podUpdated: true);

        Assert.Equal(QueueLocation.Active, q.GetLocation("default/a"));
        Assert.Same(updated, q.PopNow().PodInfo);
    }

    [Fact]
    public void Updating_an_unschedulable_pod_still_backing_off_moves_it_to_backoff()
    {
        var (q, _) = NewQueue();
        q.MakeUnschedulable(Pod("a"));
        q.Update(Pod("a"), Pod("a", priority: 5));
        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));
    }

    [Fact]
    public void A_status_only_update_leaves_an_unschedulable_pod_in_the_pool_with_its_new_version()
    {
        var (q, clock) = NewQueue();
        q.MakeUnschedulable(Pod("a"));
        clock.Advance(TimeSpan.FromSeconds(2));
        var updated = Pod("a");

        q.Update(Pod("a"), updated, podUpdated: false);

        Assert.Equal(QueueLocation.Unschedulable, q.GetLocation("default/a"));
        Assert.Same(updated, q.Get("default/a")!.PodInfo);
    }

    [Fact]
    public void Updating_an_active_pod_replaces_it_in_place_and_reorders()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("a", priority: 10));
        q.Add(Pod("b", priority: 5));
        q.Update(Pod("b", priority: 5), Pod("b", priority: 20));

        Assert.Equal((2, 0, 0), q.PendingCounts);
        Assert.Equal("b", q.PopNow().PodInfo.Name);
        Assert.Equal("a", q.PopNow().PodInfo.Name);
    }

    [Fact]
    public void Updating_a_pod_in_backoff_replaces_it_there()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("a"));
        q.AddBackoff(q.PopNow());
        var updated = Pod("a", priority: 3);
        q.Update(Pod("a"), updated);
        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));
        Assert.Same(updated, q.Get("default/a")!.PodInfo);
    }

    [Fact]
    public void Updating_an_unknown_pod_adds_it_and_adding_a_known_pod_does_not_duplicate_it()
    {
        var (q, _) = NewQueue();
        q.Update(null, Pod("a"));
        q.Add(Pod("a", priority: 1));
        Assert.Equal(1, q.Count);
        Assert.Equal(QueueLocation.Active, q.GetLocation("default/a"));
        Assert.Equal(1, q.Get("default/a")!.PodInfo.Priority);
    }

    [Fact]
    public void An_update_must_keep_the_pods_key()
    {
        var (q, _) = NewQueue();
        Assert.Throws<ArgumentException>(() => q.Update(Pod("a"), Pod("b")));
    }

    [Fact]
    public void An_update_while_in_flight_is_applied_on_requeue_and_sends_the_pod_to_backoff()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("a"));
        QueuedPodInfo a = q.PopNow();
        var updated = Pod("a", priority: 7);

        q.Update(Pod("a"), updated, podUpdated: true);
        Assert.Equal(QueueLocation.InFlight, q.GetLocation("default/a"));
        Assert.NotSame(updated, a.PodInfo); // the running attempt keeps its version

        q.AddUnschedulableIfNotPresent(a, a.SchedulingCycle, "no fit");
        Assert.Same(updated, a.PodInfo);
        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));
    }

    [Fact]
    public void A_status_only_update_while_in_flight_does_not_spare_the_pod_the_pool()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("a"));
        QueuedPodInfo a = q.PopNow();
        var updated = Pod("a");
        q.Update(Pod("a"), updated, podUpdated: false);

        q.AddUnschedulableIfNotPresent(a, a.SchedulingCycle, "no fit");

        Assert.Same(updated, a.PodInfo);
        Assert.Equal(QueueLocation.Unschedulable, q.GetLocation("default/a"));
    }

    // ---------- delete, done, ownership ----------

    [Theory]
    [InlineData(QueueLocation.Active)]
    [InlineData(QueueLocation.Backoff)]
    [InlineData(QueueLocation.Unschedulable)]
    [InlineData(QueueLocation.InFlight)]
    public void Delete_removes_the_pod_from_wherever_it_is(QueueLocation where)
    {
        var (q, _) = NewQueue();
        q.Add(Pod("other", priority: -1));
        q.Add(Pod("a"));
        QueuedPodInfo? a = null;
        if (where != QueueLocation.Active)
        {
            a = q.PopNow();
            if (where == QueueLocation.Backoff) q.AddBackoff(a);
            if (where == QueueLocation.Unschedulable) q.AddUnschedulableIfNotPresent(a, a.SchedulingCycle, "no fit");
        }
        Assert.Equal(where, q.GetLocation("default/a"));

        Assert.True(q.Delete("default/a"));

        Assert.False(q.Contains("default/a"));
        Assert.Equal(QueueLocation.None, q.GetLocation("default/a"));
        Assert.Equal(1, q.Count);
        Assert.False(q.Delete("default/a"));
        if (a is not null)
        {
            // The scheduling cycle reporting back does not resurrect a deleted pod.
            Assert.False(q.AddUnschedulableIfNotPresent(a, a.SchedulingCycle, "no fit"));
            Assert.False(q.AddBackoff(a));
            Assert.False(q.Done("default/a"));
        }
        q.CheckInvariants();
        Assert.Equal("other", q.PopNow().PodInfo.Name);
    }

    [Fact]
    public void Done_forgets_a_scheduled_pod_and_a_later_binding_failure_takes_it_back()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("a"));
        QueuedPodInfo a = q.PopNow();

        Assert.True(q.Done("default/a"));
        Assert.Equal(0, q.Count);
        Assert.False(q.Done("default/a"));

        Assert.True(q.AddBackoff(a, "binding failed"));
        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void Requeueing_a_pod_already_queued_is_refused()
    {
        var (q, _) = NewQueue();
        QueuedPodInfo a = q.MakeUnschedulable(Pod("a"));
        Assert.False(q.AddUnschedulableIfNotPresent(a, a.SchedulingCycle, "again"));
        Assert.False(q.AddBackoff(a));
        Assert.Equal(QueueLocation.Unschedulable, q.GetLocation("default/a"));
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void A_stale_attempt_does_not_displace_a_recreated_pod_with_the_same_key()
    {
        var (q, _) = NewQueue();
        q.Add(Pod("a"));
        QueuedPodInfo first = q.PopNow();
        q.Done("default/a");
        q.Add(Pod("a")); // recreated
        QueuedPodInfo second = q.PopNow();

        Assert.NotSame(first, second);
        Assert.False(q.AddBackoff(first));
        Assert.Equal(QueueLocation.InFlight, q.GetLocation("default/a"));
        Assert.True(q.AddUnschedulableIfNotPresent(second, second.SchedulingCycle, "no fit"));
        Assert.Equal(1, q.Count);
    }

    // ---------- PopAsync, Close ----------

    [Fact]
    public async Task PopAsync_waits_for_a_pod_and_is_released_by_Add()
    {
        var (q, _) = NewQueue();
        ValueTask<QueuedPodInfo?> pop = q.PopAsync();
        Assert.False(pop.IsCompleted);

        q.Add(Pod("a"));

        QueuedPodInfo? a = await pop.AsTask().WaitAsync(Safety);
        Assert.NotNull(a);
        Assert.Equal("default/a", a.Key);
        Assert.Equal(QueueLocation.InFlight, q.GetLocation("default/a"));
        Assert.Equal((0, 0, 0), q.PendingCounts);
    }

    [Fact]
    public async Task Waiting_poppers_are_served_in_arrival_order()
    {
        var (q, _) = NewQueue();
        Task<QueuedPodInfo?> first = q.PopAsync().AsTask();
        Task<QueuedPodInfo?> second = q.PopAsync().AsTask();

        q.Add(Pod("a"));
        q.Add(Pod("b"));

        Assert.Equal("default/a", (await first.WaitAsync(Safety))!.Key);
        Assert.Equal("default/b", (await second.WaitAsync(Safety))!.Key);
    }

    [Fact]
    public async Task PopAsync_is_released_by_a_flush_and_by_an_event()
    {
        var (q, clock) = NewQueue();
        q.Add(Pod("a"));
        q.AddBackoff(q.PopNow());
        QueuedPodInfo b = q.MakeUnschedulable(Pod("b"));

        Task<QueuedPodInfo?> pop1 = q.PopAsync().AsTask();
        clock.Advance(TimeSpan.FromSeconds(1));
        q.FlushBackoffCompleted();
        Assert.Equal("default/a", (await pop1.WaitAsync(Safety))!.Key);

        Task<QueuedPodInfo?> pop2 = q.PopAsync().AsTask();
        q.MoveAllToActiveOrBackoff("NodeAdd");
        Assert.Same(b, await pop2.WaitAsync(Safety));
    }

    [Fact]
    public async Task A_cancelled_pop_throws_and_loses_no_pod()
    {
        var (q, _) = NewQueue();
        using var cts = new CancellationTokenSource();
        ValueTask<QueuedPodInfo?> pop = q.PopAsync(cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pop.AsTask().WaitAsync(Safety));

        q.Add(Pod("a"));
        Assert.Equal((1, 0, 0), q.PendingCounts);
        Assert.Equal("default/a", q.PopNow().Key);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => q.PopAsync(cts.Token).AsTask());
        q.CheckInvariants();
    }

    [Fact]
    public async Task Close_releases_waiting_poppers_with_null_and_later_pops_return_null()
    {
        var (q, _) = NewQueue();
        Task<QueuedPodInfo?> waiting = q.PopAsync().AsTask();

        q.Close();

        Assert.Null(await waiting.WaitAsync(Safety));
        q.Add(Pod("a"));
        ValueTask<QueuedPodInfo?> after = q.PopAsync();
        Assert.True(after.IsCompletedSuccessfully);
        Assert.Null(await after);
        Assert.True(q.IsClosed);
        Assert.Equal(1, q.Count); // the pod is kept, just not handed out
    }

    // ---------- counts and metrics hooks ----------

    [Fact]
    public void Counts_track_each_queue_and_pods_in_flight()
    {
        var (q, _) = NewQueue();
        q.MakeUnschedulable(Pod("u"));
        q.Add(Pod("b"));
        q.AddBackoff(q.PopNow());
        q.Add(Pod("f"));
        q.PopNow();
        q.Add(Pod("a1"));
        q.Add(Pod("a2"));

        Assert.Equal((2, 1, 1), q.PendingCounts);
        Assert.Equal(1, q.InFlightCount);
        Assert.Equal(5, q.Count);
        Assert.True(q.Contains("default/f"));
        Assert.False(q.Contains("default/zz"));
        q.CheckInvariants();
    }

    [Fact]
    public void Incoming_pods_are_reported_by_queue_and_event()
    {
        var seen = new List<(string, string)>();
        var clock = new FakeClock();
        var q = new SchedulingQueue(clock, new SchedulingQueueOptions { IncomingPodObserver = (queue, evt) => seen.Add((queue, evt)) });

        q.MakeUnschedulable(Pod("a"));
        clock.Advance(TimeSpan.FromSeconds(1));
        q.MoveAllToActiveOrBackoff("NodeAdd");
        q.AddBackoff(q.PopNow());
        clock.Advance(TimeSpan.FromSeconds(2));
        q.FlushBackoffCompleted();

        Assert.Equal(new[]
        {
            ("active", "PodAdd"),
            ("unschedulable", "ScheduleAttemptFailure"),
            ("active", "NodeAdd"),
            ("backoff", "ScheduleAttemptFailure"),
            ("active", "BackoffComplete"),
        }, seen);
    }
}
