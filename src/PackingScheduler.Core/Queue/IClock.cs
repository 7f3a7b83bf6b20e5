namespace PackingScheduler.Core.Queue;

/// <summary>
/// The queue's only source of time. Backoff expiry, the unschedulable leftover timeout and the
/// flush loops all read it, so tests drive the queue deterministically with a fake clock instead
/// of sleeping.
/// </summary>
public interface IClock
{
    /// <summary>The current time, UTC.</summary>
    DateTime UtcNow { get; }

    /// <summary>
    /// Completes once <paramref name="delay"/> has elapsed on this clock. The flush loops wait
    /// through it so that a fake clock also controls when they tick.
    /// </summary>
    Task Delay(TimeSpan delay, CancellationToken cancellationToken);
}
