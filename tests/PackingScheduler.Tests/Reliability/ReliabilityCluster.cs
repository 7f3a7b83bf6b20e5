using k8s.Models;
using PackingScheduler.Core.Model;
using PackingScheduler.Hosting;
using PackingScheduler.TestApiServer;
using PackingScheduler.Tests.Live;
using Server = PackingScheduler.TestApiServer.TestApiServer;

namespace PackingScheduler.Tests.Reliability;

/// <summary>
/// A test API server with a <see cref="ClusterMonitor"/> watching it from the first object on, and
/// the real scheduler host against it; plus the checks every reliability test ends with.
/// </summary>
internal sealed class ReliabilityCluster : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly List<LiveScheduler> _schedulers = new();

    private ReliabilityCluster(Server server, ClusterMonitor monitor)
    {
        Server = server;
        Monitor = monitor;
    }

    public Server Server { get; }
    public ClusterMonitor Monitor { get; }

    /// <summary>The first scheduler started (most tests run one).</summary>
    public LiveScheduler Scheduler => _schedulers[0];

    public static async Task<ReliabilityCluster> StartAsync(TestApiServerOptions? serverOptions = null)
    {
        Server server = await Server.StartAsync(serverOptions);
        return new ReliabilityCluster(server, new ClusterMonitor(server));
    }

    /// <summary>Nodes wn-00.. of <paramref name="cores"/> cores each.</summary>
    public ReliabilityCluster WithNodes(int count, int cores, string prefix = "wn")
    {
        for (int i = 0; i < count; i++) Server.Create(ClusterBuilder.Node($"{prefix}-{i:D2}", cores));
        return this;
    }

    public async Task<LiveScheduler> StartSchedulerAsync(Action<SchedulerOptions>? configure = null, bool waitForSync = true)
    {
        LiveScheduler s = await LiveScheduler.StartAsync(Server, configure, waitForSync);
        _schedulers.Add(s);
        return s;
    }

    public V1Pod CreatePod(string name, int cores = 1) => Server.Create(ClusterBuilder.Pod(name, cores));

    /// <summary>Our pods (schedulerName node-packing-scheduler) in the API server now.</summary>
    public IReadOnlyList<V1Pod> OurPods() =>
        Server.List<V1Pod>().Where(p => p.Spec?.SchedulerName == ClusterBuilder.SchedulerName).ToList();

    /// <summary>Pods with a FailedScheduling event, as namespace/name.</summary>
    public HashSet<string> ReportedUnschedulable() =>
        Server.List<Eventsv1Event>()
            .Where(e => e.Reason == "FailedScheduling" && e.Regarding is not null)
            .Select(e => $"{e.Regarding.NamespaceProperty}/{e.Regarding.Name}")
            .ToHashSet(StringComparer.Ordinal);

    public static string Key(V1Pod p) => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}";

    public async Task<IReadOnlyList<V1Pod>> WaitUntilAsync(Func<IReadOnlyList<V1Pod>, bool> done, string what, TimeSpan? patience = null)
    {
        TimeSpan limit = patience ?? Patience;
        DateTime deadline = DateTime.UtcNow + limit;
        while (true)
        {
            IReadOnlyList<V1Pod> pods = OurPods();
            if (done(pods)) return pods;
            if (DateTime.UtcNow > deadline)
            {
                string unbound = string.Join(", ", pods.Where(p => p.Spec.NodeName is null).Take(10).Select(Key));
                throw new TimeoutException($"{what}: not reached within {limit}; {pods.Count(p => p.Spec.NodeName is null)} of {pods.Count} pods unbound ({unbound})");
            }
            await Task.Delay(50);
        }
    }

    public Task<IReadOnlyList<V1Pod>> WaitAllBoundAsync(TimeSpan? patience = null) =>
        WaitUntilAsync(all => all.All(p => p.Spec.NodeName is not null), "every pod bound", patience);

    /// <summary>Successful (201) binding requests per pod, from the server's request log.</summary>
    public Dictionary<string, int> SuccessfulBindingRequests() =>
        Server.Requests
            .Where(r => r.Subresource == "binding" && r.Verb == "create" && r.StatusCode == 201)
            .GroupBy(r => $"{r.Namespace}/{r.Name}")
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public int BindingRequests(int statusCode) =>
        Server.Requests.Count(r => r.Subresource == "binding" && r.Verb == "create" && r.StatusCode == statusCode);

    /// <summary>
    /// The checks after every fault: each of our pods is bound exactly once, or is unbound and was
    /// reported with a FailedScheduling event (with <paramref name="allBound"/>, every pod must be
    /// bound: the cluster had room); no node was ever over-committed; the scheduler still runs and
    /// answers /readyz; and its cache agrees with the API server (no assumed pod left behind, no
    /// phantom or missing pod on any node).
    /// </summary>
    public async Task AssertNothingLostAsync(bool allBound, LiveScheduler? scheduler = null)
    {
        scheduler ??= _schedulers[^1];
        IReadOnlyList<V1Pod> pods = allBound
            ? await WaitAllBoundAsync()
            : await WaitUntilAsync(all =>
            {
                HashSet<string> reported = ReportedUnschedulable();
                return all.All(p => p.Spec.NodeName is not null || reported.Contains(Key(p)));
            }, "every pod bound or reported unschedulable");

        Dictionary<string, int> created = SuccessfulBindingRequests();
        foreach (V1Pod p in pods.Where(p => p.Spec.NodeName is not null))
        {
            Assert.True(Server.BindingCount(p.Metadata.NamespaceProperty, p.Metadata.Name) == 1, $"{Key(p)}: BindingCount {Server.BindingCount(p.Metadata.NamespaceProperty, p.Metadata.Name)}");
            // Binding subresource answers are logged when the response is sent: one 201 per pod, never two.
            int ok = created.GetValueOrDefault(Key(p));
            Assert.True(ok <= 1, $"{Key(p)}: {ok} successful binding requests");
        }
        Assert.Empty(Monitor.Violations);
        Assert.Empty(Server.MutationHookErrors);
        await AssertAliveAsync(scheduler);
        await AssertCacheMatchesServerAsync(scheduler);
    }

    public static async Task AssertAliveAsync(LiveScheduler scheduler)
    {
        Assert.False(scheduler.Service.ExecuteTask?.IsCompleted ?? true, "the scheduler service has stopped");
        using var http = new HttpClient { BaseAddress = new Uri(scheduler.Url), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("ok", await http.GetStringAsync("/readyz"));
        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
    }

    /// <summary>Waits (bounded) until the scheduler's cache holds exactly the API server's bound pods, on the same nodes, with nothing assumed.</summary>
    public async Task AssertCacheMatchesServerAsync(LiveScheduler scheduler)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string diff;
        while (true)
        {
            diff = CacheDiff(scheduler);
            if (diff.Length == 0) return;
            if (DateTime.UtcNow > deadline) break;
            await Task.Delay(100);
        }
        Assert.Fail("the scheduler's cache disagrees with the API server: " + diff);
    }

    private string CacheDiff(LiveScheduler scheduler)
    {
        Dictionary<string, string> server = Server.List<V1Pod>()
            .Where(p => p.Spec?.NodeName is { Length: > 0 } && p.Status?.Phase is not ("Succeeded" or "Failed"))
            .ToDictionary(Key, p => p.Spec.NodeName, StringComparer.Ordinal);
        (Dictionary<string, string?> cache, Dictionary<string, long> requested) = scheduler.Service.Cache.Read(s => (
            s.Pods.ToDictionary(p => p.Key, p => p.NodeName, StringComparer.Ordinal),
            s.Nodes.ToDictionary(n => n.Name, n => n.Requested.MilliCpu, StringComparer.Ordinal)));
        int assumed = scheduler.Service.Cache.AssumedCount;
        var problems = new List<string>();
        if (assumed != 0) problems.Add($"{assumed} pods still assumed");
        foreach ((string key, string node) in server)
        {
            if (!cache.TryGetValue(key, out string? n)) problems.Add($"{key} bound to {node} is missing from the cache");
            else if (n != node) problems.Add($"{key} is on {node}, the cache has {n}");
        }
        foreach ((string key, string? node) in cache)
        {
            if (!server.ContainsKey(key)) problems.Add($"the cache has {key} on {node}, the API server does not");
        }
        IReadOnlyDictionary<string, long> used = Monitor.Used;
        foreach ((string node, long cpu) in requested)
        {
            long expected = used.GetValueOrDefault(node);
            if (cpu != expected) problems.Add($"{node}: cache counts {cpu}m cpu, the API server {expected}m");
        }
        return string.Join("; ", problems.Take(10));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (LiveScheduler s in _schedulers) await s.DisposeAsync();
        Monitor.Dispose();
        await Server.DisposeAsync();
    }
}
