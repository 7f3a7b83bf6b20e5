using System.Text.Json.Nodes;
using PackingScheduler.TestApiServer;
using Server = PackingScheduler.TestApiServer.TestApiServer;

namespace PackingScheduler.Tests.Preemption;

/// <summary>
/// Every pod change the API server commits, seen inside its store lock: which pods were deleted
/// and how they looked just before, pods that changed node once bound, and each pod's
/// status.nominatedNodeName values. Reads the stored JSON, so nothing is missed between polls.
/// </summary>
internal sealed class PodHistory : IDisposable
{
    private readonly object _lock = new();
    private readonly List<string> _deleted = new();
    private readonly Dictionary<string, JsonNode> _lastBeforeDeletion = new(StringComparer.Ordinal);
    private readonly List<string> _moved = new();
    private readonly Dictionary<string, List<string>> _nominations = new(StringComparer.Ordinal);
    private readonly IDisposable _hook;

    public PodHistory(Server server) => _hook = server.OnMutation(OnChange);

    /// <summary>Deleted pods (namespace/name), in commit order.</summary>
    public IReadOnlyList<string> Deleted
    {
        get { lock (_lock) return _deleted.ToList(); }
    }

    /// <summary>"ns/name: a -> b" for every bound pod whose spec.nodeName changed.</summary>
    public IReadOnlyList<string> Moved
    {
        get { lock (_lock) return _moved.ToList(); }
    }

    /// <summary>The pod as it was stored just before its deletion.</summary>
    public JsonNode LastBeforeDeletion(string key)
    {
        lock (_lock) return _lastBeforeDeletion[key];
    }

    /// <summary>Every distinct status.nominatedNodeName the pod had ("" when cleared), in order.</summary>
    public IReadOnlyList<string> Nominations(string key)
    {
        lock (_lock) return _nominations.TryGetValue(key, out List<string>? n) ? n.ToList() : [];
    }

    private void OnChange(StoreChange change)
    {
        if (change.Resource != "pods" || change.Group != "") return;
        string key = $"{change.Namespace}/{change.Name}";
        lock (_lock)
        {
            JsonNode? before = change.OldJson is { } o ? JsonNode.Parse(o) : null;
            if (change.Type == ChangeType.Deleted)
            {
                _deleted.Add(key);
                _lastBeforeDeletion[key] = before!;
                return;
            }
            JsonNode after = JsonNode.Parse(change.NewJson!)!;
            string? was = (string?)before?["spec"]?["nodeName"];
            string? now = (string?)after["spec"]?["nodeName"];
            if (!string.IsNullOrEmpty(was) && was != now) _moved.Add($"{key}: {was} -> {now}");
            string nominated = (string?)after["status"]?["nominatedNodeName"] ?? "";
            string previous = (string?)before?["status"]?["nominatedNodeName"] ?? "";
            if (nominated != previous)
            {
                if (!_nominations.TryGetValue(key, out List<string>? list)) _nominations[key] = list = new List<string>();
                list.Add(nominated);
            }
        }
    }

    public void Dispose() => _hook.Dispose();
}
