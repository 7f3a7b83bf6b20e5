using System.Diagnostics;
using System.Globalization;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;
using PackingScheduler.Core.Workloads;
using PackingScheduler.Hosting;
using PackingScheduler.TestApiServer;
using Prometheus;

namespace PackingScheduler.Benchmarks;

/// <summary>
/// `e2e --nodes N --pods P [--shape S] [--running R] [--seed S] [-o json]`: the live scheduler host
/// (Generic Host, KubernetesClient, informers, queue, loop, binder) against the in-process test API
/// server. Nodes (and R running pods a node) exist before the scheduler starts; then P pending pods
/// are created at once through the server's in-process API, timed from the first create to the
/// last binding's response. Client throttling is lifted (KubeApiQps/Burst 1e6).
/// Everything (server, scheduler, driver) shares this process and its cores.
/// </summary>
public static class E2eMode
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var o = new Options(args, "nodes", "pods", "shape", "running", "seed", "timeout", "output");
        PodShape shape = EngineMode.ParseShape(o.Str("shape", "plain"));
        int nodes = o.Int("nodes", 5000), pods = o.Int("pods", 30_000), seed = o.Int("seed", 1);
        int running = o.Int("running", 0);
        TimeSpan timeout = TimeSpan.FromSeconds(o.Int("timeout", Math.Max(120, pods / 100)));

        SyntheticCluster cluster = SyntheticCluster.Generate(new SyntheticClusterOptions { Nodes = nodes, Seed = seed, RunningPodsPerNode = running });
        List<V1Pod> pending = cluster.PendingPods(pods, shape, seed + 1).ToList();

        await using var server = await TestApiServer.TestApiServer.StartAsync(new TestApiServerOptions
        {
            HistorySize = nodes * (running + 1) + pods * 8 + 10_000,
            WatchBufferSize = pods * 8 + 10_000,
            RequestLogCapacity = pods * 4 + 10_000,
        });
        server.Create(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = SyntheticCluster.Namespace } });
        foreach (V1Node n in cluster.Nodes) server.Create(n);
        foreach (V1Pod p in cluster.RunningPods()) server.Create(p);

        SchedulerOptions options = SchedulerOptions.ForLocalApiServer(server.BaseUrl);
        options.Profile = WorkloadProfiles.AllPlugins() with { SchedulerName = SyntheticCluster.SchedulerName };
        options.SchedulerName = SyntheticCluster.SchedulerName;
        WebApplication app = SchedulerHost.Build(options);
        await app.StartAsync();
        SchedulerService service = app.Services.GetRequiredService<SchedulerService>();
        await service.Synced.WaitAsync(TimeSpan.FromMinutes(5));
        server.ClearRequests();

        var created = new Dictionary<string, DateTimeOffset>(pods, StringComparer.Ordinal);
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        DateTimeOffset first = DateTimeOffset.UtcNow;
        foreach (V1Pod p in pending)
        {
            created[p.Metadata.Name] = DateTimeOffset.UtcNow;
            server.Create(p);
        }
        DateTimeOffset createsDone = DateTimeOffset.UtcNow;

        // Done when every pod has a successful binding in the server's request log.
        DateTimeOffset deadline = DateTimeOffset.UtcNow + timeout;
        List<RequestRecord> bindings;
        while (true)
        {
            bindings = server.Requests.Where(IsBinding).ToList();
            if (bindings.Count >= pods || DateTimeOffset.UtcNow > deadline) break;
            await Task.Delay(50);
        }
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        IReadOnlyList<RequestRecord> requests = server.Requests;
        string metrics = await ExportAsync(service.Metrics.Registry);
        await app.StopAsync();
        await app.DisposeAsync();

        DateTimeOffset last = bindings.Count == 0 ? first : bindings.Max(b => b.Time + b.Duration);
        double seconds = (last - first).TotalSeconds;
        double[] latencies = bindings
            .Where(b => b.Name is not null && created.ContainsKey(b.Name))
            .Select(b => (b.Time + b.Duration - created[b.Name!]).TotalMilliseconds).Order().ToArray();
        int placed = bindings.Select(b => b.Name).Distinct().Count();

        // The API side: every non-watch request the server answered in the window, by kind.
        var api = requests.Where(r => r.Verb != "watch")
            .GroupBy(r => $"{r.Verb} {r.Resource}{(r.Subresource is null ? "" : "/" + r.Subresource)}")
            .OrderByDescending(g => g.Count())
            .ToDictionary(g => g.Key, g => (object)new Dictionary<string, object>
            {
                ["count"] = g.Count(),
                ["sumMs"] = Math.Round(g.Sum(r => r.Duration.TotalMilliseconds), 1),
                ["p50Ms"] = Math.Round(Report.Quantile(g.Select(r => r.Duration.TotalMilliseconds).Order().ToArray(), 0.5), 3),
            });

        // Engine time: the same decisions replayed in-process on the same cluster (engine alone),
        // and the scheduler's own attempt and binding duration sums (attempt = decision + binding).
        double attemptSum = MetricSum(metrics, "scheduler_scheduling_attempt_duration_seconds_sum");
        double bindingSum = MetricSum(metrics, "scheduler_binding_duration_seconds_sum");
        var interner = new Interner();
        var translator = new ObjectTranslator(interner);
        var state = cluster.BuildState(translator);
        var replayPods = cluster.CompilePending(translator, pods, shape, seed + 1);
        EngineMode.Result replay = EngineMode.Run(new Core.Engine.SchedulingEngine(options.Profile, interner), state, replayPods);

        Report.Write(stdout, o.Json, new (string, object)[]
        {
            ("mode", "e2e"), ("shape", EngineMode.ShapeName(shape)), ("nodes", nodes), ("pods", pods), ("runningPods", nodes * running),
            ("placed", placed), ("seconds", seconds), ("podsPerSecond", placed / Math.Max(seconds, 1e-9)),
            ("p50Ms", Report.Quantile(latencies, 0.5)), ("p99Ms", Report.Quantile(latencies, 0.99)),
            ("createSeconds", (createsDone - first).TotalSeconds),
            ("engineReplaySeconds", replay.Seconds),
            ("engineShareOfWall", replay.Seconds / Math.Max(seconds, 1e-9)),
            ("attemptDurationSumSeconds", attemptSum), ("bindingDurationSumSeconds", bindingSum),
            ("apiBindingSumSeconds", bindings.Sum(b => b.Duration.TotalSeconds)),
            ("processCpuSeconds", cpu.TotalSeconds), ("cpuUtilization", cpu.TotalSeconds / Math.Max(seconds, 1e-9) / Environment.ProcessorCount),
            ("api", api),
            ("peakRssMb", Report.PeakRssMb()), ("managedHeapMb", Report.ManagedHeapMb()),
            ("loadAverage", Report.LoadAverage()), ("processors", Environment.ProcessorCount),
        });
        return placed == pods ? 0 : 1;
    }

    private static bool IsBinding(RequestRecord r) =>
        r.Subresource == "binding" && r.Verb == "create" && r.StatusCode is >= 200 and < 300;

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var ms = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(ms);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Sum of every series of a metric in Prometheus text format.</summary>
    private static double MetricSum(string text, string name)
    {
        double sum = 0;
        foreach (string line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal)) continue;
            string rest = line[name.Length..];
            if (rest.Length > 0 && rest[0] != ' ' && rest[0] != '{') continue;
            sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return sum;
    }
}
