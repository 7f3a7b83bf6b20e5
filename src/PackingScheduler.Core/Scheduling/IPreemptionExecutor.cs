using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Scheduling;

/// <summary>What became of evicting one preemption victim.</summary>
public enum PreemptOutcome
{
    /// <summary>The DisruptionTarget condition was written and the pod deleted (its own grace period applies).</summary>
    Preempted,

    /// <summary>The pod was already gone (404): nothing left to do, as good as preempted.</summary>
    Gone,

    /// <summary>An API call failed (5xx, 429, 403, timeout, network): the preemption did not happen.</summary>
    Failed,
}

/// <summary>
/// Carries out a preemption decided by the scheduling loop, as upstream's PreemptPod does for
/// each victim: a DisruptionTarget=True condition with reason PreemptionByScheduler on the
/// victim's status, then DELETE with default options, then a Preempted event on the victim
/// related to the preemptor. Implementations must not throw for API errors (they return Failed).
/// </summary>
public interface IPreemptionExecutor
{
    Task<(PreemptOutcome Outcome, string? Error)> PreemptAsync(PodInfo preemptor, PodInfo victim, string nodeName, CancellationToken cancellationToken);
}
