namespace PackingScheduler.Core.Queue;

/// <summary>
/// Names of the queue's own moves, for the scheduler_queue_incoming_pods_total{queue,event}
/// metric. Cluster events (node added, pod deleted, ...) use whatever name the caller passes to
/// <see cref="SchedulingQueue.MoveAllToActiveOrBackoff"/>. Upstream: framework/events.go.
/// </summary>
public static class QueueEvents
{
    /// <summary>A new pending pod was added.</summary>
    public const string PodAdd = "PodAdd";

    /// <summary>A pending pod was updated in a way that may make it schedulable.</summary>
    public const string PodUpdate = "PodUpdate";

    /// <summary>A pod came back after a failed scheduling attempt.</summary>
    public const string ScheduleAttemptFailure = "ScheduleAttemptFailure";

    /// <summary>A pod's backoff expired and it moved from backoffQ to activeQ.</summary>
    public const string BackoffComplete = "BackoffComplete";

    /// <summary>A pod stayed unschedulable longer than podMaxInUnschedulablePodsDuration.</summary>
    public const string UnschedulableTimeout = "UnschedulableTimeout";

    /// <summary>Label values of the queue dimension, as upstream's metrics use them.</summary>
    public const string ActiveQueue = "active";
    public const string BackoffQueue = "backoff";
    public const string UnschedulableQueue = "unschedulable";
}
