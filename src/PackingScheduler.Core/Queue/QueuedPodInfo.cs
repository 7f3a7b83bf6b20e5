using System.Diagnostics;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Queue;

/// <summary>
/// A pending pod as the scheduling queue tracks it: the compiled pod plus what the queue needs
/// to order, back off and report it (upstream framework.QueuedPodInfo). Created by the queue only;
/// its fields change only under the queue's lock, and not while the pod is in flight except
/// through the queue's own requeue methods, so the scheduling cycle can read them freely.
/// </summary>
[DebuggerDisplay("{Key} attempts={Attempts} {Location}")]
public sealed class QueuedPodInfo
{
    private static readonly IReadOnlyCollection<string> NoPlugins = Array.Empty<string>();

    internal QueuedPodInfo(PodInfo podInfo, DateTime now)
    {
        PodInfo = podInfo;
        Key = podInfo.Key;
        Timestamp = now;
        InitialAttemptTimestamp = now;
    }

    /// <summary>The pod; replaced in place when an update arrives while the pod is queued.</summary>
    public PodInfo PodInfo { get; internal set; }

    /// <summary>"namespace/name", cached: PodInfo.Key concatenates on every call and the heaps compare keys often.</summary>
    public string Key { get; }

    /// <summary>Scheduling attempts so far; incremented by each pop. Drives the backoff duration.</summary>
    public int Attempts { get; internal set; }

    /// <summary>
    /// When the pod was added, or last came back after a failed attempt. Upstream's PrioritySort
    /// breaks priority ties on it, backoff runs from it, and the leftover flush measures from it.
    /// </summary>
    public DateTime Timestamp { get; internal set; }

    /// <summary>When the pod first entered the queue: the start of scheduler_pod_scheduling_duration_seconds.</summary>
    public DateTime InitialAttemptTimestamp { get; }

    /// <summary>The scheduling cycle of the latest pop; pass it back to AddUnschedulableIfNotPresent.</summary>
    public long SchedulingCycle { get; internal set; }

    /// <summary>Plugins that rejected the pod in its last failed attempt (empty after an error).</summary>
    public IReadOnlyCollection<string> UnschedulablePlugins { get; internal set; } = NoPlugins;

    /// <summary>Why the last attempt failed, for events and the PodScheduled condition.</summary>
    public string? LastFailureMessage { get; internal set; }

    /// <summary>Where the queue holds the pod now.</summary>
    public QueueLocation Location { get; internal set; }

    // --- Queue bookkeeping, touched only under the queue's lock. ---

    /// <summary>Position in whichever heap holds the pod (activeQ or backoffQ), -1 when in neither.</summary>
    internal int HeapIndex = -1;

    /// <summary>When the backoff ends; computed when the pod enters backoffQ, which orders on it.</summary>
    internal DateTime BackoffExpiration;

    /// <summary>The latest version of an in-flight pod, applied when it comes back to the queue.</summary>
    internal PodInfo? PendingUpdate;

    /// <summary>
    /// An update that may make the pod schedulable arrived while it was in flight: the failed
    /// attempt used the old spec, so the pod retries after backoff instead of waiting in the
    /// unschedulable pool (what upstream's queueing hints do for in-flight pod updates).
    /// </summary>
    internal bool UpdatedWhileInFlight;

    /// <summary>Deleted: a later attempt to requeue this instance (from a scheduling cycle that held it) is dropped.</summary>
    internal bool Deleted;
}
