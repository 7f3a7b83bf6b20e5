using Microsoft.AspNetCore.Http;

namespace PackingScheduler.TestApiServer;

/// <summary>
/// Resolves a URL the way the API server's request-info resolver does:
/// <c>/api/v1/[watch/][namespaces/{ns}/]{resource}[/{name}[/{subresource}]]</c> and the same under <c>/apis/{group}/{version}</c>.
/// </summary>
internal static class RequestParser
{
    public static ParsedRequest Parse(HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = request.Method.ToUpperInvariant();
        var query = request.QueryString.Value ?? "";

        RequestInfo NonResource() => new(method, method.ToLowerInvariant(), "", "", "", null, null, null, path, query);

        if (segments.Length == 1 && segments[0] == "version")
        {
            return new ParsedRequest(NonResource(), null, false, NonResourcePath.Version);
        }

        if (segments.Length >= 1 && segments[0] is "healthz" or "livez" or "readyz")
        {
            return new ParsedRequest(NonResource(), null, false, NonResourcePath.Health);
        }

        if (segments.Length == 1 && segments[0] == "api")
        {
            return new ParsedRequest(NonResource(), null, false, NonResourcePath.CoreVersions);
        }

        if (segments.Length == 1 && segments[0] == "apis")
        {
            return new ParsedRequest(NonResource(), null, false, NonResourcePath.GroupList);
        }

        string group, version;
        string[] rest;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], segments[2..]);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else
        {
            return new ParsedRequest(NonResource(), null, false, NonResourcePath.Unknown);
        }

        if (rest.Length == 0)
        {
            var info = new RequestInfo(method, method.ToLowerInvariant(), group, version, "", null, null, null, path, query);
            return new ParsedRequest(info, null, false, NonResourcePath.ResourceList);
        }

        var watchPath = rest[0] == "watch";
        if (watchPath)
        {
            rest = rest[1..];
        }

        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces" && !(rest.Length == 3 && rest[2] is "status" or "finalize"))
        {
            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3)
        {
            return new ParsedRequest(NonResource(), null, false, NonResourcePath.Unknown);
        }

        var resource = rest[0];
        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        var isWatch = method == "GET" && (watchPath || QueryValues.Bool(request.Query, "watch"));
        var verb = method switch
        {
            "GET" when isWatch => "watch",
            "GET" => name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };

        var requestInfo = new RequestInfo(method, verb, group, version, resource, subresource, ns, name, path, query);
        var rt = ResourceRegistry.Find(group, version, resource);
        if (rt is not null && ((ns is not null && !rt.Namespaced) || (ns is null && rt.Namespaced && name is not null)))
        {
            rt = null;
        }

        return new ParsedRequest(requestInfo, rt, isWatch, NonResourcePath.None);
    }
}
