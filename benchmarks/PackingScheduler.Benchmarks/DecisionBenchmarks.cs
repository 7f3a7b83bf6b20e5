using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;
using PackingScheduler.Core.Workloads;

namespace PackingScheduler.Benchmarks;

/// <summary>
/// One pod's full decision (PreFilter, every filter on every node, every score, selection) on a
/// prepared cluster. The pod is not assumed, so every invocation makes the same decision.
/// Plain and Affinity run on a cluster with 4 running pilots a node; AntiAffinity on one with 30
/// running pods a node (app labels from 1,000 apps, 5 % of them with anti-affinity of their own).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class DecisionBenchmarks
{
    private SchedulingEngine _engine = null!;
    private ClusterState _state = null!;
    private PodInfo _pod = null!;

    [Params(500, 5_000, 15_000)]
    public int Nodes { get; set; }

    [Params(PodShape.Plain, PodShape.Affinity, PodShape.AntiAffinity)]
    public PodShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_engine, _state, _pod) = Prepare(Nodes, Shape);
        // PACKING_BENCH_PARALLEL_FROM=N: node count from which filtering is parallel (to measure the threshold).
        if (int.TryParse(Environment.GetEnvironmentVariable("PACKING_BENCH_PARALLEL_FROM"), out int parallelFrom))
            _engine.ParallelFilterThreshold = parallelFrom;
        ScheduleResult r = _engine.Schedule(_pod, _state);
        if (r.Node is null) throw new InvalidOperationException($"the benchmark pod does not fit: {r.Message}");
    }

    /// <summary>The cluster, engine and pod a decision benchmark uses (also used by the tests of this harness).</summary>
    public static (SchedulingEngine Engine, ClusterState State, PodInfo Pod) Prepare(int nodes, PodShape shape)
    {
        var interner = new Interner();
        var translator = new ObjectTranslator(interner);
        int running = shape == PodShape.AntiAffinity ? 30 : 4;
        SyntheticCluster cluster = SyntheticCluster.Generate(new SyntheticClusterOptions { Nodes = nodes, Seed = 1, RunningPodsPerNode = running });
        ClusterState state = cluster.BuildState(translator);
        PodInfo pod = cluster.CompilePending(translator, 1, shape)[0];
        return (new SchedulingEngine(WorkloadProfiles.AllPlugins(), interner), state, pod);
    }

    [Benchmark]
    public ScheduleResult Decide() => _engine.Schedule(_pod, _state);
}
