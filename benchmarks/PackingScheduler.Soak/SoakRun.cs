using System.Diagnostics;
using System.Globalization;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PackingScheduler.Hosting;
using PackingScheduler.TestApiServer;
using Server = PackingScheduler.TestApiServer.TestApiServer;

namespace PackingScheduler.Soak;

/// <summary>How long and how hard to churn.</summary>
public sealed class SoakOptions
{
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(30);
    public int Nodes { get; set; } = 50;
    public int CoresPerNode { get; set; } = 32;

    /// <summary>Pods created per second.</summary>
    public double Rate { get; set; } = 100;

    /// <summary>A bound pod runs for a uniformly random time in [min, max], then is deleted.</summary>
    public TimeSpan MinLifetime { get; set; } = TimeSpan.FromSeconds(3);
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>Fraction of pods deleted 0-3 s after creation, bound or not (cancelled pilots): deletions while queued or binding.</summary>
    public double CancelFraction { get; set; } = 0.05;

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events older than this are deleted, as the API server's --event-ttl does (1 h there).</summary>
    public TimeSpan EventTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>After the churn: how long every pod still pending may take to be bound.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public int Seed { get; set; } = 1;
}

/// <summary>One line of the report.</summary>
public sealed record SoakSample(
    TimeSpan At, long Created, long Bound, long Deleted, double BoundPerSecond, int Pending,
    int Active, int Backoff, int Unschedulable, int Assumed, int CachePods, long HeapBytes, long RssBytes, long Violations);

/// <summary>What a soak found.</summary>
public sealed class SoakResult
{
    public required IReadOnlyList<SoakSample> Samples { get; init; }
    public long Created { get; init; }
    public long Bound { get; init; }
    public long Deleted { get; init; }

    /// <summary>Pods still unbound when the drain timed out (0: nothing lost).</summary>
    public int Lost { get; init; }

    public long Violations { get; init; }
    public required IReadOnlyList<string> ViolationDetails { get; init; }
    public bool SchedulerAlive { get; init; }

    /// <summary>Disagreement between the scheduler's cache and the API server after the drain; empty when none.</summary>
    public required string CacheDisagreement { get; init; }

    /// <summary>Failure records the event reporter still keeps once no pod is pending (each one a leak).</summary>
    public int LeftoverFailureRecords { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>Largest heap (after a full collection) in the first and the second half of the samples.</summary>
    public (long First, long Second) MaxHeapByHalf => Halves(s => s.HeapBytes);

    public (long First, long Second) MaxRssByHalf => Halves(s => s.RssBytes);

    private (long, long) Halves(Func<SoakSample, long> value)
    {
        int half = Samples.Count / 2;
        return (Samples.Take(half).Select(value).DefaultIfEmpty().Max(), Samples.Skip(half).Select(value).DefaultIfEmpty().Max());
    }

    public bool Passed => Lost == 0 && Violations == 0 && SchedulerAlive && CacheDisagreement.Length == 0 && LeftoverFailureRecords == 0;
}

/// <summary>
/// The live scheduler host (the real one: Generic Host, KubernetesClient, informers, queue, binder,
/// event reporter) against the in-process test API server, under sustained churn: pods created at a
/// steady rate, deleted after their lifetime, some cancelled while still queued or binding. Prints
/// a line per interval and returns the samples and the invariants' outcome.
/// </summary>
public static class SoakRun
{
    private const string Namespace = "soak";
    private const string SchedulerName = "node-packing-scheduler";

