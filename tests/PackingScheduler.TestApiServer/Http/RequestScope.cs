using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace PackingScheduler.TestApiServer;

/// <summary>One request in flight: its context, what it is, and its (single) log record.</summary>
internal sealed class RequestScope(HttpContext http, RequestInfo info, RequestLog log)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly DateTimeOffset _time = DateTimeOffset.UtcNow;
    private int _recorded;

    public HttpContext Http { get; } = http;

    public RequestInfo Info { get; } = info;

    /// <summary>Logs the request with its status code; only the first call counts.</summary>
    public void Record(int statusCode)
    {
        if (Interlocked.Exchange(ref _recorded, 1) == 0)
        {
            log.Add(new RequestRecord(_time, Info, statusCode, Stopwatch.GetElapsedTime(_started)));
        }
    }
}
