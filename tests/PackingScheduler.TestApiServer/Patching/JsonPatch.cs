using System.Globalization;
using System.Text.Json.Nodes;

namespace PackingScheduler.TestApiServer;

/// <summary>RFC 6902 JSON patch (application/json-patch+json): add, remove, replace, move, copy, test.</summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject target, JsonArray operations)
    {
        foreach (var opNode in operations)
        {
            if (opNode is not JsonObject op)
            {
                throw ApiStatusException.BadRequest("json patch: every operation must be an object");
            }

            var kind = ObjectJson.GetString(op, "op") ?? throw ApiStatusException.BadRequest("json patch: missing \"op\"");
            var path = ObjectJson.GetString(op, "path") ?? throw ApiStatusException.BadRequest("json patch: missing \"path\"");
            switch (kind)
            {
                case "add":
                    Add(target, path, RequiredValue(op)?.DeepClone());
                    break;
                case "remove":
                    Remove(target, path);
                    break;
                case "replace":
                    Remove(target, path);
                    Add(target, path, RequiredValue(op)?.DeepClone());
                    break;
                case "move":
                {
                    var from = From(op);
                    var value = Get(target, from)?.DeepClone();
                    Remove(target, from);
                    Add(target, path, value);
                    break;
                }

                case "copy":
                    Add(target, path, Get(target, From(op))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(target, path), op["value"]))
                    {
                        throw new ApiStatusException(422, "Invalid", $"json patch: test operation failed at \"{path}\"");
                    }

                    break;
                default:
                    throw ApiStatusException.BadRequest($"json patch: unknown operation \"{kind}\"");
            }
        }

        return target;
    }

    private static JsonNode? RequiredValue(JsonObject op) =>
        op.ContainsKey("value") ? op["value"] : throw ApiStatusException.BadRequest("json patch: missing \"value\"");

    private static string From(JsonObject op) =>
        ObjectJson.GetString(op, "from") ?? throw ApiStatusException.BadRequest("json patch: missing \"from\"");

    private static List<string> Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw ApiStatusException.BadRequest($"json patch: invalid pointer \"{pointer}\"");
        }

        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    private static JsonNode? Get(JsonObject root, string pointer)
    {
        JsonNode? current = root;
        foreach (var token in Tokens(pointer))
        {
            current = Child(current, token, pointer);
        }

        return current;
    }

    private static JsonNode? Child(JsonNode? node, string token, string pointer) => node switch
    {
        JsonObject o when o.TryGetPropertyValue(token, out var v) => v,
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => throw new ApiStatusException(422, "Invalid", $"json patch: path \"{pointer}\" does not exist"),
    };

    private static (JsonNode Parent, string Last) Parent(JsonObject root, string pointer)
    {
        var tokens = Tokens(pointer);
        if (tokens.Count == 0)
        {
            throw ApiStatusException.BadRequest("json patch: the root cannot be the target of this operation");
        }

        JsonNode? current = root;
        foreach (var token in tokens.Take(tokens.Count - 1))
        {
            current = Child(current, token, pointer);
        }

        return (current ?? throw new ApiStatusException(422, "Invalid", $"json patch: path \"{pointer}\" does not exist"), tokens[^1]);
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new ApiStatusException(422, "Invalid", $"json patch: cannot add at \"{pointer}\"");
        }
    }

    private static void Remove(JsonObject root, string pointer)
    {
        var (parent, last) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw new ApiStatusException(422, "Invalid", $"json patch: path \"{pointer}\" does not exist");
        }
    }
}
