namespace PackingScheduler.Core.Queue;

/// <summary>
/// Where a pod the queue knows about is. Every pod added and not yet deleted or done is in
/// exactly one of these (other than <see cref="None"/>).
/// </summary>
public enum QueueLocation
{
    /// <summary>Not known to the queue: never added, deleted, or done (scheduled).</summary>
    None,

    /// <summary>In activeQ, waiting to be popped.</summary>
    Active,

    /// <summary>In backoffQ, waiting for its backoff to expire before it goes to activeQ.</summary>
    Backoff,

    /// <summary>In the unschedulable pool, waiting for a cluster event or the leftover timeout.</summary>
    Unschedulable,

    /// <summary>Popped and being scheduled; it comes back through AddUnschedulableIfNotPresent/AddBackoff or leaves through Done.</summary>
    InFlight,
}
