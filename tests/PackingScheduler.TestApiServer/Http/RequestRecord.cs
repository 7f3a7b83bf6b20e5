namespace PackingScheduler.TestApiServer;

/// <summary>
/// One logged request. <see cref="StatusCode"/> is the code sent (for watches, when the stream started);
/// 0 when no response was sent (hung, dropped, or the client went away first).
/// </summary>
public sealed record RequestRecord(DateTimeOffset Time, RequestInfo Request, int StatusCode, TimeSpan Duration)
{
    public string Verb => Request.Verb;

    public string Resource => Request.Resource;

    public string? Subresource => Request.Subresource;

    public string? Namespace => Request.Namespace;

    public string? Name => Request.Name;

    public override string ToString() => $"{Request} -> {StatusCode}";
}
