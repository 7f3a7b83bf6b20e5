using System.Text.Json;

namespace PackingScheduler.Core.Policy;

/// <summary>
/// A JSON object of a configuration file read strictly, as kube-scheduler's strict decoder does:
/// unknown and repeated fields are errors, and every value must have the field's type. A field
/// that is absent or JSON null reads as null, as a nil pointer or empty slice in Go.
/// </summary>
internal sealed class JsonConfigObject
{
    private readonly JsonElement _element;

    public string Source { get; }
    public string Path { get; }

    public JsonConfigObject(string source, string path, JsonElement element)
    {
        Source = source;
        Path = path;
        if (element.ValueKind != JsonValueKind.Object)
            throw Error(path, $"expected an object, got {Describe(element)}");
        _element = element;
    }

    public ConfigurationException Error(string path, string message) => ConfigErrors.At(Source, path, message);

    public string ChildPath(string field) => ConfigErrors.Child(Path, field);

    public void CheckFields(params string[] allowed)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in _element.EnumerateObject())
        {
            // Field names are case-sensitive, as in the Kubernetes JSON decoder.
            if (System.Array.IndexOf(allowed, property.Name) < 0)
            {
                string where = Path.Length == 0 ? "the top level" : Path;
                throw Error(ChildPath(property.Name),
                    $"unknown field {ConfigErrors.Quoted(property.Name)}{ConfigErrors.Suggestion(property.Name, allowed)}; " +
                    $"allowed fields at {where}: {ConfigErrors.List(allowed)}");
            }
            if (!seen.Add(property.Name))
                throw Error(ChildPath(property.Name), "field appears twice");
        }
    }

    public JsonElement? Get(string field) =>
        _element.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string? String(string field)
    {
        if (Get(field) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.String)
            throw Error(ChildPath(field), $"expected a string, got {Describe(value)}");
        return value.GetString();
    }

    public long? Int64(string field)
    {
        if (Get(field) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long number))
            throw Error(ChildPath(field), $"expected an integer, got {Describe(value)}");
        return number;
    }

    public int? Int32(string field)
    {
        long? number = Int64(field);
        if (number is < int.MinValue or > int.MaxValue)
            throw Error(ChildPath(field), $"{number} does not fit in a 32-bit integer");
        return (int?)number;
    }

    public bool? Bool(string field)
    {
        if (Get(field) is not { } value) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(ChildPath(field), $"expected true or false, got {Describe(value)}"),
        };
    }

    public JsonConfigObject? Object(string field) =>
        Get(field) is { } value ? new JsonConfigObject(Source, ChildPath(field), value) : null;

    /// <summary>The array's elements with their paths; null when the field is absent or null.</summary>
    public IReadOnlyList<(JsonElement Element, string Path)>? Array(string field)
    {
        if (Get(field) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Array)
            throw Error(ChildPath(field), $"expected a list, got {Describe(value)}");
        var items = new List<(JsonElement, string)>();
        int i = 0;
        foreach (var item in value.EnumerateArray())
            items.Add((item, ConfigErrors.Index(ChildPath(field), i++)));
        return items;
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string {ConfigErrors.Quoted(value.GetString()!)}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };
}
