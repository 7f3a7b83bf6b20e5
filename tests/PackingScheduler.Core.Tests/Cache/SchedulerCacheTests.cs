using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Tests.Support;
using PackingScheduler.Core.Translation;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Cache;

/// <summary>
/// The live scheduler's cache, as upstream's (pkg/scheduler/backend/cache): assumed pods count at
/// once, the watch confirms them, a failed binding forgets them, unconfirmed ones expire after
/// their binding finished; bound pods of any scheduler count.
/// </summary>
public sealed class SchedulerCacheTests
{
    private static readonly DateTime T0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly Interner _interner = new();
    private readonly ObjectTranslator _translator;
    private readonly SchedulerCache _cache;

    public SchedulerCacheTests()
    {
        _translator = new ObjectTranslator(_interner);
        _cache = new SchedulerCache(_interner);
    }

    private void AddNode(string name, string cpu = "8", string pods = "110") =>
        _cache.Write(s => s.AddOrUpdateNode(_translator.TranslateNode(Node(name).Allocatable(cpu: cpu, memory: "32Gi", pods: pods))));

    private PodInfo Pending(string name, string cpu = "2", string memory = "1Gi") =>
        _translator.TranslatePod(Pod(name).Requests(cpu: cpu, memory: memory));

    private PodInfo Bound(string name, string node, string cpu = "2", string memory = "1Gi", string? schedulerName = null)
    {
        var pod = Pod(name).Requests(cpu: cpu, memory: memory).OnNode(node).Build();
        pod.Spec.SchedulerName = schedulerName;
        return _translator.TranslatePod(pod);
    }

    private NodeInfo NodeOf(string name) => _cache.Read(s => s.FindNode(name)) ?? throw new InvalidOperationException($"no node {name}");

    private long MilliCpu(string node) => _cache.Read(s => s.FindNode(node)!.Requested.MilliCpu);

    private int PodsOn(string node) => _cache.Read(s => s.FindNode(node)!.Pods.Count);

    // ---- Assume ----

    [Fact]
    public void An_assumed_pod_counts_on_its_node_at_once()
    {
        AddNode("a");
        PodInfo p = Pending("p", cpu: "3", memory: "2Gi");

        _cache.Assume(p, "a");

        Assert.Equal("a", p.NodeName);
        Assert.True(_cache.IsAssumed("default/p"));
        Assert.Equal(1, _cache.AssumedCount);
        Assert.Equal(1, _cache.PodCount);
        Assert.Equal(1, PodsOn("a"));
        Assert.Equal(3000, MilliCpu("a"));
        Assert.Equal(2L * 1024 * 1024 * 1024, NodeOf("a").Requested.Memory);
        Assert.Same(p, _cache.Read(s => s.FindPod("default/p")));
    }

    [Fact]
    public void Assumed_pods_add_up_on_a_node()
    {
        AddNode("a");
        _cache.Assume(Pending("p1", cpu: "3"), "a");
        _cache.Assume(Pending("p2", cpu: "4"), "a");

        Assert.Equal(7000, MilliCpu("a"));
        Assert.Equal(2, PodsOn("a"));
        Assert.Equal(2, _cache.AssumedCount);
    }

    [Fact]
    public void AssumeLocked_inside_a_read_counts_like_Assume()
    {
        AddNode("a");
        PodInfo p = Pending("p", cpu: "3");

        long seenInside = _cache.Read(state =>
        {
            _cache.AssumeLocked(state, p, "a");
            return state.FindNode("a")!.Requested.MilliCpu;
        });

        Assert.Equal(3000, seenInside);
        Assert.True(_cache.IsAssumed("default/p"));
        Assert.Equal(3000, MilliCpu("a"));
    }

    [Fact]
    public void A_pod_the_watch_already_bound_cannot_be_assumed_over()
    {
        // Upstream AssumePod refuses a pod the cache holds: replacing the bound pod with the
        // assumption would drop it from its node when the assumption is forgotten (409).
        AddNode("a");
        AddNode("b");
        _cache.AddOrUpdateBoundPod(Bound("p", "b", cpu: "5"));
        PodInfo again = Pending("p", cpu: "5");

        Assert.Throws<InvalidOperationException>(() => _cache.Assume(again, "a"));
        Assert.Throws<InvalidOperationException>(() => _cache.Read(s =>
        {
            _cache.AssumeLocked(s, again, "a");
            return 0;
        }));
        _cache.Forget("default/p");

        Assert.False(_cache.IsAssumed("default/p"));
        Assert.Null(again.NodeName);
        Assert.Equal(0, MilliCpu("a"));
        Assert.Equal(5000, MilliCpu("b"));
        Assert.Equal(1, _cache.PodCount);
    }

