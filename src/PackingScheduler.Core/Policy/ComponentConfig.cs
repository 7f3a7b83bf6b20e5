namespace PackingScheduler.Core.Policy;

/// <summary>
/// A KubeSchedulerConfiguration as this scheduler uses it: the profiles, plus the settings that
/// concern the process rather than any profile, with upstream's defaults filled in.
/// </summary>
public sealed record ComponentConfig
{
    public required IReadOnlyList<SchedulerProfile> Profiles { get; init; }

    /// <summary>parallelism: workers for filtering and scoring; upstream default 16.</summary>
    public int Parallelism { get; init; } = 16;

    public LeaderElectionSettings LeaderElection { get; init; } = new();

    public ClientConnectionSettings ClientConnection { get; init; } = new();

    /// <summary>podInitialBackoffSeconds: first backoff of an unschedulable pod; upstream default 1.</summary>
    public long PodInitialBackoffSeconds { get; init; } = 1;

    /// <summary>podMaxBackoffSeconds: backoff ceiling; upstream default 10.</summary>
    public long PodMaxBackoffSeconds { get; init; } = 10;

    /// <summary>delayCacheUntilActive: fill informer caches only once leader.</summary>
    public bool DelayCacheUntilActive { get; init; }
}
