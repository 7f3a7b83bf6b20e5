using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace PackingScheduler.TestApiServer;

/// <summary>Reading request bodies and writing JSON / Status responses.</summary>
internal static class HttpIo
{
    public const string JsonContentType = "application/json";

    public static async Task<byte[]> ReadBodyAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpContext http)
    {
        var body = await ReadBodyAsync(http).ConfigureAwait(false);
        if (body.Length == 0)
        {
            throw ApiStatusException.BadRequest("the request body is empty");
        }

        return ObjectJson.ParseObject(body);
    }

    public static Task WriteJsonAsync(RequestScope scope, int statusCode, JsonNode body) =>
        WriteJsonAsync(scope, statusCode, ObjectJson.ToBytes(body));

    public static async Task WriteJsonAsync(RequestScope scope, int statusCode, byte[] body)
    {
        scope.Record(statusCode);
        var response = scope.Http.Response;
        response.StatusCode = statusCode;
        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, scope.Http.RequestAborted).ConfigureAwait(false);
    }

    public static async Task WriteStatusAsync(RequestScope scope, ApiStatusException error)
    {
        var response = scope.Http.Response;
        if (response.HasStarted)
        {
            scope.Record(response.StatusCode);
            scope.Http.Abort();
            return;
        }

        if (error.RetryAfterSeconds is { } retry)
        {
            response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await WriteJsonAsync(scope, error.Code, StatusObjects.Failure(error)).ConfigureAwait(false);
    }

    public static async Task WriteTextAsync(RequestScope scope, string text)
    {
        scope.Record(200);
        scope.Http.Response.StatusCode = 200;
        scope.Http.Response.ContentType = "text/plain; charset=utf-8";
        await scope.Http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), scope.Http.RequestAborted).ConfigureAwait(false);
    }
}