    [Fact]
    public void An_assumed_pod_cannot_be_assumed_twice()
    {
        AddNode("a");
        AddNode("b");
        _cache.Assume(Pending("p", cpu: "2"), "a");

        Assert.Throws<InvalidOperationException>(() => _cache.Assume(Pending("p", cpu: "2"), "b"));

        Assert.Equal(2000, MilliCpu("a"));
        Assert.Equal(0, MilliCpu("b"));
        Assert.Equal(1, _cache.AssumedCount);
    }

    // ---- FinishBinding and expiry ----

    [Fact]
    public void An_unconfirmed_pod_expires_after_the_ttl_from_its_finished_binding_not_before()
    {
        AddNode("a");
        _cache.Assume(Pending("p", cpu: "2"), "a");
        _cache.FinishBinding("default/p", T0);

        Assert.Equal(0, _cache.CleanupExpired(T0));
        Assert.Equal(0, _cache.CleanupExpired(T0 + Ttl - Tick));
        Assert.True(_cache.IsAssumed("default/p"));
        Assert.Equal(2000, MilliCpu("a"));

        Assert.Equal(1, _cache.CleanupExpired(T0 + Ttl + Tick));

        Assert.False(_cache.IsAssumed("default/p"));
        Assert.Equal(0, _cache.PodCount);
        Assert.Equal(0, MilliCpu("a"));
        Assert.Equal(0, PodsOn("a"));
        Assert.Equal(0, _cache.CleanupExpired(T0 + Ttl + Ttl));
    }

    [Fact]
    public void A_pod_whose_binding_has_not_finished_never_expires()
    {
        AddNode("a");
        _cache.Assume(Pending("p", cpu: "2"), "a");

        Assert.Equal(0, _cache.CleanupExpired(T0 + TimeSpan.FromDays(365)));

        Assert.True(_cache.IsAssumed("default/p"));
        Assert.Equal(2000, MilliCpu("a"));
    }

    [Fact]
    public void Only_the_pods_past_their_deadline_expire()
    {
        AddNode("a");
        _cache.Assume(Pending("early", cpu: "1"), "a");
        _cache.Assume(Pending("late", cpu: "2"), "a");
        _cache.Assume(Pending("binding", cpu: "4"), "a");
        _cache.FinishBinding("default/early", T0);
        _cache.FinishBinding("default/late", T0 + TimeSpan.FromMinutes(1));

        Assert.Equal(1, _cache.CleanupExpired(T0 + Ttl + Tick));

        Assert.False(_cache.IsAssumed("default/early"));
        Assert.True(_cache.IsAssumed("default/late"));
        Assert.True(_cache.IsAssumed("default/binding"));
        Assert.Equal(6000, MilliCpu("a"));
    }

    [Fact]
    public void The_ttl_is_configurable()
    {
        var cache = new SchedulerCache(_interner) { AssumedPodTtl = TimeSpan.FromSeconds(30) };
        cache.Write(s => s.AddOrUpdateNode(_translator.TranslateNode(Node("a").Allocatable(cpu: "8", memory: "32Gi"))));
        cache.Assume(Pending("p"), "a");
        cache.FinishBinding("default/p", T0);

        Assert.Equal(0, cache.CleanupExpired(T0 + TimeSpan.FromSeconds(30) - Tick));
        Assert.Equal(1, cache.CleanupExpired(T0 + TimeSpan.FromSeconds(30) + Tick));
    }

    [Fact]
    public void FinishBinding_of_an_unknown_pod_does_nothing()
    {
        _cache.FinishBinding("default/nobody", T0);
        Assert.Equal(0, _cache.CleanupExpired(T0 + Ttl + Ttl));
        Assert.Equal(0, _cache.AssumedCount);
    }

    // ---- Confirmation by the watch ----

    [Fact]
    public void The_watch_confirms_an_assumed_pod_which_then_counts_once()
    {
        AddNode("a");
        _cache.Assume(Pending("p", cpu: "3"), "a");
        _cache.FinishBinding("default/p", T0);

        _cache.AddOrUpdateBoundPod(Bound("p", "a", cpu: "3"));

        Assert.False(_cache.IsAssumed("default/p"));
        Assert.Equal(0, _cache.AssumedCount);
        Assert.Equal(1, _cache.PodCount);
        Assert.Equal(1, PodsOn("a"));
        Assert.Equal(3000, MilliCpu("a"));
        // Confirmed: no longer subject to expiry.
        Assert.Equal(0, _cache.CleanupExpired(T0 + Ttl + Ttl));
        Assert.Equal(3000, MilliCpu("a"));
    }

