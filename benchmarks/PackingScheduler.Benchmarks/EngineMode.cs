using System.Diagnostics;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;
using PackingScheduler.Core.Workloads;

namespace PackingScheduler.Benchmarks;

/// <summary>
/// `engine --nodes N --pods P [--shape plain|affinity|anti-affinity] [--running R] [--seed S] [--parallel-from N] [-o json]`:
/// the decision loop alone over a generated cluster; each placed pod is assumed (ClusterState.AddPod)
/// before the next decision, as the live loop does. Running pods default to 4 a node (30 for anti-affinity).
/// </summary>
public static class EngineMode
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var o = new Options(args, "nodes", "pods", "shape", "running", "seed", "parallel-from", "output");
        PodShape shape = ParseShape(o.Str("shape", "plain"));
        int nodes = o.Int("nodes", 5000), pods = o.Int("pods", 10000);
        int running = o.Int("running", shape == PodShape.AntiAffinity ? 30 : 4);
        int seed = o.Int("seed", 1);

        var setup = Stopwatch.StartNew();
        var interner = new Interner();
        var translator = new ObjectTranslator(interner);
        SyntheticCluster cluster = SyntheticCluster.Generate(new SyntheticClusterOptions { Nodes = nodes, Seed = seed, RunningPodsPerNode = running });
        ClusterState state = cluster.BuildState(translator);
        List<PodInfo> pending = cluster.CompilePending(translator, pods, shape, seed + 1);
        var engine = new SchedulingEngine(WorkloadProfiles.AllPlugins(), interner);
        // --parallel-from N: node count from which filtering is parallel (0 = always, huge = never).
        engine.ParallelFilterThreshold = o.Int("parallel-from", SchedulingEngine.DefaultParallelFilterThreshold);
        setup.Stop();

        Result r = Run(engine, state, pending);
        Report.Write(stdout, o.Json, new (string, object)[]
        {
            ("mode", "engine"), ("shape", ShapeName(shape)), ("nodes", nodes), ("pods", pods), ("parallelFrom", engine.ParallelFilterThreshold), ("runningPods", nodes * running),
            ("placed", r.Placed), ("seconds", r.Seconds), ("podsPerSecond", r.Placed / r.Seconds), ("steadyPodsPerSecond", r.SteadyPodsPerSecond),
            ("nsPerNodePerPod", r.Seconds * 1e9 / pods / Math.Max(1, nodes)),
            ("p50Ms", r.P50Ms), ("p99Ms", r.P99Ms), ("maxMs", r.MaxMs),
            ("allocatedBytesPerPod", (double)r.AllocatedBytes / Math.Max(1, pods)),
            ("setupSeconds", setup.Elapsed.TotalSeconds),
            ("peakRssMb", Report.PeakRssMb()), ("managedHeapMb", Report.ManagedHeapMb()),
            ("gen0", GC.CollectionCount(0)), ("gen2", GC.CollectionCount(2)),
            ("loadAverage", Report.LoadAverage()), ("processors", Environment.ProcessorCount),
        });
        return Task.FromResult(r.Placed == pods ? 0 : 1);
    }

    /// <param name="SteadyPodsPerSecond">
    /// The rate over the second half of the pods (decision and assume, summed per pod): the first
    /// pods run on tier-0 and OSR code until the JIT's tiering has compiled the hot methods.
    /// </param>
    public sealed record Result(int Placed, double Seconds, double P50Ms, double P99Ms, double MaxMs, long AllocatedBytes, double SteadyPodsPerSecond = 0);

    /// <summary>Schedules every pod in order, assuming each placement; per-decision latency includes the assume.</summary>
    public static Result Run(SchedulingEngine engine, ClusterState state, IReadOnlyList<PodInfo> pending)
    {
        var latencies = new double[pending.Count];
        int placed = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long begin = Stopwatch.GetTimestamp();
        for (int i = 0; i < pending.Count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            PodInfo pod = pending[i];
            ScheduleResult result = engine.Schedule(pod, state);
            if (result.Node is not null)
            {
                pod.NodeName = result.Node.Name;
                state.AddPod(pod);
                placed++;
            }
            latencies[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        double seconds = Stopwatch.GetElapsedTime(begin).TotalSeconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        double secondHalfMs = 0;
        for (int i = latencies.Length / 2; i < latencies.Length; i++) secondHalfMs += latencies[i];
        double steady = secondHalfMs > 0 ? (latencies.Length - latencies.Length / 2) / (secondHalfMs / 1000) : 0;
        Array.Sort(latencies);
        return new Result(placed, seconds, Report.Quantile(latencies, 0.5), Report.Quantile(latencies, 0.99),
            latencies.Length == 0 ? 0 : latencies[^1], allocated, steady);
    }

    public static PodShape ParseShape(string s) => s switch
    {
        "plain" => PodShape.Plain,
        "affinity" => PodShape.Affinity,
        "anti-affinity" => PodShape.AntiAffinity,
        _ => throw new ArgumentException($"--shape {s}: plain, affinity or anti-affinity"),
    };

    public static string ShapeName(PodShape s) => s switch
    {
        PodShape.Affinity => "affinity",
        PodShape.AntiAffinity => "anti-affinity",
        _ => "plain",
    };
}
