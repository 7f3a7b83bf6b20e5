namespace PackingScheduler.TestApiServer;

/// <summary>Whether the server is "down" (answering 503 to everything), e.g. during a simulated restart.</summary>
internal sealed class Availability
{
    private long _downUntil;

    public bool IsDown => Environment.TickCount64 < Interlocked.Read(ref _downUntil);

    public void GoDown(TimeSpan duration) =>
        Interlocked.Exchange(ref _downUntil, duration <= TimeSpan.Zero ? 0 : Environment.TickCount64 + (long)duration.TotalMilliseconds);

    public void ComeUp() => Interlocked.Exchange(ref _downUntil, 0);
}
