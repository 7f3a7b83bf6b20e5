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

    /// <summary>The pod is gone (deleted, or bound by someone else): drop whatever is kept about it.</summary>
    void Forget(string podKey)
    {
    }
}
