namespace PackingScheduler.Core.Policy;

/// <summary>Filter plugins, in the order upstream runs them (the first that rejects a node is the one reported).</summary>
public enum FilterPlugin
{
    NodeUnschedulable,
    NodeName,
    TaintToleration,
    NodeAffinity,
    NodePorts,
    NodeResourcesFit,
    VolumeRestrictions,
    VolumeZone,
    InterPodAffinity,
}

/// <summary>Score plugins this scheduler implements.</summary>
public enum ScorePlugin
{
    NodeResourcesFit,
    InterPodAffinity,
    NodeAffinity,
    TaintToleration,
}

public enum ScoringStrategyType
{
    LeastAllocated,
    MostAllocated,
    RequestedToCapacityRatio,

    /// <summary>
    /// Not upstream: packs by whole 8-core slots (SlotBestFitScore). A pod goes where it breaks no
    /// free 8-core slot, then where it leaves the smallest fragment of less than 8 cores, then to
    /// the most allocated node; so 1-core pilots fill the gaps that 8-core pilots cannot use.
    /// </summary>
    SlotBestFit,
}

/// <summary>A resource and its weight in the NodeResourcesFit score.</summary>
public sealed record ResourceWeight(string Name, long Weight);

/// <summary>A point of the RequestedToCapacityRatio shape: utilization 0-100 maps to score 0-10 (MaxCustomPriorityScore).</summary>
public sealed record UtilizationShapePoint(int Utilization, int Score);

public sealed record ScoringStrategy(
    ScoringStrategyType Type,
    IReadOnlyList<ResourceWeight> Resources,
    IReadOnlyList<UtilizationShapePoint> Shape)
{
    public static readonly IReadOnlyList<ResourceWeight> DefaultResources =
        new[] { new ResourceWeight("cpu", 1), new ResourceWeight("memory", 1) };

    public static ScoringStrategy MostAllocated() => new(ScoringStrategyType.MostAllocated, DefaultResources, Array.Empty<UtilizationShapePoint>());
    public static ScoringStrategy LeastAllocated() => new(ScoringStrategyType.LeastAllocated, DefaultResources, Array.Empty<UtilizationShapePoint>());
}

/// <summary>A score plugin with its weight in the weighted sum.</summary>
public sealed record WeightedScore(ScorePlugin Plugin, long Weight);

/// <summary>
/// A resolved scheduling profile: which filters run, which scores with which weights, and the
/// plugin arguments. Both the legacy Policy and KubeSchedulerConfiguration are read into this.
/// </summary>
public sealed record SchedulerProfile
{
    public const string DefaultSchedulerName = "node-packing-scheduler";

    public string SchedulerName { get; init; } = DefaultSchedulerName;

    /// <summary>Enabled filters; the engine runs them in <see cref="FilterPlugin"/> order whatever the order here.</summary>
    public IReadOnlySet<FilterPlugin> Filters { get; init; } = new HashSet<FilterPlugin>();

    public IReadOnlyList<WeightedScore> Scores { get; init; } = Array.Empty<WeightedScore>();

    /// <summary>NodeResourcesFit scoring strategy (MostAllocated for the legacy MostRequestedPriority).</summary>
    public ScoringStrategy ScoringStrategy { get; init; } = ScoringStrategy.MostAllocated();

    /// <summary>InterPodAffinityArgs.hardPodAffinityWeight (legacy hardPodAffinitySymmetricWeight), 0-100, default 1.</summary>
    public int HardPodAffinityWeight { get; init; } = 1;

    /// <summary>InterPodAffinityArgs.ignorePreferredTermsOfExistingPods.</summary>
    public bool IgnorePreferredTermsOfExistingPods { get; init; }

    /// <summary>NodeResourcesFitArgs.ignoredResources and ignoredResourceGroups: extended resources the fit check skips.</summary>
    public IReadOnlySet<string> IgnoredResources { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> IgnoredResourceGroups { get; init; } = new HashSet<string>();

    /// <summary>
    /// DefaultPreemption (the PostFilter point): a pod that fits nowhere may evict lower-priority
    /// pods. On in upstream's default plugin set and for legacy Policy files (kube-scheduler ran
    /// preemption for them unless --disable-preemption was given).
    /// </summary>
    public bool Preemption { get; init; } = true;

    /// <summary>DefaultPreemptionArgs: how many candidate nodes the dry run looks for (a percentage of the nodes, at least the absolute number).</summary>
    public int MinCandidateNodesPercentage { get; init; } = 10;
    public int MinCandidateNodesAbsolute { get; init; } = 100;

    /// <summary>0 means upstream's adaptive percentage; 100 scores every feasible node.</summary>
    public int PercentageOfNodesToScore { get; init; } = 100;

    /// <summary>
    /// The node-packing policy sites deploy: GeneralPredicates, MatchInterPodAffinity,
    /// NoDiskConflict, NoVolumeZoneConflict, PodToleratesNodeTaints (plus the always-on
    /// NodeUnschedulable); MostRequestedPriority weight 1, InterPodAffinityPriority weight 2.
    /// </summary>
    public static SchedulerProfile NodePacking() => new()
    {
        Filters = new HashSet<FilterPlugin>(Enum.GetValues<FilterPlugin>()),
        Scores = new[] { new WeightedScore(ScorePlugin.NodeResourcesFit, 1), new WeightedScore(ScorePlugin.InterPodAffinity, 2) },
        ScoringStrategy = ScoringStrategy.MostAllocated(),
        HardPodAffinityWeight = 1,
        PercentageOfNodesToScore = 100,
    };
}

/// <summary>A configuration file that cannot be used: names the file, the field and what is accepted.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message) : base(message) { }
    public ConfigurationException(string message, Exception inner) : base(message, inner) { }
}
