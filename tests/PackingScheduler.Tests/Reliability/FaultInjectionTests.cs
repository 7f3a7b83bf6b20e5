using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;
using PackingScheduler.TestApiServer;
using PackingScheduler.Tests.Live;
using Xunit.Abstractions;

namespace PackingScheduler.Tests.Reliability;

/// <summary>
/// One fault per test, injected into the test API server while the real scheduler host runs
/// against it. Every test ends with <see cref="ReliabilityCluster.AssertNothingLostAsync"/>: each
/// pod bound exactly once (or reported unschedulable), no node over-committed at any commit, the
/// scheduler alive and ready, its cache equal to the API server's state.
/// </summary>
[Trait("Category", "Reliability")]
[Collection(LiveCollection.Name)]
public sealed class FaultInjectionTests(ITestOutputHelper output)
{
    private static bool IsBinding(RequestInfo r) => r.Subresource == "binding" && r.Verb == "create";

    private static int Requests(ReliabilityCluster c, string verb, string resource) =>
        c.Server.Requests.Count(r => r.Verb == verb && r.Resource == resource);

    /// <summary>Creates pods pilot-000.. over about <paramref name="seconds"/> seconds; every fifth asks for 2 cores.</summary>
    private static async Task WaveAsync(ReliabilityCluster c, int count, double seconds, Action<int>? during = null)
    {
        TimeSpan pause = TimeSpan.FromSeconds(seconds / (count / 10.0));
        for (int i = 0; i < count; i++)
        {
            c.CreatePod($"pilot-{i:D3}", i % 5 == 0 ? 2 : 1);
            during?.Invoke(i);
            if (i % 10 == 9) await Task.Delay(pause);
        }
    }

    /// <summary>Runs <paramref name="fault"/> every 200-400 ms (seeded) until disposed; counts the runs.</summary>
    private sealed class Repeating : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _count;

