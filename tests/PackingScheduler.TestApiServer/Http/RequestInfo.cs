namespace PackingScheduler.TestApiServer;

/// <summary>
/// What a request is, in the API server's terms (the same attributes its authorizer and audit log see).
/// Verb is one of get, list, watch, create, update, patch, delete, deletecollection (or the lower-case HTTP method
/// for non-resource requests).
/// </summary>
public sealed record RequestInfo(
    string Method,
    string Verb,
    string Group,
    string Version,
    string Resource,
    string? Subresource,
    string? Namespace,
    string? Name,
    string Path,
    string QueryString)
{
    public bool IsResourceRequest => Resource.Length > 0;

    public override string ToString() =>
        $"{Verb} {(Group.Length > 0 ? Group + "/" : "")}{Resource}{(Subresource is null ? "" : "/" + Subresource)}" +
        $"{(Namespace is null ? "" : " ns=" + Namespace)}{(Name is null ? "" : " name=" + Name)}";
}
