using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Replay;

namespace PackingScheduler.Core.Tests.Replay;

/// <summary>Small traces written as the YAML users write, and replays of them under one strategy.</summary>
internal static class ReplayTraces
{
    public static ReplayTrace Read(string yaml) => TraceReader.Read("kind: ReplayTrace\n" + yaml, "test.yaml");

    public static SchedulerProfile Profile(string strategy) =>
        ReplayStrategies.Profile(strategy) ?? throw new ArgumentException($"no strategy {strategy}");

    public static StrategyResult Run(ReplayTrace trace, string strategy) =>
        ReplaySimulator.Run(strategy, trace, new EngineReplayCluster(trace, Profile(strategy)));

    public static StrategyResult RunBound(ReplayTrace trace) => ReplaySimulator.Run("bound", trace, new RepackingBound(trace));

    /// <summary>Start time of each job, by name.</summary>
    public static Dictionary<string, long> Starts(ReplayTrace trace, string strategy)
    {
        long[] starts = ReplaySimulator.StartTimes(trace, new EngineReplayCluster(trace, Profile(strategy)));
        var byName = new Dictionary<string, long>();
        for (int i = 0; i < starts.Length; i++) byName[trace.Pods[i].Name] = starts[i];
        return byName;
    }

    /// <summary>Node each job was placed on, by name.</summary>
    public static Dictionary<string, string> Nodes(ReplayTrace trace, string strategy)
    {
        var cluster = new EngineReplayCluster(trace, Profile(strategy));
        long[] starts = ReplaySimulator.StartTimes(trace, cluster);
        var byName = new Dictionary<string, string>();
        for (int i = 0; i < starts.Length; i++)
        {
            if (starts[i] >= 0) byName[trace.Pods[i].Name] = cluster.NodeName(cluster.NodeOf(i));
        }
        return byName;
    }
}