        public Repeating(Action fault, int seed)
        {
            var random = new Random(seed);
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try { await Task.Delay(random.Next(200, 400), _stop.Token); }
                    catch (OperationCanceledException) { return; }
                    fault();
                    Interlocked.Increment(ref _count);
                }
            });
        }

        public int Count => Volatile.Read(ref _count);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Watch_streams_cut_every_few_hundred_ms_during_a_pod_wave()
    {
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(20, 32);
        await c.StartSchedulerAsync();
        int watchesBefore = Requests(c, "watch", "pods");

        int cuts;
        await using (var cutter = new Repeating(c.Server.CutWatches, seed: 1))
        {
            await WaveAsync(c, 300, seconds: 2.5);
            await c.WaitAllBoundAsync();
            cuts = cutter.Count;
        }

        Assert.True(cuts >= 4, $"only {cuts} cuts during the wave");
        // Every cut made the pod informer watch again (resume from its resourceVersion).
        int resumed = Requests(c, "watch", "pods") - watchesBefore;
        Assert.True(resumed >= cuts / 2, $"the pod watch was opened {resumed} times for {cuts} cuts");
        await c.AssertNothingLostAsync(allBound: true);
        output.WriteLine($"{cuts} cuts, pod watch opened {resumed} times, {c.Server.Requests.Count(r => r.Verb == "list" && r.Resource == "pods")} pod lists");
    }

    [Fact]
    public async Task Watch_resume_answered_410_Gone_makes_the_informers_list_again()
    {
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync(new TestApiServerOptions { HistorySize = 20 })).WithNodes(20, 32);
        await c.StartSchedulerAsync();
        int listsBefore = Requests(c, "list", "pods");

        // Compact the history, then drop every stream: each resume asks for a resourceVersion that is gone (410).
        await using (var expire = new Repeating(() => { c.Server.ExpireHistory(); c.Server.CutWatches(); }, seed: 2))
        {
            await WaveAsync(c, 300, seconds: 2.5);
            await c.WaitAllBoundAsync();
        }

        Assert.True(c.Server.Requests.Any(r => r.Verb == "watch" && r.Resource == "pods" && r.StatusCode == 410)
                    || c.Server.Requests.Count(r => r.Verb == "list" && r.Resource == "pods") > listsBefore + 2,
            "no resume was refused with 410");
        Assert.True(Requests(c, "list", "pods") - listsBefore >= 3, "the pod informer did not list again after 410");
        await c.AssertNothingLostAsync(allBound: true);
        output.WriteLine($"{c.Server.Requests.Count(r => r.Verb == "watch" && r.StatusCode == 410)} resumes answered 410, {Requests(c, "list", "pods") - listsBefore} pod lists after");
    }

    [Fact]
    public async Task The_API_server_restarted_with_every_watch_lost_and_two_seconds_down()
    {
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(20, 32);
        // Four bindings at a time, 50 ms each, slower than pods arrive: decided bindings queue up, so some
        // are sent while the server is down.
        await c.StartSchedulerAsync(o => o.BindConcurrency = 4);
        c.Server.InjectFault(r => IsBinding(r), FaultAction.Delay(TimeSpan.FromMilliseconds(50)));
        int listsBefore = Requests(c, "list", "pods");

        // Mid-wave: every watch cut, the watch cache emptied past a new resourceVersion (resumes get 410),
        // and 503 to every request for 2 s (bindings sent meanwhile fail). Pods keep arriving in the store
        // meanwhile, as they would through another API server replica.
        await WaveAsync(c, 300, seconds: 2.5, during: i =>
        {
            if (i == 100) c.Server.Restart(TimeSpan.FromSeconds(2));
        });

        await c.AssertNothingLostAsync(allBound: true);
        Assert.True(c.BindingRequests(503) > 0, "no binding was sent while the server was down");
        Assert.True(Requests(c, "list", "pods") > listsBefore, "the pod informer did not list again after the restart");
        output.WriteLine($"{c.Server.Requests.Count(r => r.StatusCode == 503)} requests answered 503, {c.BindingRequests(503)} of them bindings; {Requests(c, "list", "pods") - listsBefore} pod lists after");
    }

    public enum BindingFault
    {
        /// <summary>500 InternalError.</summary>
        InternalError,

        /// <summary>429 TooManyRequests with Retry-After: 1.</summary>
        TooManyRequests,

        /// <summary>The connection is dropped with no answer.</summary>
        Dropped,

        /// <summary>No answer at all: the binder's timeout (500 ms here) gives up.</summary>
        Hang,

        /// <summary>Answered after 1.5 s, three times the binder's timeout.</summary>
        DelayPastTimeout,
    }

    [Theory]
    [InlineData(BindingFault.InternalError)]
    [InlineData(BindingFault.TooManyRequests)]
    [InlineData(BindingFault.Dropped)]
    [InlineData(BindingFault.Hang)]
    [InlineData(BindingFault.DelayPastTimeout)]
    public async Task A_failed_binding_is_forgotten_retried_and_the_pod_bound_once(BindingFault fault)
    {
        // 80 one-core pods on exactly 80 cores: capacity an assumption failed to give back would leave a pod unbound.
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(10, 8);
        await c.StartSchedulerAsync(o => o.BindTimeout = TimeSpan.FromMilliseconds(500));
        FaultAction action = fault switch
        {
            BindingFault.InternalError => FaultAction.Status(500),
            BindingFault.TooManyRequests => FaultAction.TooManyRequests(retryAfterSeconds: 1),
            BindingFault.Dropped => FaultAction.Drop(),
            BindingFault.Hang => FaultAction.Hang(),
            _ => FaultAction.Delay(TimeSpan.FromMilliseconds(1500)),
        };
        // Every third pod: its first binding attempt meets the fault.
        var attempts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        static bool Victim(string name) => int.Parse(name.AsSpan(name.Length - 2)) % 3 == 0;
        FaultRegistration registration = c.Server.InjectFault(
            r => IsBinding(r) && Victim(r.Name!) && attempts.AddOrUpdate(r.Name!, 1, (_, n) => n + 1) == 1, action);

        for (int i = 0; i < 80; i++) c.CreatePod($"pilot-{i:D2}");

        await c.AssertNothingLostAsync(allBound: true);
        int victims = Enumerable.Range(0, 80).Count(i => i % 3 == 0);
        Assert.Equal(victims, registration.Hits);
        output.WriteLine($"{fault}: {registration.Hits} bindings met the fault; binding answers 201/409/404: {c.BindingRequests(201)}/{c.BindingRequests(409)}/{c.BindingRequests(404)}");
        if (fault == BindingFault.DelayPastTimeout)
        {
            // The binder gave up at 500 ms and closed the request; the server drops a request whose client has
            // gone (as the API server's handler context is cancelled), so the retry, not the late answer, bound it.
            Assert.Equal(0, c.BindingRequests(409));
        }
        if (fault == BindingFault.TooManyRequests)
        {
            // The binder does not read Retry-After, but the pod's backoff (1 s) is never shorter.
            foreach (IGrouping<string?, RequestRecord> pod in c.Server.Requests.Where(r => IsBinding(r.Request) && Victim(r.Name!)).GroupBy(r => r.Name))
            {
                DateTimeOffset[] times = pod.Select(r => r.Time).Order().ToArray();
                for (int i = 1; i < times.Length; i++)
                    Assert.True(times[i] - times[i - 1] >= TimeSpan.FromSeconds(1), $"{pod.Key} retried {(times[i] - times[i - 1]).TotalMilliseconds:0} ms after a 429 with Retry-After: 1");
            }
        }
    }

    [Fact]
    public async Task Another_scheduler_binding_our_pods_first_gets_us_409_and_each_pod_is_bound_once()
    {
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(10, 8);
        // The rival's own node, tainted so that ours never uses it: the over-commit check stays about our placements.
        V1Node rivalNode = ClusterBuilder.Node("rival-node", 1000);
        rivalNode.Spec = new V1NodeSpec { Taints = new List<V1Taint> { new() { Key = "rival", Effect = "NoSchedule" } } };
        c.Server.Create(rivalNode);
        await c.StartSchedulerAsync();

        // Our bindings arrive 300 ms late; the rival's (fieldManager=rival) do not, so for the pods it goes for it wins.
        c.Server.InjectFault(r => IsBinding(r) && !r.QueryString.Contains("fieldManager=rival"), FaultAction.Delay(TimeSpan.FromMilliseconds(300)));
        using k8s.Kubernetes rival = c.Server.CreateClient();
        var rivalCalls = new ConcurrentBag<Task>();
        int rivalLost = 0;
        using IDisposable watcher = c.Server.OnMutation(change =>
        {
            if (change.Resource != "pods" || change.Type != ChangeType.Added || !change.Name.StartsWith("pilot-")) return;
            if (int.Parse(change.Name.AsSpan(6)) % 2 != 0) return;
            string name = change.Name, ns = change.Namespace!;
            rivalCalls.Add(Task.Run(async () =>
            {
                await Task.Delay(20);
                var binding = new V1Binding
                {
                    Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                    Target = new V1ObjectReference { Kind = "Node", Name = "rival-node", ApiVersion = "v1" },
                };
                try
                {
                    await rival.CoreV1.CreateNamespacedPodBindingAsync(binding, name, ns, fieldManager: "rival");
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
                {
                    Interlocked.Increment(ref rivalLost);
                }
            }));
        });

        // 100 pods for 80 cores of ours: the rival takes half of them.
        for (int i = 0; i < 100; i++) c.CreatePod($"pilot-{i:D3}");
        await c.WaitAllBoundAsync();
        await Task.WhenAll(rivalCalls);

        IReadOnlyList<V1Pod> pods = c.OurPods();
        int onRival = pods.Count(p => p.Spec.NodeName == "rival-node");
        Assert.Equal(50 - rivalLost, onRival);
        int ours409 = c.Server.Requests.Count(r => IsBinding(r.Request) && r.StatusCode == 409 && !r.Request.QueryString.Contains("fieldManager=rival"));
        Assert.True(ours409 > 0, "the race never happened: none of our bindings was answered 409");
        output.WriteLine($"the rival bound {onRival} pods (lost {rivalLost} races); {ours409} of our bindings answered 409");
        await c.AssertNothingLostAsync(allBound: true);
    }

    [Fact]
    public async Task A_node_deleted_while_bindings_to_it_are_at_the_API_server()
    {
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(4, 8);
        // Empty nodes tie; the tie goes to the name that sorts first, then packing keeps filling it.
        c.Server.Create(ClusterBuilder.Node("a-doomed", 8));
        await c.StartSchedulerAsync();

        // The first wave's bindings are held 1 s at the server, after the scheduler decided and sent them.
        FaultRegistration held = c.Server.InjectFault(r => IsBinding(r) && r.Name!.StartsWith("first-"), FaultAction.Delay(TimeSpan.FromSeconds(1)));
        for (int i = 0; i < 8; i++) c.CreatePod($"first-{i}");
        await WaitForAsync(() => held.Hits == 8, "the 8 bindings reach the server");
        c.Server.Delete<V1Node>("a-doomed");

        // The held bindings land on a node that no longer exists: the API server accepts that, as the real one does.
        await c.WaitAllBoundAsync();
        ClusterMonitor.Binding[] orphaned = c.Monitor.Bindings.Where(b => b.Node == "a-doomed").ToArray();
        Assert.Equal(8, orphaned.Length);
        Assert.All(orphaned, b => Assert.False(b.NodeExisted));

        // Once the scheduler has seen the deletion, nothing more goes there, and the orphans count on no node.
        await WaitForAsync(() => c.Scheduler.Service.Cache.NodeCount == 4, "the scheduler sees the node deleted");
        for (int i = 0; i < 16; i++) c.CreatePod($"second-{i:D2}");
        await c.WaitAllBoundAsync();
        Assert.DoesNotContain(c.OurPods(), p => p.Metadata.Name.StartsWith("second-") && p.Spec.NodeName == "a-doomed");

        // The pod GC deletes pods bound to a node that does not exist; their controller creates them again.
        foreach (ClusterMonitor.Binding b in orphaned)
        {
            string name = b.Pod.Split('/')[1];
            c.Server.Delete<V1Pod>(name, "atlas");
            c.CreatePod(name + "-again");
        }
        await c.AssertNothingLostAsync(allBound: true);
        Assert.DoesNotContain(c.OurPods(), p => p.Spec.NodeName == "a-doomed");
        // 16 + 8 pods now, all on the four live nodes.
        Assert.Equal(24, c.OurPods().Count);
    }

    [Fact]
    public async Task A_node_deleted_after_the_decision_before_the_binding_is_sent()
    {
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(4, 8);
        c.Server.Create(ClusterBuilder.Node("a-doomed", 8));
        // One binding at a time: decided bindings wait in the scheduler's binding queue.
        await c.StartSchedulerAsync(o => o.BindConcurrency = 1);

        FaultRegistration held = c.Server.InjectFault(r => IsBinding(r), FaultAction.Delay(TimeSpan.FromSeconds(1), times: 1));
        for (int i = 0; i < 8; i++) c.CreatePod($"first-{i}");
        await WaitForAsync(() => held.Hits == 1 && c.Scheduler.Service.Cache.AssumedCount == 8, "8 pods decided onto a-doomed, one binding sent");
        c.Server.Delete<V1Node>("a-doomed");

        await c.AssertNothingLostAsync(allBound: true);
        // Only the binding already at the server lands there; the 7 still queued are not sent to a node
        // the scheduler knows is gone: they are scheduled again, onto live nodes.
        Assert.Equal(1, c.OurPods().Count(p => p.Spec.NodeName == "a-doomed"));
    }

    [Fact]
    public async Task Pods_deleted_while_queued_are_never_bound_and_free_nothing()
    {
        // 48 one-core pods on 32 cores: 32 bound, 16 wait, reported unschedulable.
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(4, 8);
        await c.StartSchedulerAsync();
        for (int i = 0; i < 48; i++) c.CreatePod($"pilot-{i:D2}");
        IReadOnlyList<V1Pod> pods = await c.WaitUntilAsync(all =>
        {
            HashSet<string> reported = c.ReportedUnschedulable();
            return all.Count(p => p.Spec.NodeName is not null) == 32 && all.Count(p => reported.Contains(ReliabilityCluster.Key(p))) == 16;
        }, "32 bound, 16 reported unschedulable");

        // Half of the waiting pods are deleted while queued, and 8 running pods finish: exactly the 8 left fit.
        string[] waiting = pods.Where(p => p.Spec.NodeName is null).Select(p => p.Metadata.Name).Order().ToArray();
        string[] deletedQueued = waiting.Where((_, i) => i % 2 == 0).ToArray();
        foreach (string name in deletedQueued) c.Server.Delete<V1Pod>(name, "atlas");
        foreach (V1Pod p in pods.Where(p => p.Spec.NodeName is not null).Take(8)) c.Server.Delete<V1Pod>(p.Metadata.Name, "atlas");

        await c.AssertNothingLostAsync(allBound: true);
        Assert.Equal(32, c.OurPods().Count);
        // No binding was even tried for the pods deleted while they waited.
        Assert.DoesNotContain(c.Server.Requests, r => IsBinding(r.Request) && deletedQueued.Contains(r.Name));
        // And nothing is kept about them: every pod that failed is now bound or gone.
        Assert.Equal(0, c.Scheduler.Service.Reporter.TrackedPods);
    }

    [Fact]
    public async Task Pods_deleted_while_their_binding_is_in_flight_give_their_cores_back()
    {
        // 40 one-core pods on 32 cores; 8 of the first ones are deleted while the API server holds their binding.
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(4, 8);
        await c.StartSchedulerAsync();
        var victims = new HashSet<string>(Enumerable.Range(0, 8).Select(i => $"pilot-{i * 3:D2}"), StringComparer.Ordinal);
        var deletions = new ConcurrentBag<Task>();
        c.Server.InjectFault(r =>
        {
            if (!IsBinding(r) || !victims.Contains(r.Name!)) return false;
            // The binding has reached the server: delete the pod while the binding is held.
            string name = r.Name!;
            deletions.Add(Task.Run(async () => { await Task.Delay(100); c.Server.Delete<V1Pod>(name, "atlas"); }));
            return true;
        }, FaultAction.Delay(TimeSpan.FromMilliseconds(600)));

        for (int i = 0; i < 40; i++) c.CreatePod($"pilot-{i:D2}");
        await WaitForAsync(() => deletions.Count == 8, "8 bindings held and their pods deleted");
        await Task.WhenAll(deletions);

        await c.AssertNothingLostAsync(allBound: true);
        Assert.Equal(32, c.OurPods().Count);
        // Each held binding found its pod gone: 404, forgotten, not retried.
        Assert.Equal(8, c.BindingRequests(404));
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + ReliabilityCluster.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not reached within {ReliabilityCluster.Patience}");
            await Task.Delay(20);
        }
    }
}
