using System.Text.Json.Nodes;
using PackingScheduler.Core.Model;
using PackingScheduler.TestApiServer;
using Server = PackingScheduler.TestApiServer.TestApiServer;

namespace PackingScheduler.Tests.Reliability;

/// <summary>
/// Watches the API server's own state at every commit (a mutation hook, run inside the store's
/// lock): no node's bound cpu requests may exceed its allocatable at any moment, and every
/// binding is recorded with whether its node existed when it was committed. Reads the stored
/// JSON directly, never the typed client models, so malformed objects cannot break it.
/// </summary>
internal sealed class ClusterMonitor : IDisposable
{
    private readonly object _lock = new();

    // Node name -> allocatable millicores; null when the node's allocatable cannot be read
    // (a malformed node the scheduler must ignore: nothing may be bound there).
    private readonly Dictionary<string, long?> _allocatable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Node, long Cpu)> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _used = new(StringComparer.Ordinal);
    private readonly List<string> _violations = new();
    private readonly List<Binding> _bindings = new();
    private readonly IDisposable _hook;

    public sealed record Binding(string Pod, string Node, bool NodeExisted, DateTime At);

    public ClusterMonitor(Server server)
    {
        lock (_lock)
        {
            _hook = server.OnMutation(OnChange);
        }
    }

    public IReadOnlyList<string> Violations
    {
        get { lock (_lock) return _violations.ToList(); }
    }

    /// <summary>Every commit that gave a pod a node, in commit order.</summary>
    public IReadOnlyList<Binding> Bindings
    {
        get { lock (_lock) return _bindings.ToList(); }
    }

    /// <summary>Bound cpu requests per node (millicores), as the API server has them now.</summary>
    public IReadOnlyDictionary<string, long> Used
    {
        get { lock (_lock) return _used.Where(kv => kv.Value != 0).ToDictionary(kv => kv.Key, kv => kv.Value); }
    }

    public IReadOnlyCollection<string> Nodes
    {
        get { lock (_lock) return _allocatable.Keys.ToList(); }
    }

    private void OnChange(StoreChange change)
    {
        lock (_lock)
        {
            if (change.Resource == "nodes" && change.Group == "")
            {
                if (change.NewJson is { } json) _allocatable[change.Name] = NodeCpu(JsonNode.Parse(json));
                else _allocatable.Remove(change.Name);
                return;
            }
            if (change.Resource != "pods" || change.Group != "") return;
            string key = $"{change.Namespace}/{change.Name}";
            JsonNode? pod = change.NewJson is { } podJson ? JsonNode.Parse(podJson) : null;
            if (_pods.Remove(key, out (string Node, long Cpu) before)) _used[before.Node] -= before.Cpu;
            if (pod is null) return;
            string? node = (string?)pod["spec"]?["nodeName"];
            string? phase = (string?)pod["status"]?["phase"];
            if (string.IsNullOrEmpty(node) || phase is "Succeeded" or "Failed") return;
            long cpu = PodCpu(pod);
            _pods[key] = (node, cpu);
            long used = _used.GetValueOrDefault(node) + cpu;
            _used[node] = used;
            bool wasBound = before.Node is not null;
            if (!wasBound)
            {
                bool exists = _allocatable.ContainsKey(node);
                _bindings.Add(new Binding(key, node, exists, DateTime.UtcNow));
            }
            if (_allocatable.TryGetValue(node, out long? alloc))
            {
                if (alloc is null) _violations.Add($"{key} bound to {node}, whose allocatable cannot be read (the scheduler must ignore that node)");
                else if (used > alloc) _violations.Add($"{node}: {used}m cpu requested > {alloc}m allocatable after {key} was bound (rv {change.ResourceVersion})");
            }
        }
    }

    private static long? NodeCpu(JsonNode? node)
    {
        JsonNode? status = node?["status"];
        JsonNode? cpu = status?["allocatable"]?["cpu"] ?? status?["capacity"]?["cpu"];
        if (cpu is null) return null;
        string text = cpu.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)cpu! : cpu.ToJsonString();
        return Quantity.TryParseMilli(text, out long milli, out _) ? milli : null;
    }

    private static long PodCpu(JsonNode pod)
    {
        long total = 0;
        if (pod["spec"]?["containers"] is not JsonArray containers) return 0;
        foreach (JsonNode? c in containers)
        {
            JsonNode? q = c?["resources"]?["requests"]?["cpu"] ?? c?["resources"]?["limits"]?["cpu"];
            if (q is null) continue;
            string text = q.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)q! : q.ToJsonString();
            if (Quantity.TryParseMilli(text, out long milli, out _)) total += milli;
        }
        return total;
    }

    public void Dispose() => _hook.Dispose();
}
