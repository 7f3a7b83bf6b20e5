namespace PackingScheduler.TestApiServer;

/// <summary>
/// A failure expressed the way the API server does: an HTTP code, a machine-readable reason and a message.
/// Thrown by the in-process store API and turned into a <c>Status</c> body over HTTP.
/// </summary>
public sealed class ApiStatusException : Exception
{
    public ApiStatusException(int code, string reason, string message, string? name = null, string? group = null, string? kind = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        DetailsName = name;
        DetailsGroup = group;
        DetailsKind = kind;
    }

    public int Code { get; }

    public string Reason { get; }

    public string? DetailsName { get; }

    public string? DetailsGroup { get; }

    public string? DetailsKind { get; }

    public int? RetryAfterSeconds { get; init; }

    internal static ApiStatusException NotFound(ResourceType rt, string name) =>
        new(404, "NotFound", $"{rt.QualifiedName} \"{name}\" not found", name, NullIfEmpty(rt.Group), rt.Plural);

    internal static ApiStatusException AlreadyExists(ResourceType rt, string name) =>
        new(409, "AlreadyExists", $"{rt.QualifiedName} \"{name}\" already exists", name, NullIfEmpty(rt.Group), rt.Plural);

    internal static ApiStatusException Conflict(ResourceType rt, string name, string why, string? qualifiedOverride = null) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {qualifiedOverride ?? rt.QualifiedName} \"{name}\": {why}", name,
            NullIfEmpty(rt.Group), rt.Plural);

    internal static ApiStatusException StaleObject(ResourceType rt, string name) =>
        Conflict(rt, name, "the object has been modified; please apply your changes to the latest version and try again");

    internal static ApiStatusException Invalid(ResourceType rt, string name, string why) =>
        new(422, "Invalid", $"{rt.Kind} \"{name}\" is invalid: {why}", name, NullIfEmpty(rt.Group), rt.Kind);

    internal static ApiStatusException Forbidden(ResourceType rt, string name, string why) =>
        new(403, "Forbidden", $"{rt.QualifiedName} \"{name}\" is forbidden: {why}", name, NullIfEmpty(rt.Group), rt.Plural);

    internal static ApiStatusException BadRequest(string message) => new(400, "BadRequest", message);

    internal static ApiStatusException Expired(long requested, long oldest) =>
        new(410, "Expired", $"too old resource version: {requested} ({oldest})");

    internal static ApiStatusException PathNotFound() => new(404, "NotFound", "the server could not find the requested resource");

    internal static ApiStatusException MethodNotAllowed(string method) =>
        new(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({method})");

    internal static ApiStatusException UnsupportedMediaType(string? contentType) =>
        new(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format ({contentType}) - accepted media types include: " +
            "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");

    /// <summary>A failure for an arbitrary HTTP code, with the reason the API server would use for it.</summary>
    public static ApiStatusException ForCode(int code, string? message = null)
    {
        var reason = code switch
        {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            406 => "NotAcceptable",
            409 => "Conflict",
            410 => "Expired",
            413 => "RequestEntityTooLarge",
            415 => "UnsupportedMediaType",
            422 => "Invalid",
            429 => "TooManyRequests",
            500 => "InternalError",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "Unknown",
        };
        return new ApiStatusException(code, reason, message ?? $"injected failure: {reason} ({code})");
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
