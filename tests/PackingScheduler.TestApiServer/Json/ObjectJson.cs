using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PackingScheduler.TestApiServer;

/// <summary>Small helpers over the JSON form of Kubernetes objects.</summary>
internal static class ObjectJson
{
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }

        meta = new JsonObject();
        obj["metadata"] = meta;
        return meta;
    }

    public static string? GetString(JsonObject? obj, string property) =>
        obj?[property] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string? MetaString(JsonObject obj, string property) =>
        GetString(obj["metadata"] as JsonObject, property);

    public static void SetResourceVersion(JsonObject obj, long rv) =>
        Metadata(obj)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);

    public static byte[] ToBytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    public static JsonObject ParseObject(ReadOnlySpan<byte> json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw ApiStatusException.BadRequest("the request body is not valid JSON: " + e.Message);
        }

        return node as JsonObject ?? throw ApiStatusException.BadRequest("the request body must be a JSON object");
    }

    public static JsonElement ToElement(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a dotted path as the API server's field selectors see it: strings as is, booleans and numbers as text, missing as "".</summary>
    public static string FieldValue(JsonElement root, string dottedPath)
    {
        var current = root;
        foreach (var part in dottedPath.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return "";
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString() ?? "",
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => current.GetRawText(),
            _ => "",
        };
    }

    public static Dictionary<string, string> Labels(JsonElement root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object &&
            meta.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in labels.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.String)
                {
                    result[p.Name] = p.Value.GetString() ?? "";
                }
            }
        }

        return result;
    }
}
