namespace PackingScheduler.Core.Policy;

/// <summary>
/// leaderElection of a KubeSchedulerConfiguration, with upstream's defaults
/// (RecommendedDefaultLeaderElectionConfiguration and the scheduler's lock object).
/// </summary>
/// <remarks>
/// The default lock is kube-system/kube-scheduler, the default scheduler's own: a packing
/// scheduler running beside it must name another (policies/node-packing.yaml does).
/// </remarks>
public sealed record LeaderElectionSettings
{
    public bool LeaderElect { get; init; } = true;
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
    public string ResourceLock { get; init; } = "leases";
    public string ResourceName { get; init; } = "kube-scheduler";
    public string ResourceNamespace { get; init; } = "kube-system";
}
