using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Scheduling;

/// <summary>
/// Tells the cluster what the scheduler decided, as kube-scheduler does: a Scheduled event, or a
/// FailedScheduling event and the PodScheduled=False condition. Implementations must not throw
/// and must not block the scheduling loop (they queue their API calls).
/// </summary>
public interface ISchedulingReporter
{
    void Scheduled(PodInfo pod, string nodeName);

    /// <summary><paramref name="reason"/> is "Unschedulable" (no node fits) or "SchedulerError" (an error while scheduling or binding).</summary>
    void FailedScheduling(PodInfo pod, string reason, string message);

    /// <summary>
    /// As <see cref="FailedScheduling(PodInfo, string, string)"/>, and status.nominatedNodeName written in
    /// the same status patch (upstream updatePod with the PostFilter's nominating info): a node name
    /// sets it (the pod preempted there), "" clears it, null leaves it as it is.
    /// </summary>
    void FailedScheduling(PodInfo pod, string reason, string message, string? nominatedNodeName) => FailedScheduling(pod, reason, message);

    /// <summary>
    /// Clears status.nominatedNodeName of a pending pod whose nomination a higher-priority preemption
    /// on the same node took away (upstream clearNominatedNodeName).
    /// </summary>
    void ClearNomination(PodInfo pod)
    {
    }

    /// <summary>The pod is gone (deleted, or bound by someone else): drop whatever is kept about it.</summary>
    void Forget(string podKey)
    {
    }
}
