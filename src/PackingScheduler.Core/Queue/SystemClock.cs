namespace PackingScheduler.Core.Queue;

/// <summary>The wall clock: what the queue uses outside tests.</summary>
public sealed class SystemClock : IClock
{
    /// <summary>One shared instance; the clock has no state.</summary>
    public static SystemClock Instance { get; } = new();

    public DateTime UtcNow => DateTime.UtcNow;

    public Task Delay(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
}
