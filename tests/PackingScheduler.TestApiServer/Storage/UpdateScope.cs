namespace PackingScheduler.TestApiServer;

/// <summary>Which part of an object a write may change.</summary>
internal enum UpdateScope
{
    /// <summary>The main resource: for resources with a status subresource the stored status is kept.</summary>
    Main,

    /// <summary>The status subresource: only <c>status</c> changes.</summary>
    Status,

    /// <summary>Everything (in-process writes by tests).</summary>
    Full,
}
