namespace PackingScheduler.Core.Scheduling;

/// <summary>
/// What the scheduling loop measures, kube-scheduler's metrics by meaning. The host maps these to
/// Prometheus; tests may count them. Implementations must be thread-safe and cheap.
/// </summary>
public interface ISchedulerMetrics
{
    /// <summary>result: scheduled, unschedulable or error (scheduler_schedule_attempts_total).</summary>
    void Attempt(string result, TimeSpan duration);

    /// <summary>From the pod's first entry into the queue to its successful binding (scheduler_pod_scheduling_duration_seconds).</summary>
    void PodScheduled(int attempts, TimeSpan sinceFirstQueued);

    /// <summary>One binding call and how it ended (Bound, AlreadyBound, Gone, Failed).</summary>
    void Binding(string outcome, TimeSpan duration);

    /// <summary>One run of DefaultPreemption's PostFilter, whatever its outcome (scheduler_preemption_attempts_total).</summary>
    void PreemptionAttempt()
    {
    }

    /// <summary>A preemption carried out, with its number of victims (scheduler_preemption_victims).</summary>
    void PreemptionVictims(int victims)
    {
    }
}

/// <summary>Metrics that go nowhere, for tools and tests that do not need them.</summary>
public sealed class NoMetrics : ISchedulerMetrics
{
    public static readonly NoMetrics Instance = new();

    public void Attempt(string result, TimeSpan duration) { }
    public void PodScheduled(int attempts, TimeSpan sinceFirstQueued) { }
    public void Binding(string outcome, TimeSpan duration) { }
}