    [Fact]
    public void Confirmation_before_the_binding_call_returns_is_not_undone_by_FinishBinding()
    {
        // The watch often delivers the bound pod before the binding's HTTP response.
        AddNode("a");
        _cache.Assume(Pending("p", cpu: "3"), "a");
        _cache.AddOrUpdateBoundPod(Bound("p", "a", cpu: "3"));

        _cache.FinishBinding("default/p", T0);

        Assert.False(_cache.IsAssumed("default/p"));
        Assert.Equal(0, _cache.CleanupExpired(T0 + Ttl + Ttl));
        Assert.Equal(3000, MilliCpu("a"));
    }

    [Fact]
    public void Confirmation_on_another_node_moves_the_pod_there()
    {
        AddNode("a");
        AddNode("b");
        _cache.Assume(Pending("p", cpu: "3"), "a");

        _cache.AddOrUpdateBoundPod(Bound("p", "b", cpu: "3"));

        Assert.Equal(0, MilliCpu("a"));
        Assert.Equal(0, PodsOn("a"));
        Assert.Equal(3000, MilliCpu("b"));
        Assert.Equal(1, _cache.PodCount);
    }

    [Fact]
    public void A_bound_pod_updated_twice_counts_once()
    {
        AddNode("a");
        _cache.AddOrUpdateBoundPod(Bound("p", "a", cpu: "3"));
        _cache.AddOrUpdateBoundPod(Bound("p", "a", cpu: "3"));

        Assert.Equal(1, _cache.PodCount);
        Assert.Equal(1, PodsOn("a"));
        Assert.Equal(3000, MilliCpu("a"));
    }

    // ---- Forget ----

    [Fact]
    public void Forget_frees_the_node_and_unpins_the_pod()
    {
        AddNode("a");
        PodInfo p = Pending("p", cpu: "3");
        _cache.Assume(p, "a");

        _cache.Forget("default/p");

        Assert.False(_cache.IsAssumed("default/p"));
        Assert.Equal(0, _cache.PodCount);
        Assert.Equal(0, MilliCpu("a"));
        Assert.Equal(0, PodsOn("a"));
        // The pod goes back to the queue: a NodeName left set would pin it to "a" (NodeName filter).
        Assert.Null(p.NodeName);
    }

    [Fact]
    public void A_forgotten_pod_can_be_assumed_again_elsewhere()
    {
        AddNode("a");
        AddNode("b");
        PodInfo p = Pending("p", cpu: "3");
        _cache.Assume(p, "a");
        _cache.Forget("default/p");

        _cache.Assume(p, "b");

        Assert.Equal("b", p.NodeName);
        Assert.Equal(0, MilliCpu("a"));
        Assert.Equal(3000, MilliCpu("b"));
    }

    [Fact]
    public void Forget_after_the_watch_confirmed_does_nothing()
    {
        AddNode("a");
        PodInfo assumed = Pending("p", cpu: "3");
        _cache.Assume(assumed, "a");
        PodInfo bound = Bound("p", "a", cpu: "3");
        _cache.AddOrUpdateBoundPod(bound);

        _cache.Forget("default/p");

        Assert.Equal(1, _cache.PodCount);
        Assert.Equal(3000, MilliCpu("a"));
        Assert.Same(bound, _cache.Read(s => s.FindPod("default/p")));
        Assert.Equal("a", bound.NodeName);
    }

    [Fact]
    public void Forget_of_a_pod_bound_by_another_scheduler_does_nothing()
    {
        AddNode("a");
        _cache.AddOrUpdateBoundPod(Bound("p", "a", cpu: "3", schedulerName: "default-scheduler"));

        _cache.Forget("default/p");
        _cache.Forget("default/unknown");

        Assert.Equal(1, _cache.PodCount);
        Assert.Equal(3000, MilliCpu("a"));
    }

    // ---- Removal ----

    [Fact]
    public void RemovePod_frees_the_node_of_a_bound_pod()
    {
        AddNode("a");
        _cache.AddOrUpdateBoundPod(Bound("p", "a", cpu: "3"));

        Assert.True(_cache.RemovePod("default/p"));

        Assert.Equal(0, _cache.PodCount);
        Assert.Equal(0, MilliCpu("a"));
        Assert.Equal(0, PodsOn("a"));
        Assert.False(_cache.RemovePod("default/p"));
    }

    [Fact]
    public void RemovePod_of_an_assumed_pod_drops_the_assumption()
    {
        AddNode("a");
        _cache.Assume(Pending("p", cpu: "3"), "a");
        _cache.FinishBinding("default/p", T0);

        Assert.True(_cache.RemovePod("default/p"));

        Assert.False(_cache.IsAssumed("default/p"));
        Assert.Equal(0, _cache.AssumedCount);
        Assert.Equal(0, MilliCpu("a"));
        Assert.Equal(0, _cache.CleanupExpired(T0 + Ttl + Ttl));
    }

