using PackingScheduler.Core.Model;
using PackingScheduler.Core.Queue;
using PackingScheduler.Core.Scheduling;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Scheduling.LoopHarness;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Scheduling;

/// <summary>
/// The loop's PostFilter (upstream DefaultPreemption and handleSchedulingFailure) over the real
/// queue, cache and engine with a fake executor: nomination, evictions, what is reported, the
/// queue the preemptor waits in, and the nominated room held while the victims terminate.
/// </summary>
[Trait("Category", "Preemption")]
public sealed class SchedulerLoopPreemptionTests
{
    private const int Backfill = -10;
    private const int Production = 1000;
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);

    private static NodeBuilder Node8(string name) => Node(name).Allocatable(cpu: "8", memory: "32Gi");

    private static PodBuilder Cores(string name, string cpu) => Pod(name).Requests(cpu: cpu, memory: "1Gi");

    /// <summary>Node <paramref name="node"/> full of eight 1-core backfill pods named node-0..node-7.</summary>
    private static void FillWithBackfill(LoopHarness h, string node)
    {
        for (int i = 0; i < 8; i++) h.Running(Cores($"{node}-{i}", "1").OnNode(node), Backfill);
    }

    private static async Task<RecordingReporter.Report> FailureOf(LoopHarness h, string pod, int nth = 1)
    {
        await Until(() => h.Reporter.For(pod).Count(r => r.Kind == "FailedScheduling") >= nth, $"{pod} failed {nth} time(s)");
        return h.Reporter.For(pod).Where(r => r.Kind == "FailedScheduling").ElementAt(nth - 1);
    }

    [Fact]
    public async Task A_pod_that_fits_nowhere_evicts_the_minimum_is_nominated_and_lands_there_once_they_are_gone()
    {
        await using var h = new LoopHarness(preemption: true);
        h.Nodes(Node8("a"), Node8("b"));
        FillWithBackfill(h, "a");
        // b also runs a production pod: evicting its backfill would not make room for 8 cores.
        h.Running(Cores("prod", "2").OnNode("b"), Production);
        for (int i = 0; i < 6; i++) h.Running(Cores($"b-{i}", "1").OnNode("b"), Backfill);
        h.Add(Cores("pilot", "8"), Production);

        h.Start();
        RecordingReporter.Report failed = await FailureOf(h, "pilot");

        // The fit error, without a PostFilter message, and the nomination in the same status write.
        Assert.Equal(("Unschedulable", "0/2 nodes are available: 2 Insufficient cpu.", "a"), (failed.Reason, failed.Message, failed.Nomination));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"a-{i}").Order(), h.Evictions.Calls.Select(c => c.Victim).Order());
        Assert.All(h.Evictions.Calls, c => Assert.Equal(("pilot", "a"), (c.Preemptor, c.Node)));
        Assert.Equal("a", h.Nominated("pilot"));
        // The victims hold their node, terminating, until the watch sees them go.
        Assert.All(Enumerable.Range(0, 8), i => Assert.True(h.Cache.Read(s => s.FindPod($"default/a-{i}")) is { Terminating: true, TerminatingByPreemption: true }));
        Assert.Equal(8000, h.MilliCpu("a"));
        Assert.Equal(QueueLocation.Unschedulable, h.Location("pilot"));
        Assert.Equal(1, h.Metrics.PreemptionAttempts);
        Assert.Equal([8], h.Metrics.Victims);
        Assert.Equal(1, h.Metrics.Attempts("unschedulable"));

        for (int i = 0; i < 8; i++) h.WatchDeletes($"a-{i}");
        h.AdvanceAndFlushBackoff(Backoff);
        await Until(() => h.Reporter.Scheduled.Any(r => r.Pod == "pilot"), "the pilot is bound");

        Assert.Equal(("pilot", "a"), (h.Binder.Entered.Single().Pod, h.Binder.Entered.Single().Node));
        Assert.Null(h.Nominated("pilot"));
        Assert.Equal(0, h.Cache.Read(s => s.NominatedPodCount));
        Assert.Equal(8, h.Evictions.Calls.Count);
        Assert.Equal(7, h.Cache.Read(s => s.FindNode("b")!.Pods.Count));
    }

    [Fact]
    public async Task While_the_victims_terminate_the_preemptor_waits_for_them_and_a_smaller_pod_cannot_take_the_room()
    {
        await using var h = new LoopHarness(preemption: true);
        h.Nodes(Node8("a"));
        FillWithBackfill(h, "a");
        h.Add(Cores("pilot", "8"), Production);
        h.Start();
        await FailureOf(h, "pilot");
        Assert.Equal(8, h.Evictions.Calls.Count);

        // Half the victims are gone: the pilot is retried, still does not fit, and waits rather
        // than preempting again (upstream: not eligible while its victims terminate).
        for (int i = 0; i < 4; i++) h.WatchDeletes($"a-{i}");
        h.AdvanceAndFlushBackoff(Backoff);
        RecordingReporter.Report again = await FailureOf(h, "pilot", 2);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node.", again.Message);
        Assert.Null(again.Nomination);
        Assert.Equal("a", h.Nominated("pilot"));
        Assert.Equal(8, h.Evictions.Calls.Count);

        // 4 cores are free on a, but they are the pilot's: a 1-core backfill pod does not get them.
        h.Add(Cores("small", "1"), Backfill);
        RecordingReporter.Report small = await FailureOf(h, "small");
        Assert.StartsWith("0/1 nodes are available: 1 Insufficient cpu.", small.Message);
        Assert.DoesNotContain(h.Binder.Entered, e => e.Pod == "small");
        Assert.Equal(4000, h.MilliCpu("a"));

        for (int i = 4; i < 8; i++) h.WatchDeletes($"a-{i}");
        h.AdvanceAndFlushBackoff(Backoff * 2);
        await Until(() => h.Reporter.Scheduled.Any(r => r.Pod == "pilot"), "the pilot is bound");
        Assert.Equal("a", h.CachedNode("pilot"));
        Assert.DoesNotContain(h.Binder.Entered, e => e.Pod == "small");
        Assert.Equal(8, h.Evictions.Calls.Count);
    }

    [Fact]
    public async Task A_failed_eviction_drops_the_nomination_and_the_preemptor_backs_off()
    {
        await using var h = new LoopHarness(preemption: true);
        h.Nodes(Node8("a"));
        FillWithBackfill(h, "a");
        h.Evictions.Returns("a-3", PreemptOutcome.Failed, "deleting: 500 Internal Server Error");
        h.Evictions.Returns("a-5", PreemptOutcome.Gone);
        h.Add(Cores("pilot", "8"), Production);

        h.Start();
        RecordingReporter.Report failed = await FailureOf(h, "pilot");

        Assert.Equal("SchedulerError", failed.Reason);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: evicting default/a-3 failed: deleting: 500 Internal Server Error", failed.Message);
        Assert.Null(h.Nominated("pilot"));
        Assert.Equal(QueueLocation.Backoff, h.Location("pilot"));
        Assert.Equal(1, h.Metrics.Attempts("error"));
        Assert.Empty(h.Metrics.Victims);
        // The victim whose eviction failed still runs as far as anyone knows; the others were evicted.
        Assert.False(h.Cache.Read(s => s.FindPod("default/a-3")!.TerminatingByPreemption));
        Assert.True(h.Cache.Read(s => s.FindPod("default/a-2")!.TerminatingByPreemption));
        Assert.True(h.Cache.Read(s => s.FindPod("default/a-5")!.TerminatingByPreemption));
    }

    [Fact]
    public async Task When_preemption_cannot_help_the_message_says_so_and_a_nomination_is_cleared()
    {
        await using var h = new LoopHarness(preemption: true);
        h.Nodes(Node8("a"));
        for (int i = 0; i < 8; i++) h.Running(Cores($"peer-{i}", "1").OnNode("a"), Production);
        PodInfo pilot = h.Add(Cores("pilot", "8"), Production);
        // A nomination from an earlier preemption (read from status.nominatedNodeName after a restart).
        h.Cache.Write(s => s.Nominate(pilot, "a"));

        h.Start();
        RecordingReporter.Report failed = await FailureOf(h, "pilot");

        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
            failed.Message);
        Assert.Equal(("Unschedulable", ""), (failed.Reason, failed.Nomination));
        Assert.Null(h.Nominated("pilot"));
        Assert.Null(pilot.NominatedNodeName);
        Assert.Empty(h.Evictions.Calls);
        Assert.Equal(QueueLocation.Unschedulable, h.Location("pilot"));
        Assert.Equal(1, h.Metrics.PreemptionAttempts);
    }

    [Fact]
    public async Task A_pod_with_preemptionPolicy_Never_does_not_preempt_and_keeps_its_nomination()
    {
        await using var h = new LoopHarness(preemption: true);
        h.Nodes(Node8("a"));
        FillWithBackfill(h, "a");
        PodInfo pilot = h.Add(Cores("pilot", "8"), Production, preemptionNever: true);
        h.Cache.Write(s => s.Nominate(pilot, "a"));

        h.Start();
        RecordingReporter.Report failed = await FailureOf(h, "pilot");

        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.", failed.Message);
        Assert.Null(failed.Nomination);
        Assert.Equal("a", h.Nominated("pilot"));
        Assert.Empty(h.Evictions.Calls);
        Assert.All(Enumerable.Range(0, 8), i => Assert.False(h.Cache.Read(s => s.FindPod($"default/a-{i}")!.Terminating)));
    }

    [Fact]
    public async Task Lower_priority_pods_nominated_to_the_chosen_node_lose_their_nomination()
    {
        await using var h = new LoopHarness(preemption: true);
        h.Nodes(Node8("a"));
        FillWithBackfill(h, "a");
        // A mid-priority pod nominated to a earlier (its own victims long gone): the pilot outranks it.
        PodInfo mid = h.BoundPod(Cores("mid", "2"), priority: 100);
        mid.NodeName = null;
        h.Cache.Write(s => s.Nominate(mid, "a"));
        h.Add(Cores("pilot", "8"), Production);

        h.Start();
        await FailureOf(h, "pilot");

        Assert.Equal("a", h.Nominated("pilot"));
        Assert.Null(h.Nominated("mid"));
        Assert.Null(mid.NominatedNodeName);
        Assert.Contains(h.Reporter.All, r => r is { Kind: "ClearNomination", Pod: "mid" });
        Assert.DoesNotContain(h.Reporter.All, r => r is { Kind: "ClearNomination", Pod: "pilot" });
    }

    [Fact]
    public async Task Victims_already_terminating_are_not_evicted_again()
    {
        await using var h = new LoopHarness(preemption: true);
        h.Nodes(Node8("a"));
        FillWithBackfill(h, "a");
        // a-0 is being deleted by someone else: it still holds its node, and needs no API call.
        h.Cache.Write(s => s.FindPod("default/a-0")!.Terminating = true);
        h.Add(Cores("pilot", "8"), Production);

        h.Start();
        await FailureOf(h, "pilot");

        Assert.Equal(Enumerable.Range(1, 7).Select(i => $"a-{i}").Order(), h.Evictions.Calls.Select(c => c.Victim).Order());
        Assert.Equal([8], h.Metrics.Victims);
        Assert.False(h.Cache.Read(s => s.FindPod("default/a-0")!.TerminatingByPreemption));
    }

    [Fact]
    public async Task Without_an_executor_the_loop_does_not_preempt()
    {
        await using var h = new LoopHarness();
        h.Nodes(Node8("a"));
        FillWithBackfill(h, "a");
        h.Add(Cores("pilot", "8"), Production);

        h.Start();
        RecordingReporter.Report failed = await FailureOf(h, "pilot");

        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu.", failed.Message);
        Assert.Null(h.Nominated("pilot"));
        Assert.Equal(0, h.Metrics.PreemptionAttempts);
    }
}