    public static async Task<SoakResult> RunAsync(SoakOptions o, TextWriter output, CancellationToken cancellationToken = default)
    {
        var random = new Random(o.Seed);
        await using Server server = await Server.StartAsync(new TestApiServerOptions { RequestLogCapacity = 10_000 }, cancellationToken);
        var bound = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var monitor = new SoakMonitor(server, bound.Enqueue);
        for (int i = 0; i < o.Nodes; i++) server.Create(Node($"wn-{i:D4}", o.CoresPerNode));

        SchedulerOptions options = SchedulerOptions.ForLocalApiServer(server.BaseUrl);
        WebApplication app = SchedulerHost.Build(options);
        await app.StartAsync(cancellationToken);
        try
        {
            SchedulerService scheduler = app.Services.GetRequiredService<SchedulerService>();
            await scheduler.Synced.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            await output.WriteLineAsync(
                $"soak: {Format(o.Duration)}, {o.Nodes} nodes x {o.CoresPerNode} cores, {o.Rate:0.#} pods/s, " +
                $"lifetime {o.MinLifetime.TotalSeconds:0.#}-{o.MaxLifetime.TotalSeconds:0.#} s, {o.CancelFraction:P0} cancelled, " +
                $"a line every {o.Interval.TotalSeconds:0.#} s; {Environment.ProcessorCount} cores, .NET {Environment.Version}");

            long created = 0, deleted = 0;
            // Deletions due, by time (Stopwatch ticks): lifetimes of bound pods and cancellations.
            var due = new PriorityQueue<string, long>();
            var clock = Stopwatch.StartNew();
            long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);
            TimeSpan Uniform(TimeSpan min, TimeSpan max) => min + (max - min) * random.NextDouble();
            bool creating = true;

            void Delete(string name)
            {
                if (server.Delete<V1Pod>(name, Namespace)) deleted++;
            }

            var samples = new List<SoakSample>();
            long lastBindings = 0;
            TimeSpan lastSample = TimeSpan.Zero, nextSample = o.Interval, nextJanitor = TimeSpan.FromSeconds(5);
            TimeSpan end = o.Duration;
            DateTime drainDeadline = DateTime.MaxValue;
            int pending = 0;

            // One loop, 10 ms a turn: create what the rate asks for, delete what is due, sample, clean events.
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan now = clock.Elapsed;
                if (creating)
                {
                    long target = (long)(o.Rate * now.TotalSeconds);
                    while (created < target)
                    {
                        string name = $"pilot-{created:D8}";
                        int r = random.Next(100);
                        server.Create(Pod(name, r < 75 ? 1 : r < 95 ? 2 : 8));
                        created++;
                        if (random.NextDouble() < o.CancelFraction) due.Enqueue(name, clock.ElapsedTicks + Ticks(Uniform(TimeSpan.Zero, TimeSpan.FromSeconds(3))));
                    }
                    if (now >= end)
                    {
                        creating = false;
                        drainDeadline = DateTime.UtcNow + o.DrainTimeout;
                        await output.WriteLineAsync($"[{Format(now),8}] churn stopped; draining (up to {o.DrainTimeout.TotalSeconds:0} s) until no pod is pending");
                    }
                }
                while (bound.TryDequeue(out string? b)) due.Enqueue(b, clock.ElapsedTicks + Ticks(Uniform(o.MinLifetime, o.MaxLifetime)));
                while (due.TryPeek(out _, out long at) && at <= clock.ElapsedTicks) Delete(due.Dequeue());

                if (now >= nextJanitor)
                {
                    nextJanitor = now + TimeSpan.FromSeconds(5);
                    DateTime cutoff = DateTime.UtcNow - o.EventTtl;
                    foreach (Eventsv1Event e in server.List<Eventsv1Event>(Namespace).Where(e => e.Metadata.CreationTimestamp < cutoff))
                        server.Delete<Eventsv1Event>(e.Metadata.Name, Namespace);
                }

                if (now >= nextSample || (!creating && DateTime.UtcNow > drainDeadline))
                {
                    pending = server.List<V1Pod>(Namespace, fieldSelector: "spec.nodeName=").Count;
                    long bindings = monitor.Bindings;
                    double rate = (bindings - lastBindings) / Math.Max(0.001, (now - lastSample).TotalSeconds);
                    (int active, int backoff, int unschedulable) = scheduler.Queue.PendingCounts;
                    long heap = GC.GetTotalMemory(forceFullCollection: true);
                    var sample = new SoakSample(now, created, bindings, deleted, rate, pending, active, backoff, unschedulable,
                        scheduler.Cache.AssumedCount, scheduler.Cache.PodCount, heap, Environment.WorkingSet, monitor.ViolationCount);
                    samples.Add(sample);
                    await output.WriteLineAsync(FormatSample(sample));
                    lastBindings = bindings;
                    lastSample = now;
                    nextSample = now + o.Interval;
                }

                if (!creating)
                {
                    pending = server.List<V1Pod>(Namespace, fieldSelector: "spec.nodeName=").Count;
                    if (pending == 0 || DateTime.UtcNow > drainDeadline) break;
                }
                await Task.Delay(10, cancellationToken);
            }

