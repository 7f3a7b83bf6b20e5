using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// The strategies a replay compares by name: the node-packing profile (every filter;
/// NodeResourcesFit weight 1 and InterPodAffinity weight 2 over cpu and memory) with its
/// NodeResourcesFit scoring strategy set to the named type. LeastAllocated is kube-scheduler's
/// default spreading; its other default scores (BalancedAllocation, ImageLocality,
/// PodTopologySpread) would not move plain pilots of proportional memory.
/// </summary>
public static class ReplayStrategies
{
    public static readonly IReadOnlyList<string> Default = ["LeastAllocated", "MostAllocated", "SlotBestFit"];

    /// <summary>The types a replay can run by name (RequestedToCapacityRatio needs a shape: use a config file).</summary>
    public static readonly IReadOnlyList<string> Known = ["LeastAllocated", "MostAllocated", "SlotBestFit"];

    public static SchedulerProfile? Profile(string name)
    {
        if (!Enum.TryParse(name, ignoreCase: false, out ScoringStrategyType type) || type == ScoringStrategyType.RequestedToCapacityRatio)
            return null;
        return SchedulerProfile.NodePacking() with
        {
            ScoringStrategy = new ScoringStrategy(type, ScoringStrategy.DefaultResources, Array.Empty<UtilizationShapePoint>()),
        };
    }
}
