namespace PackingScheduler.TestApiServer;

/// <summary>Who is writing: a client over HTTP (the API server's rules apply) or a test in-process (laxer, for set-up).</summary>
internal enum WriteOrigin
{
    Http,
    InProcess,
}
