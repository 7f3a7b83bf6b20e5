using System.Diagnostics;
using System.Runtime;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;
using PackingScheduler.Core.Workloads;

namespace PackingScheduler.Benchmarks;

/// <summary>
/// `cache-memory --nodes 5000 --pods 100000 [-o json]`: the compiled cluster state the live cache
/// holds (bound pods are kept only as PodInfo), with P bound pods scattered over N nodes; pods are
/// generated and translated one at a time, so the Kubernetes objects are garbage at once.
/// Reports resident memory after a full compacting collection, the peak, and the managed heap.
/// </summary>
public static class CacheMemoryMode
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var o = new Options(args, "nodes", "pods", "seed", "output");
        int nodes = o.Int("nodes", 5000), pods = o.Int("pods", 100_000), seed = o.Int("seed", 1);
        FullCollect();
        double baselineRss = Report.RssMb(), baselineHeap = Report.ManagedHeapMb();

        var sw = Stopwatch.StartNew();
        var interner = new Interner();
        var translator = new ObjectTranslator(interner);
        SyntheticCluster cluster = SyntheticCluster.Generate(new SyntheticClusterOptions { Nodes = nodes, Seed = seed });
        ClusterState state = cluster.BuildState(translator, cluster.ScatteredRunningPods(pods, seed + 1));
        sw.Stop();
        cluster = null!;
        FullCollect();
        double rss = Report.RssMb(), heap = Report.ManagedHeapMb();
        Report.Write(stdout, o.Json, new (string, object)[]
        {
            ("mode", "cache-memory"), ("nodes", state.Nodes.Count), ("pods", state.PodCount), ("seconds", sw.Elapsed.TotalSeconds),
            ("rssMb", rss), ("peakRssMb", Report.PeakRssMb()), ("managedHeapMb", heap),
            ("baselineRssMb", baselineRss), ("baselineManagedHeapMb", baselineHeap),
            ("cacheManagedMb", heap - baselineHeap), ("bytesPerPod", (heap - baselineHeap) * 1048576.0 / Math.Max(1, pods)),
            ("loadAverage", Report.LoadAverage()),
        });
        GC.KeepAlive(state);
        return Task.FromResult(state.PodCount == pods ? 0 : 1);
    }

    private static void FullCollect()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
