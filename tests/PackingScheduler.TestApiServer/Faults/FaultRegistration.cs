namespace PackingScheduler.TestApiServer;

/// <summary>An injected fault. Dispose (or <see cref="TestApiServer.RemoveFault"/>) to remove it.</summary>
public sealed class FaultRegistration : IDisposable
{
    private readonly FaultRegistry _registry;
    private int _hits;

    internal FaultRegistration(FaultRegistry registry, Func<RequestInfo, bool> match, FaultAction action)
    {
        _registry = registry;
        Match = match;
        Action = action;
        Remaining = action.Times;
    }

    public Func<RequestInfo, bool> Match { get; }

    public FaultAction Action { get; }

    /// <summary>How many requests the fault has been applied to.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>How many more requests it applies to; null when unlimited.</summary>
    public int? Remaining { get; internal set; }

    /// <summary>False once exhausted or removed.</summary>
    public bool IsActive { get; internal set; } = true;

    public void Dispose() => _registry.Remove(this);

    internal void Hit() => Interlocked.Increment(ref _hits);
}
