namespace PackingScheduler.Core.Queue;

/// <summary>
/// Tunables of the <see cref="SchedulingQueue"/>. Defaults are upstream's: podInitialBackoffSeconds 1,
/// podMaxBackoffSeconds 10 (component config), podMaxInUnschedulablePodsDuration 5 min, and the
/// flush loops of PriorityQueue.Run (backoff every 1 s, unschedulable leftover every 30 s).
/// </summary>
public sealed class SchedulingQueueOptions
{
    /// <summary>Backoff after the first failed attempt; doubled per further attempt.</summary>
    public TimeSpan PodInitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the doubled backoff.</summary>
    public TimeSpan PodMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A pod unschedulable for longer than this is retried even without a cluster event, so a
    /// missed or unmodelled event never strands it.
    /// </summary>
    public TimeSpan PodMaxInUnschedulablePodsDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Period of <see cref="SchedulingQueue.FlushBackoffCompleted"/> in <see cref="SchedulingQueue.RunAsync"/>.</summary>
    public TimeSpan BackoffFlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Period of <see cref="SchedulingQueue.FlushUnschedulableLeftover"/> in <see cref="SchedulingQueue.RunAsync"/>.</summary>
    public TimeSpan UnschedulableFlushInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Called with (queue, event) whenever a pod enters activeQ, backoffQ or the unschedulable pool,
    /// for scheduler_queue_incoming_pods_total. Runs under the queue's lock: it must be cheap and
    /// must not call back into the queue.
    /// </summary>
    public Action<string, string>? IncomingPodObserver { get; init; }

    /// <summary>Builds options from the component config's integer seconds.</summary>
    public static SchedulingQueueOptions FromSeconds(long podInitialBackoffSeconds, long podMaxBackoffSeconds) => new()
    {
        PodInitialBackoff = TimeSpan.FromSeconds(podInitialBackoffSeconds),
        PodMaxBackoff = TimeSpan.FromSeconds(podMaxBackoffSeconds),
    };

    internal void Validate()
    {
        // Upstream's component-config validation (apis/config/validation): podInitialBackoffSeconds
        // must be > 0 and podMaxBackoffSeconds >= podInitialBackoffSeconds.
        if (PodInitialBackoff <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PodInitialBackoff), "must be greater than 0");
        if (PodMaxBackoff < PodInitialBackoff) throw new ArgumentOutOfRangeException(nameof(PodMaxBackoff), "must be at least PodInitialBackoff");
        if (PodMaxInUnschedulablePodsDuration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PodMaxInUnschedulablePodsDuration), "must not be negative");
        if (BackoffFlushInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(BackoffFlushInterval), "must be positive");
        if (UnschedulableFlushInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(UnschedulableFlushInterval), "must be positive");
    }
}
