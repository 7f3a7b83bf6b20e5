using PackingScheduler.Core.Queue;

namespace PackingScheduler.Core.Tests.Queue;

/// <summary>
/// A clock that moves only when a test advances it. Delays complete when the clock reaches their
/// due time, so RunAsync's loops tick exactly when a test says so.
/// </summary>
public sealed class FakeClock : IClock
{
    private readonly object _lock = new();
    private readonly List<(DateTime Due, TaskCompletionSource Done)> _delays = new();
    private DateTime _now;

    public FakeClock(DateTime? start = null) => _now = start ?? new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public DateTime UtcNow
    {
        get { lock (_lock) return _now; }
    }

    /// <summary>Delays registered and not yet due or cancelled.</summary>
    public int PendingDelays
    {
        get { lock (_lock) return _delays.Count(d => !d.Done.Task.IsCompleted); }
    }

    public Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (delay <= TimeSpan.Zero) return Task.CompletedTask;
            _delays.Add((_now + delay, done));
        }
        cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
        return done.Task;
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        List<TaskCompletionSource> due;
        lock (_lock)
        {
            _now += by;
            due = _delays.Where(d => d.Due <= _now).Select(d => d.Done).ToList();
            _delays.RemoveAll(d => d.Due <= _now || d.Done.Task.IsCompleted);
        }
        foreach (TaskCompletionSource d in due) d.TrySetResult();
    }
}
