namespace PackingScheduler.TestApiServer;

/// <summary>Runs an action once when disposed.</summary>
internal sealed class Unsubscriber(Action dispose) : IDisposable
{
    private Action? _dispose = dispose;

    public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
}