    [Fact]
    public void RemoveBoundPodsNotIn_removes_unlisted_bound_pods_and_keeps_assumed_ones()
    {
        AddNode("a");
        _cache.AddOrUpdateBoundPod(Bound("listed", "a", cpu: "1"));
        _cache.AddOrUpdateBoundPod(Bound("vanished", "a", cpu: "2"));
        _cache.Assume(Pending("assumed", cpu: "4"), "a");

        int removed = _cache.RemoveBoundPodsNotIn(new HashSet<string>(StringComparer.Ordinal) { "default/listed" });

        Assert.Equal(1, removed);
        Assert.NotNull(_cache.Read(s => s.FindPod("default/listed")));
        Assert.Null(_cache.Read(s => s.FindPod("default/vanished")));
        Assert.True(_cache.IsAssumed("default/assumed"));
        Assert.Equal(5000, MilliCpu("a"));
        Assert.Equal(2, _cache.PodCount);
    }

    // ---- Pods of other schedulers, nodes arriving late ----

    [Fact]
    public void Pods_bound_by_another_scheduler_count_on_their_node()
    {
        AddNode("a");
        PodInfo theirs = Bound("theirs", "a", cpu: "5", schedulerName: "default-scheduler");

        _cache.AddOrUpdateBoundPod(theirs);

        Assert.Equal("default-scheduler", theirs.SchedulerName);
        Assert.False(_cache.IsAssumed("default/theirs"));
        Assert.Equal(5000, MilliCpu("a"));
        Assert.Equal(1, PodsOn("a"));
        // And our next assumption adds to them.
        _cache.Assume(Pending("ours", cpu: "2"), "a");
        Assert.Equal(7000, MilliCpu("a"));
        Assert.Equal(2, PodsOn("a"));
    }

    [Fact]
    public void A_node_added_after_its_pods_picks_them_up()
    {
        _cache.AddOrUpdateBoundPod(Bound("p1", "late", cpu: "1"));
        _cache.AddOrUpdateBoundPod(Bound("p2", "late", cpu: "2"));
        _cache.AddOrUpdateBoundPod(Bound("elsewhere", "other", cpu: "4"));
        Assert.Equal(3, _cache.PodCount);
        Assert.Equal(0, _cache.NodeCount);

        AddNode("late");

        Assert.Equal(3000, MilliCpu("late"));
        Assert.Equal(new[] { "p1", "p2" }, NodeOf("late").Pods.Select(p => p.Name).Order().ToArray());
    }

    [Fact]
    public void A_node_update_keeps_its_pods()
    {
        AddNode("a", cpu: "8");
        _cache.AddOrUpdateBoundPod(Bound("p", "a", cpu: "3"));
        _cache.Assume(Pending("q", cpu: "2"), "a");

        AddNode("a", cpu: "16");

        Assert.Equal(16000, NodeOf("a").Allocatable.MilliCpu);
        Assert.Equal(5000, MilliCpu("a"));
        Assert.Equal(2, PodsOn("a"));
        Assert.Equal(1, _cache.NodeCount);
    }

    [Fact]
    public void A_removed_node_re_added_picks_its_pods_up_again()
    {
        AddNode("a");
        _cache.AddOrUpdateBoundPod(Bound("p", "a", cpu: "3"));
        _cache.Write(s => s.RemoveNode("a"));
        Assert.Equal(0, _cache.NodeCount);
        Assert.Equal(1, _cache.PodCount);

        AddNode("a");

        Assert.Equal(3000, MilliCpu("a"));
        Assert.Equal(1, PodsOn("a"));
    }

    [Fact]
    public void Removing_a_pod_whose_node_is_gone_still_forgets_it()
    {
        AddNode("a");
        _cache.AddOrUpdateBoundPod(Bound("p", "a", cpu: "3"));
        _cache.Write(s => s.RemoveNode("a"));

        Assert.True(_cache.RemovePod("default/p"));
        AddNode("a");

        Assert.Equal(0, MilliCpu("a"));
        Assert.Equal(0, _cache.PodCount);
    }

    [Fact]
    public void The_next_decision_sees_assumed_pods_in_the_pod_count()
    {
        AddNode("a", pods: "2");
        _cache.Assume(Pending("p1", cpu: "1"), "a");
        _cache.Assume(Pending("p2", cpu: "1"), "a");
        var engine = new SchedulingEngine(SchedulerProfile.NodePacking(), _interner);

        ScheduleResult r = _cache.Read(s => engine.Schedule(Pending("p3", cpu: "1"), s));

        Assert.Null(r.Node);
        Assert.Equal("0/1 nodes are available: 1 Too many pods.", r.Message);
    }
}
