using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace PackingScheduler.TestApiServer;

/// <summary>The resource verbs: get, list, watch, create, update, patch, delete, deletecollection, and pod binding.</summary>
internal sealed class ResourceEndpoints(ObjectStore store, WatchStreamer watches)
{
    public async Task HandleAsync(RequestScope scope, ParsedRequest request)
    {
        var info = request.Info;
        if (request.Resource is not { } rt)
        {
            if (info.Verb == "create" && info.Group.Length == 0 && info.Resource == "bindings" && info.Namespace is not null && info.Name is null)
            {
                await BindAsync(scope, info.Namespace, null).ConfigureAwait(false);
                return;
            }

            throw ApiStatusException.PathNotFound();
        }

        var sub = info.Subresource;
        if (sub is not null && !(sub == "status" && rt.HasStatus) && !(sub == "binding" && rt == ResourceRegistry.Pods))
        {
            throw ApiStatusException.PathNotFound();
        }

        switch (info.Verb)
        {
            case "get" when sub is null or "status":
                await Respond(scope, 200, store.Get(rt, info.Namespace, info.Name!) ?? throw ApiStatusException.NotFound(rt, info.Name!)).ConfigureAwait(false);
                break;
            case "list" when sub is null:
                await ListAsync(scope, rt).ConfigureAwait(false);
                break;
            case "watch" when sub is null:
                await watches.RunAsync(scope, Filter(scope, rt)).ConfigureAwait(false);
                break;
            case "create" when sub is null && info.Name is null:
            {
                var body = await HttpIo.ReadObjectAsync(scope.Http).ConfigureAwait(false);
                await Respond(scope, 201, store.Create(rt, info.Namespace, body, WriteOrigin.Http)).ConfigureAwait(false);
                break;
            }

            case "create" when sub == "binding" && info.Name is not null:
                await BindAsync(scope, info.Namespace!, info.Name).ConfigureAwait(false);
                break;
            case "update" when sub is null or "status" && info.Name is not null:
            {
                var body = await HttpIo.ReadObjectAsync(scope.Http).ConfigureAwait(false);
                var scopeKind = sub is null ? UpdateScope.Main : UpdateScope.Status;
                await Respond(scope, 200, store.Update(rt, info.Namespace, info.Name!, body, scopeKind, WriteOrigin.Http)).ConfigureAwait(false);
                break;
            }

            case "patch" when sub is null or "status" && info.Name is not null:
                await PatchAsync(scope, rt, sub is null ? UpdateScope.Main : UpdateScope.Status).ConfigureAwait(false);
                break;
            case "delete" when sub is null:
                await DeleteAsync(scope, rt).ConfigureAwait(false);
                break;
            case "deletecollection" when sub is null:
                store.DeleteCollection(Filter(scope, rt));
                await HttpIo.WriteJsonAsync(scope, 200, StatusObjects.Success(200, rt)).ConfigureAwait(false);
                break;
            default:
                throw ApiStatusException.MethodNotAllowed(info.Method);
        }
    }

    private static Task Respond(RequestScope scope, int code, StoredObject obj) => HttpIo.WriteJsonAsync(scope, code, obj.Json);

    private static WatchFilter Filter(RequestScope scope, ResourceType rt)
    {
        var info = scope.Info;
        var http = scope.Http;
        return new WatchFilter(
            rt,
            rt.Namespaced ? info.Namespace : null,
            info.Name,
            LabelSelector.Parse(QueryValues.String(http.Request.Query, "labelSelector")),
            FieldSelector.Parse(QueryValues.String(http.Request.Query, "fieldSelector"), rt));
    }

    private async Task ListAsync(RequestScope scope, ResourceType rt)
    {
        var (items, rv) = store.List(Filter(scope, rt));
        using var buffer = new MemoryStream();
        buffer.Write(Encoding.UTF8.GetBytes(
            $"{{\"kind\":\"{rt.ListKind}\",\"apiVersion\":\"{rt.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{rv.ToString(CultureInfo.InvariantCulture)}\"}},\"items\":["));
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                buffer.WriteByte((byte)',');
            }

