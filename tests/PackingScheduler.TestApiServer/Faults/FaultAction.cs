namespace PackingScheduler.TestApiServer;

/// <summary>What an injected fault does to the requests it matches, and how many times (null: until removed).</summary>
public sealed class FaultAction
{
    private FaultAction(FaultKind kind, int? times)
    {
        if (times is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(times), "times must be positive (or null for forever)");
        }

        Kind = kind;
        Times = times;
    }

    /// <summary>How many requests the fault applies to; null means until removed.</summary>
    public int? Times { get; }

    internal FaultKind Kind { get; }

    internal int StatusCode { get; private init; }

    internal string? Message { get; private init; }

    internal int RetryAfterSeconds { get; private init; }

    internal TimeSpan Duration { get; private init; }

    /// <summary>Answer with <paramref name="statusCode"/> and a matching Status body (reason chosen as the API server would).</summary>
    public static FaultAction Status(int statusCode, int? times = null, string? message = null) =>
        new(FaultKind.Status, times) { StatusCode = statusCode, Message = message };

    /// <summary>Answer 429 TooManyRequests with a <c>Retry-After</c> header (and details.retryAfterSeconds).</summary>
    public static FaultAction TooManyRequests(int retryAfterSeconds = 1, int? times = null) =>
        new(FaultKind.TooManyRequests, times) { StatusCode = 429, RetryAfterSeconds = retryAfterSeconds };

    /// <summary>Wait <paramref name="delay"/>, then handle the request normally.</summary>
    public static FaultAction Delay(TimeSpan delay, int? times = null) => new(FaultKind.Delay, times) { Duration = delay };

    /// <summary>Never answer: the request hangs until the client gives up (or the server stops).</summary>
    public static FaultAction Hang(int? times = null) => new(FaultKind.Hang, times);

    /// <summary>Abort the connection without any response.</summary>
    public static FaultAction Drop(int? times = null) => new(FaultKind.Drop, times);

    public override string ToString() => Kind switch
    {
        FaultKind.Status => $"status {StatusCode}",
        FaultKind.TooManyRequests => $"429 retry-after {RetryAfterSeconds}s",
        FaultKind.Delay => $"delay {Duration}",
        _ => Kind.ToString().ToLowerInvariant(),
    } + (Times is { } t ? $" x{t}" : " forever");
}
