namespace PackingScheduler.Core.Policy;

/// <summary>
/// What kube-scheduler's in-tree registry holds, as far as reading a KubeSchedulerConfiguration
/// needs it: each plugin's extension points, the default plugin set, and the names configs
/// written for older API versions may still mention.
/// </summary>
internal static class UpstreamPlugins
{
    private static readonly ExtensionPoint[] FilterPair = [ExtensionPoint.PreFilter, ExtensionPoint.Filter];
    private static readonly ExtensionPoint[] FilterAndScore = [ExtensionPoint.PreFilter, ExtensionPoint.Filter, ExtensionPoint.PreScore, ExtensionPoint.Score];

    /// <summary>Extension points each in-tree plugin implements (the interfaces its type satisfies upstream).</summary>
    public static readonly IReadOnlyDictionary<string, ExtensionPoint[]> Points = new Dictionary<string, ExtensionPoint[]>(StringComparer.Ordinal)
    {
        ["SchedulingGates"] = [ExtensionPoint.PreEnqueue],
        ["PrioritySort"] = [ExtensionPoint.QueueSort],
        ["NodeUnschedulable"] = [ExtensionPoint.Filter],
        ["NodeName"] = [ExtensionPoint.Filter],
        ["TaintToleration"] = [ExtensionPoint.Filter, ExtensionPoint.PreScore, ExtensionPoint.Score],
        ["NodeAffinity"] = FilterAndScore,
        ["NodePorts"] = FilterPair,
        ["NodeResourcesFit"] = FilterAndScore,
        ["VolumeRestrictions"] = FilterPair,
        ["NodeVolumeLimits"] = FilterPair,
        ["VolumeBinding"] = [ExtensionPoint.PreFilter, ExtensionPoint.Filter, ExtensionPoint.Reserve, ExtensionPoint.PreBind, ExtensionPoint.PreScore, ExtensionPoint.Score],
        ["VolumeZone"] = FilterPair,
        ["PodTopologySpread"] = FilterAndScore,
        ["InterPodAffinity"] = FilterAndScore,
        ["DynamicResources"] = [ExtensionPoint.PreEnqueue, ExtensionPoint.PreFilter, ExtensionPoint.Filter, ExtensionPoint.PostFilter, ExtensionPoint.Reserve, ExtensionPoint.PreBind],
        ["DefaultPreemption"] = [ExtensionPoint.PreEnqueue, ExtensionPoint.PostFilter],
        ["NodeResourcesBalancedAllocation"] = [ExtensionPoint.PreScore, ExtensionPoint.Score],
        ["ImageLocality"] = [ExtensionPoint.Score],
        ["DefaultBinder"] = [ExtensionPoint.Bind],
    };

    /// <summary>
    /// getDefaultPlugins() of pkg/scheduler/apis/config/v1/default_plugins.go with the default
    /// feature gates (DynamicResourceAllocation is on by default, which puts DynamicResources just
    /// before DefaultPreemption). Weights are those of the score plugins; null means none given.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, int? Weight)> DefaultMultiPoint =
    [
        ("SchedulingGates", null),
        ("PrioritySort", null),
        ("NodeUnschedulable", null),
        ("NodeName", null),
        ("TaintToleration", 3),
        ("NodeAffinity", 2),
        ("NodePorts", null),
        ("NodeResourcesFit", 1),
        ("VolumeRestrictions", null),
        ("NodeVolumeLimits", null),
        ("VolumeBinding", null),
        ("VolumeZone", null),
        ("PodTopologySpread", 2),
        ("InterPodAffinity", 2),
        ("DynamicResources", null),
        ("DefaultPreemption", null),
        ("NodeResourcesBalancedAllocation", 1),
        ("ImageLocality", 1),
        ("DefaultBinder", null),
    ];

    /// <summary>
    /// Plugins invalid in kubescheduler.config.k8s.io/v1 (validation.go invalidPluginsByVersion):
    /// an error when enabled, accepted when disabled so configs written for older versions still read.
    /// </summary>
    public static readonly IReadOnlySet<string> InvalidInV1 = new HashSet<string>(StringComparer.Ordinal)
    {
        "AzureDiskLimits", "CinderLimits", "EBSLimits", "GCEPDLimits",
    };

    /// <summary>Plugins of earlier API versions that no longer exist, with what replaced them.</summary>
    public static readonly IReadOnlyDictionary<string, string> Removed = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["NodeResourcesLeastAllocated"] = "use NodeResourcesFit with scoringStrategy.type LeastAllocated",
        ["NodeResourcesMostAllocated"] = "use NodeResourcesFit with scoringStrategy.type MostAllocated",
        ["RequestedToCapacityRatio"] = "use NodeResourcesFit with scoringStrategy.type RequestedToCapacityRatio",
        ["SelectorSpread"] = "PodTopologySpread's system defaults replaced it",
        ["ServiceAffinity"] = "it was removed without replacement",
        ["NodeLabel"] = "use NodeAffinity",
        ["NodePreferAvoidPods"] = "it was removed without replacement",
    };

    /// <summary>
    /// Plugins accepted without effect: they order the queue, hold gated pods, bind, and act after
    /// filtering has failed, none of which changes which nodes fit a pod or how they rank; the
    /// scheduler's own machinery does that work whatever the profile says.
    /// </summary>
    public static readonly IReadOnlySet<string> Mechanical = new HashSet<string>(StringComparer.Ordinal)
    {
        "PrioritySort", "DefaultBinder", "DefaultPreemption", "SchedulingGates",
    };

    public static bool Implements(string plugin, ExtensionPoint point) =>
        Points.TryGetValue(plugin, out var points) && Array.IndexOf(points, point) >= 0;
}