            buffer.Write(items[i].Json);
        }

        buffer.Write("]}"u8);
        await HttpIo.WriteJsonAsync(scope, 200, buffer.ToArray()).ConfigureAwait(false);
    }

    private async Task PatchAsync(RequestScope scope, ResourceType rt, UpdateScope updateScope)
    {
        var contentType = scope.Http.Request.ContentType;
        var mediaType = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType.Value : null;
        var kind = mediaType switch
        {
            "application/json-patch+json" => PatchKind.Json,
            "application/merge-patch+json" => PatchKind.Merge,
            "application/strategic-merge-patch+json" => PatchKind.StrategicMerge,
            _ => throw ApiStatusException.UnsupportedMediaType(contentType),
        };
        var body = await HttpIo.ReadBodyAsync(scope.Http).ConfigureAwait(false);
        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw ApiStatusException.BadRequest("the patch is not valid JSON: " + e.Message);
        }

        var info = scope.Info;
        var result = store.Patch(rt, info.Namespace, info.Name!, kind, patch ?? throw ApiStatusException.BadRequest("empty patch"), updateScope);
        await Respond(scope, 200, result).ConfigureAwait(false);
    }

    private async Task DeleteAsync(RequestScope scope, ResourceType rt)
    {
        var info = scope.Info;
        var body = await HttpIo.ReadBodyAsync(scope.Http).ConfigureAwait(false);
        JsonObject? options = body.Length > 0 ? ObjectJson.ParseObject(body) : null;
        var preconditions = options?["preconditions"] as JsonObject;
        StoredObject deleted;
        if (rt == ResourceRegistry.Pods)
        {
            // As the API server: DeleteOptions from the body when there is one, else from the query.
            long? grace = options is not null
                ? options["gracePeriodSeconds"] switch
                {
                    null => null,
                    JsonValue v when v.TryGetValue<long>(out var n) => n,
                    _ => throw ApiStatusException.BadRequest("gracePeriodSeconds must be an integer"),
                }
                : QueryValues.String(scope.Http.Request.Query, "gracePeriodSeconds") switch
                {
                    null or "" => null,
                    var q when long.TryParse(q, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
                    var q => throw ApiStatusException.BadRequest($"gracePeriodSeconds: invalid value \"{q}\""),
                };
            deleted = store.DeletePod(info.Namespace, info.Name!, ObjectJson.GetString(preconditions, "uid"),
                ObjectJson.GetString(preconditions, "resourceVersion"), grace);
        }
        else
        {
            deleted = store.Delete(
                rt,
                info.Namespace,
                info.Name!,
                ObjectJson.GetString(preconditions, "uid"),
                ObjectJson.GetString(preconditions, "resourceVersion"));
        }

        if (rt.DeleteReturnsObject)
        {
            await Respond(scope, 200, deleted).ConfigureAwait(false);
        }
        else
        {
            await HttpIo.WriteJsonAsync(scope, 200, StatusObjects.Success(200, rt, deleted.Name, deleted.Uid)).ConfigureAwait(false);
        }
    }

    private async Task BindAsync(RequestScope scope, string ns, string? podName)
    {
        var binding = await HttpIo.ReadObjectAsync(scope.Http).ConfigureAwait(false);
        var bindingName = ObjectJson.MetaString(binding, "name");
        var bindingNs = ObjectJson.MetaString(binding, "namespace");
        if (!string.IsNullOrEmpty(bindingNs) && bindingNs != ns)
        {
            throw ApiStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        if (podName is not null && !string.IsNullOrEmpty(bindingName) && bindingName != podName)
        {
            throw ApiStatusException.BadRequest("name in URL does not match name in Binding object");
        }

        var name = podName ?? bindingName;
        if (string.IsNullOrEmpty(name))
        {
            throw ApiStatusException.Invalid(ResourceRegistry.Pods, "", "metadata.name: Required value: name or generateName is required");
        }

        store.Bind(ns, name, binding);
        await HttpIo.WriteJsonAsync(scope, 201, StatusObjects.Success(201)).ConfigureAwait(false);
    }
}
