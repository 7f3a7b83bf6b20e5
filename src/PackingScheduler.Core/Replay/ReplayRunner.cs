using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// Replays one trace under several profiles and the repacking bound. Each replay has its own
/// cluster, engine and interner, so they run in parallel and the figures do not depend on it.
/// </summary>
public static class ReplayRunner
{
    public static ReplayReport Run(ReplayTrace trace, IReadOnlyList<(string Name, SchedulerProfile Profile)> strategies,
        int buckets = ReplaySimulator.DefaultBuckets, bool parallel = true)
    {
        var results = new StrategyResult[strategies.Count + 1];
        void RunOne(int i)
        {
            results[i] = i < strategies.Count
                ? ReplaySimulator.Run(strategies[i].Name, trace, new EngineReplayCluster(trace, strategies[i].Profile), buckets)
                : ReplaySimulator.Run("bound", trace, new RepackingBound(trace), buckets);
        }
        if (parallel) Parallel.For(0, results.Length, RunOne);
        else for (int i = 0; i < results.Length; i++) RunOne(i);
        return new ReplayReport(trace, results[..^1], results[^1]);
    }
}
