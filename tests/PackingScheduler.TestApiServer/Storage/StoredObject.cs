using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PackingScheduler.TestApiServer;

/// <summary>An immutable stored version of one object: its serialized JSON plus a read-only parsed view.</summary>
internal sealed class StoredObject
{
    private Dictionary<string, string>? _labels;

    public StoredObject(byte[] json)
    {
        Json = json;
        Root = ObjectJson.ToElement(json);
        var meta = Root.GetProperty("metadata");
        Name = meta.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
        Namespace = meta.TryGetProperty("namespace", out var ns) ? ns.GetString() ?? "" : "";
        Uid = meta.TryGetProperty("uid", out var uid) ? uid.GetString() : null;
        ResourceVersion = meta.TryGetProperty("resourceVersion", out var rv) &&
                          long.TryParse(rv.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : 0;
    }

    public byte[] Json { get; }

    /// <summary>Thread-safe read-only view used for selectors.</summary>
    public JsonElement Root { get; }

    public string Name { get; }

    public string Namespace { get; }

    public string? Uid { get; }

    public long ResourceVersion { get; }

    public ObjectKey Key => new(Namespace, Name);

    public IReadOnlyDictionary<string, string> Labels => _labels ??= ObjectJson.Labels(Root);

    /// <summary>A fresh mutable copy.</summary>
    public JsonObject ToMutable() => ObjectJson.ParseObject(Json);

    /// <summary>The same content with another resourceVersion (used for DELETED events, which carry the deletion's version).</summary>
    public StoredObject WithResourceVersion(long rv)
    {
        var copy = ToMutable();
        ObjectJson.SetResourceVersion(copy, rv);
        return new StoredObject(ObjectJson.ToBytes(copy));
    }
}
