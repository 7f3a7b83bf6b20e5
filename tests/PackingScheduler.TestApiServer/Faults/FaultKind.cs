namespace PackingScheduler.TestApiServer;

internal enum FaultKind
{
    Status,
    TooManyRequests,
    Delay,
    Hang,
    Drop,
}
