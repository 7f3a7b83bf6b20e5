using k8s.Models;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Preemption;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Preemption;

/// <summary>
/// DefaultPreemption against the engine: eligibility, the dry run, budgets, candidate choice, and
/// the engine's handling of nominated pods (held room, nominated node first).
/// </summary>
[Trait("Category", "Preemption")]
public sealed class DefaultPreemptionTests
{
    private static readonly DateTime T0 = new(2026, 11, 1, 10, 0, 0, DateTimeKind.Utc);

    private static NodeBuilder Worker(string name, string cpu = "8") => Node(name).Allocatable(cpu: cpu, memory: "64Gi").Label("kubernetes.io/hostname", name);

    private static PodInfo Running(TestCluster c, string name, string node, string cpu, int priority, DateTime? started = null, string app = "backfill")
    {
        V1Pod pod = Pod(name, "grid").Label("app", app).OnNode(node).Requests(cpu: cpu, memory: "1Gi").Build();
        if (started is { } s) pod.Status = new V1PodStatus { StartTime = s };
        PodInfo info = c.Translator.TranslatePod(pod, priority);
        c.State.AddPod(info);
        return info;
    }

    private static PodInfo Pending(TestCluster c, string name, string cpu, int priority, bool never = false) =>
        c.Translator.TranslatePod(Pod(name, "grid").Requests(cpu: cpu, memory: "1Gi").Build(), priority, never);

    private static (ScheduleResult Failed, PreemptionResult Result) Preempt(TestCluster c, PodInfo pod, SchedulerProfile? profile = null)
    {
        var engine = new SchedulingEngine(profile ?? SchedulerProfile.NodePacking(), c.Interner);
        ScheduleResult failed = engine.Schedule(pod, c.State);
        Assert.False(failed.Scheduled);
        return (failed, new DefaultPreemption(engine).Preempt(pod, c.State, failed));
    }

    private static string[] Keys(IEnumerable<PodInfo> pods) => pods.Select(p => p.Key).ToArray();

    [Fact]
    public void Victims_are_the_least_important_pods_left_after_reprieving_the_most_important_first()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"));
        Running(c, "old", "wn-a", "2", -10, T0);
        Running(c, "young", "wn-a", "2", -10, T0.AddHours(2));
        Running(c, "mid", "wn-a", "2", -10, T0.AddHours(1));
        Running(c, "higher", "wn-a", "2", 5, T0.AddHours(3));

        (_, PreemptionResult r) = Preempt(c, Pending(c, "p", "4", 100));

