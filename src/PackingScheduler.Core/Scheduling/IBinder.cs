using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Scheduling;

/// <summary>What became of a binding call.</summary>
public enum BindOutcome
{
    /// <summary>The API server bound the pod (201).</summary>
    Bound,

    /// <summary>The pod was already bound (409): another scheduler, or our earlier attempt, won. Forget and drop.</summary>
    AlreadyBound,

    /// <summary>The pod is gone (404). Forget and drop.</summary>
    Gone,

    /// <summary>Anything else (5xx, 429, timeout, network): forget the assumption and retry with backoff.</summary>
    Failed,
}

/// <summary>Binds a pod to a node through the API server (pods/binding).</summary>
public interface IBinder
{
    Task<(BindOutcome Outcome, string? Error)> BindAsync(PodInfo pod, string nodeName, CancellationToken cancellationToken);
}
