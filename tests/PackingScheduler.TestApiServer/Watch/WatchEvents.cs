using System.Text;
using System.Text.Json.Nodes;

namespace PackingScheduler.TestApiServer;

/// <summary>Turns store events into the watch wire format: one JSON object per line, <c>{"type":…,"object":…}</c>.</summary>
internal static class WatchEvents
{
    private static readonly byte[] Tail = "}\n"u8.ToArray();

    /// <summary>
    /// The event a watch with <paramref name="filter"/> sees for <paramref name="e"/>, as the API server's watch cache
    /// computes it: an object that starts matching arrives as ADDED, one that stops matching as DELETED.
    /// </summary>
    public static byte[]? Translate(WatchFilter filter, StoreEvent e)
    {
        switch (e.Type)
        {
            case ChangeType.Added:
                return filter.Matches(e.Object) ? Line("ADDED", e.Object.Json) : null;
            case ChangeType.Deleted:
                return filter.Matches(e.Previous ?? e.Object) ? Line("DELETED", e.Object.Json) : null;
            default:
                var now = filter.Matches(e.Object);
                var before = e.Previous is not null && filter.Matches(e.Previous);
                return (before, now) switch
                {
                    (true, true) => Line("MODIFIED", e.Object.Json),
                    (false, true) => Line("ADDED", e.Object.Json),
                    (true, false) => Line("DELETED", e.Previous!.WithResourceVersion(e.ResourceVersion).Json),
                    _ => null,
                };
        }
    }

    public static byte[] Bookmark(ResourceType rt, long rv, bool initialEventsEnd = false)
    {
        var meta = new JsonObject { ["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        var obj = new JsonObject { ["kind"] = rt.Kind, ["apiVersion"] = rt.ApiVersion, ["metadata"] = meta };
        return Line("BOOKMARK", ObjectJson.ToBytes(obj));
    }

    public static byte[] Error(ApiStatusException e) => Line("ERROR", ObjectJson.ToBytes(StatusObjects.Failure(e)));

    private static byte[] Line(string type, byte[] objectJson)
    {
        var head = Encoding.UTF8.GetBytes("{\"type\":\"" + type + "\",\"object\":");
        var line = new byte[head.Length + objectJson.Length + Tail.Length];
        head.CopyTo(line, 0);
        objectJson.CopyTo(line, head.Length);
        Tail.CopyTo(line, head.Length + objectJson.Length);
        return line;
    }
}