            bool alive = scheduler.ExecuteTask is { IsCompleted: false } && await ReadyAsync(app);
            // After the drain every pod is bound or gone: per-pod failure records left are leaks.
            int tracked = scheduler.Reporter.TrackedPods;
            string disagreement = await CacheDisagreementAsync(server, scheduler, monitor);
            var result = new SoakResult
            {
                Samples = samples,
                Created = created,
                Bound = monitor.Bindings,
                Deleted = deleted,
                Lost = pending,
                Violations = monitor.ViolationCount,
                ViolationDetails = monitor.Violations,
                SchedulerAlive = alive,
                CacheDisagreement = disagreement,
                LeftoverFailureRecords = pending == 0 ? tracked : 0,
                Elapsed = clock.Elapsed,
            };
            await WriteSummaryAsync(output, o, result);
            return result;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private static async Task<bool> ReadyAsync(WebApplication app)
    {
        using var http = new HttpClient { BaseAddress = new Uri(SchedulerHost.BoundAddress(app)), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            return await http.GetStringAsync("/readyz") == "ok";
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Waits (up to 30 s) for the scheduler's cache to hold exactly the API server's bound pods, nothing assumed.</summary>
    private static async Task<string> CacheDisagreementAsync(Server server, SchedulerService scheduler, SoakMonitor monitor)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var bound = server.List<V1Pod>(Namespace).Where(p => p.Spec.NodeName is not null)
                .ToDictionary(p => $"{Namespace}/{p.Metadata.Name}", p => p.Spec.NodeName, StringComparer.Ordinal);
            Dictionary<string, string?> cached = scheduler.Cache.Read(s => s.Pods.ToDictionary(p => p.Key, p => p.NodeName, StringComparer.Ordinal));
            int assumed = scheduler.Cache.AssumedCount;
            int missing = bound.Count(kv => !cached.TryGetValue(kv.Key, out string? n) || n != kv.Value);
            int extra = cached.Keys.Count(k => !bound.ContainsKey(k));
            string disagreement = missing + extra + assumed == 0 ? "" : $"{missing} bound pods missing or misplaced in the cache, {extra} cached pods the API server does not have, {assumed} still assumed";
            if (disagreement.Length == 0 || DateTime.UtcNow > deadline) return disagreement;
            await Task.Delay(100);
        }
    }

    private static async Task WriteSummaryAsync(TextWriter output, SoakOptions o, SoakResult r)
    {
        const double MiB = 1024 * 1024;
        (long h1, long h2) = r.MaxHeapByHalf;
        (long r1, long r2) = r.MaxRssByHalf;
        int maxPending = r.Samples.Select(s => s.Pending).DefaultIfEmpty().Max();
        double churnSeconds = Math.Min(o.Duration.TotalSeconds, r.Elapsed.TotalSeconds);
        await output.WriteLineAsync("summary:");
        await output.WriteLineAsync($"  pods: {r.Created} created, {r.Bound} bound ({r.Bound / Math.Max(1, churnSeconds):0.0}/s over the churn), {r.Deleted} deleted; at most {maxPending} pending at a sample");
        await output.WriteLineAsync($"  nothing lost: {(r.Lost == 0 ? "yes" : "NO")} ({r.Lost} pods unbound after the drain)");
        await output.WriteLineAsync($"  over-commit, double or missing-node bindings: {r.Violations}{(r.Violations > 0 ? " -- " + string.Join("; ", r.ViolationDetails.Take(5)) : "")}");
        await output.WriteLineAsync($"  cache agrees with the API server: {(r.CacheDisagreement.Length == 0 ? "yes" : r.CacheDisagreement)}; per-pod failure records left: {r.LeftoverFailureRecords}");
        await output.WriteLineAsync($"  memory, max per half: GC heap {h1 / MiB:0.0} -> {h2 / MiB:0.0} MiB, RSS {r1 / MiB:0.0} -> {r2 / MiB:0.0} MiB");
        await output.WriteLineAsync($"  scheduler running and ready: {(r.SchedulerAlive ? "yes" : "NO")}");
        await output.WriteLineAsync($"  result: {(r.Passed ? "PASS" : "FAIL")}");
    }

    private static string FormatSample(SoakSample s)
    {
        const double MiB = 1024 * 1024;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{Format(s.At),8}] created {s.Created,8} bound {s.Bound,8} ({s.BoundPerSecond,6:0.0}/s) deleted {s.Deleted,8} pending {s.Pending,5}" +
            $" | queue {s.Active}/{s.Backoff}/{s.Unschedulable} assumed {s.Assumed} cache {s.CachePods,5}" +
            $" | heap {s.HeapBytes / MiB,6:0.0} MiB rss {s.RssBytes / MiB,6:0.0} MiB | violations {s.Violations}");
    }

    private static string Format(TimeSpan t) => t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:D2}s" : $"{t.TotalSeconds:0.0}s";

    private static V1Node Node(string name, int cores) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
        Status = new V1NodeStatus
        {
            Allocatable = new Dictionary<string, ResourceQuantity>
            {
                ["cpu"] = new(cores.ToString(CultureInfo.InvariantCulture)),
                ["memory"] = new($"{cores * 4}Gi"),
                ["pods"] = new("250"),
            },
        },
    };

    private static V1Pod Pod(string name, int cores) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Labels = new Dictionary<string, string> { ["app"] = "pilot" } },
        Spec = new V1PodSpec
        {
            SchedulerName = SchedulerName,
            Containers = new List<V1Container>
            {
                new()
                {
                    Name = "pilot",
                    Image = "atlas/pilot",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity>
                        {
                            ["cpu"] = new(cores.ToString(CultureInfo.InvariantCulture)),
                            ["memory"] = new($"{cores * 2}Gi"),
                        },
                    },
                },
            },
        },
    };
}