        // Reprieve order: higher (5), then old, mid, young (-10 by start): higher and old fit back (4 + 4 = 8).
        Assert.NotNull(r.Chosen);
        Assert.Equal(["grid/mid", "grid/young"], Keys(r.Chosen!.Victims));
        Assert.Equal(0, r.Chosen.PdbViolations);
    }

    [Fact]
    public void The_dry_run_leaves_the_cluster_exactly_as_it_found_it()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"), Worker("wn-b"));
        for (int i = 0; i < 8; i++) Running(c, $"a-{i}", "wn-a", "1", -10);
        for (int i = 0; i < 4; i++) Running(c, $"b-{i}", "wn-b", "2", -10);
        string Snapshot() => string.Join(";", c.State.Nodes.Select(n => $"{n.Name}:{n.Requested.MilliCpu}:{string.Join(",", n.Pods.Select(p => p.Key).Order())}"));
        string before = Snapshot();
        int pods = c.State.PodCount;

        (_, PreemptionResult r) = Preempt(c, Pending(c, "p", "8", 100));

        Assert.NotNull(r.Chosen);
        Assert.Equal(before, Snapshot());
        Assert.Equal(pods, c.State.PodCount);
    }

    [Fact]
    public void Equal_priority_pods_are_never_victims()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"));
        Running(c, "same", "wn-a", "8", 100);

        (ScheduleResult failed, PreemptionResult r) = Preempt(c, Pending(c, "p", "1", 100));

        Assert.Null(r.Chosen);
        Assert.True(r.Eligible);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
            failed.Message + " " + r.Message);
    }

    [Fact]
    public void Preemption_policy_never_makes_the_pod_ineligible()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"));
        Running(c, "bf", "wn-a", "8", -10);

        (_, PreemptionResult r) = Preempt(c, Pending(c, "p", "1", 100, never: true));

        Assert.Null(r.Chosen);
        Assert.False(r.Eligible);
        Assert.Equal("preemption: not eligible due to preemptionPolicy=Never.", r.Message);
    }

    [Fact]
    public void A_pod_waits_while_its_victims_terminate_on_its_nominated_node()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"));
        PodInfo victim = Running(c, "bf", "wn-a", "8", -10);
        victim.Terminating = victim.TerminatingByPreemption = true;
        PodInfo pod = Pending(c, "p", "8", 100);
        pod.NominatedNodeName = "wn-a";

        (_, PreemptionResult r) = Preempt(c, pod);

        Assert.Null(r.Chosen);
        Assert.False(r.Eligible);
        Assert.Equal("preemption: not eligible due to a terminating pod on the nominated node.", r.Message);

        // A pod deleted for another reason does not hold the preemptor back.
        victim.TerminatingByPreemption = false;
        (_, PreemptionResult again) = Preempt(c, pod);
        Assert.NotNull(again.Chosen);
    }

    [Fact]
    public void Unresolvable_nodes_are_not_tried_and_count_as_not_helpful()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"), Worker("wn-b").Unschedulable(), Worker("wn-c"));
        Running(c, "a", "wn-a", "8", 100);
        Running(c, "b", "wn-b", "8", -10);
        Running(c, "c", "wn-c", "8", 100);

        (ScheduleResult failed, PreemptionResult r) = Preempt(c, Pending(c, "p", "1", 50));

        Assert.Null(r.Chosen);
        Assert.Equal("0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.", failed.Message);
        Assert.Equal("preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.", r.Message);
    }

    [Fact]
    public void Pods_nominated_to_a_node_hold_its_room_against_pods_of_lower_or_equal_priority_only()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"));
        PodInfo nominated = Pending(c, "big", "8", 100);
        c.State.Nominate(nominated, "wn-a");
        var engine = new SchedulingEngine(SchedulerProfile.NodePacking(), c.Interner);

        Assert.False(engine.Schedule(Pending(c, "small", "1", 0), c.State).Scheduled);
        Assert.False(engine.Schedule(Pending(c, "peer", "1", 100), c.State).Scheduled);
        Assert.Equal("wn-a", engine.Schedule(Pending(c, "urgent", "1", 1000), c.State).Node?.Name);
        // The nominated pod itself is not held back by its own nomination.
        Assert.Equal("wn-a", engine.Schedule(nominated, c.State).Node?.Name);
        // Filtering with nominated pods leaves no trace in the cluster.
        Assert.Equal(0, c.State.PodCount);
        Assert.Equal(0, c.State.Nodes[0].Requested.MilliCpu);

        Assert.True(c.State.RemoveNomination(nominated.Key));
        Assert.Equal("wn-a", engine.Schedule(Pending(c, "small", "1", 0), c.State).Node?.Name);
    }

    [Fact]
    public void A_nominated_pod_goes_to_its_nominated_node_when_it_fits_there_even_if_another_scores_higher()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"), Worker("wn-b"));
        Running(c, "busy", "wn-b", "6", 0);
        PodInfo pod = Pending(c, "p", "1", 100);
        var engine = new SchedulingEngine(SchedulerProfile.NodePacking(), c.Interner);
        Assert.Equal("wn-b", engine.Schedule(pod, c.State).Node?.Name); // MostAllocated prefers the busy node

        pod.NominatedNodeName = "wn-a";
        ScheduleResult r = engine.Schedule(pod, c.State);

        Assert.Equal("wn-a", r.Node?.Name);
        Assert.Equal(1, r.EvaluatedNodes);
    }

    [Fact]
    public void Budgets_push_victims_to_unprotected_pods_and_already_disrupted_pods_do_not_count()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"), Worker("wn-b"));
        Running(c, "a", "wn-a", "8", -10, app: "protected");
        Running(c, "b", "wn-b", "8", -10, app: "protected");
        var selector = c.Translator.CompileLabelSelector(new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "protected" } }, "spec.selector");
        c.State.SetDisruptionBudget(new DisruptionBudget
        {
            Namespace = "grid", Name = "pdb", Selector = selector, DisruptionsAllowed = 0,
            DisruptedPods = new HashSet<string> { "b" },
        });

        (_, PreemptionResult r) = Preempt(c, Pending(c, "p", "8", 100));

        // Evicting a would take the budget below zero; b is already counted as disrupted.
        Assert.Equal("wn-b", r.Chosen?.Node.Name);
        Assert.Equal(0, r.Chosen!.PdbViolations);
    }

    [Fact]
    public void A_budget_that_cannot_be_respected_is_violated_and_counted()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"));
        Running(c, "a", "wn-a", "8", -10, app: "protected");
        var selector = c.Translator.CompileLabelSelector(new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "protected" } }, "spec.selector");
        c.State.SetDisruptionBudget(new DisruptionBudget { Namespace = "grid", Name = "pdb", Selector = selector, DisruptionsAllowed = 0 });

        (_, PreemptionResult r) = Preempt(c, Pending(c, "p", "8", 100));

        Assert.Equal(["grid/a"], Keys(r.Chosen!.Victims));
        Assert.Equal(1, r.Chosen.PdbViolations);
    }

    [Fact]
    public void An_empty_budget_selector_protects_nothing()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"), Worker("wn-b"));
        Running(c, "a", "wn-a", "8", -10);
        Running(c, "b", "wn-b", "8", -10);
        c.State.SetDisruptionBudget(new DisruptionBudget { Namespace = "grid", Name = "all", Selector = LabelSelector.Everything, DisruptionsAllowed = 0 });

        (_, PreemptionResult r) = Preempt(c, Pending(c, "p", "8", 100));

        Assert.Equal(0, r.Chosen!.PdbViolations);
        Assert.Equal("wn-a", r.Chosen.Node.Name);
    }

    [Fact]
    public void Candidate_choice_prefers_the_latest_started_victims_when_everything_else_ties()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"), Worker("wn-b"));
        Running(c, "a", "wn-a", "8", -10, T0.AddHours(1));
        Running(c, "b", "wn-b", "8", -10, T0.AddHours(5));

        (_, PreemptionResult r) = Preempt(c, Pending(c, "p", "8", 100));

        Assert.Equal("wn-b", r.Chosen?.Node.Name);
    }

    [Fact]
    public void Lower_priority_pods_nominated_to_the_chosen_node_are_returned_for_clearing()
    {
        var c = new TestCluster().Nodes(Worker("wn-a"));
        Running(c, "bf", "wn-a", "8", -10);
        PodInfo low = Pending(c, "low", "1", 10);
        PodInfo high = Pending(c, "high", "1", 5000);
        c.State.Nominate(low, "wn-a");
        c.State.Nominate(high, "wn-a");

        (_, PreemptionResult r) = Preempt(c, Pending(c, "p", "6", 100));

        Assert.Equal("wn-a", r.Chosen?.Node.Name);
        // The higher-priority nomination counts while victims are chosen: with the backfill gone, 1 + 6 of 8 cpu fit.
        Assert.Equal(["grid/bf"], Keys(r.Chosen!.Victims));
        Assert.Equal(["grid/low"], Keys(r.LowerPriorityNominated));
    }

    [Theory]
    [InlineData(50, 10, 100, 50)]
    [InlineData(5000, 10, 100, 500)]
    [InlineData(5000, 1, 100, 100)]
    [InlineData(300, 0, 20, 20)]
    public void Number_of_candidates_is_a_percentage_of_the_nodes_but_at_least_the_absolute_minimum(int nodes, int percentage, int absolute, int expected)
    {
        var profile = SchedulerProfile.NodePacking() with { MinCandidateNodesPercentage = percentage, MinCandidateNodesAbsolute = absolute };
        var preemption = new DefaultPreemption(new SchedulingEngine(profile, new Interner()));
        Assert.Equal(expected, preemption.NumCandidates(nodes));
    }
}
