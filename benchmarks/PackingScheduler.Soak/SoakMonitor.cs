using System.Text.Json;
using System.Text.Json.Nodes;
using PackingScheduler.Core.Model;
using PackingScheduler.TestApiServer;

namespace PackingScheduler.Soak;

/// <summary>
/// Checks the API server's own state at every commit (a mutation hook inside the store's lock), in
/// bounded memory: no node's bound cpu requests above its allocatable; every pod bound once (a pod
/// is never bound twice while it exists); no binding to a node that does not exist. Tells the
/// churn when a pod was bound, so it can be deleted after its lifetime.
/// </summary>
public sealed class SoakMonitor : IDisposable
{
    private const int KeptViolations = 100;

    private readonly object _lock = new();
    private readonly Dictionary<string, long> _allocatable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Node, long Cpu)> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _used = new(StringComparer.Ordinal);
    private readonly List<string> _violations = new();
    private readonly IDisposable _hook;
    private readonly Action<string> _bound;
    private long _bindings;
    private long _violationCount;

    /// <param name="bound">Called (inside the store's lock: keep it short) with the name of each pod as it is bound.</param>
    public SoakMonitor(TestApiServer.TestApiServer server, Action<string> bound)
    {
        _bound = bound;
        _hook = server.OnMutation(OnChange);
    }

    public long Bindings => Interlocked.Read(ref _bindings);

    public long ViolationCount => Interlocked.Read(ref _violationCount);

    /// <summary>The first violations seen (at most 100).</summary>
    public IReadOnlyList<string> Violations
    {
        get { lock (_lock) return _violations.ToList(); }
    }

    /// <summary>Pods bound now (not deleted) and the cpu they hold, millicores.</summary>
    public (int Pods, long MilliCpu) BoundNow
    {
        get { lock (_lock) return (_pods.Count, _used.Values.Sum()); }
    }

    private void Violation(string what)
    {
        Interlocked.Increment(ref _violationCount);
        if (_violations.Count < KeptViolations) _violations.Add(what);
    }

    private void OnChange(StoreChange change)
    {
        if (change.Group != "" || change.Resource is not ("pods" or "nodes")) return;
        lock (_lock)
        {
            if (change.Resource == "nodes")
            {
                if (change.NewJson is { } nodeJson) _allocatable[change.Name] = Cpu(JsonNode.Parse(nodeJson)?["status"]?["allocatable"]?["cpu"]);
                else _allocatable.Remove(change.Name);
                return;
            }
            string key = $"{change.Namespace}/{change.Name}";
            JsonNode? pod = change.NewJson is { } json ? JsonNode.Parse(json) : null;
            bool wasBound = _pods.Remove(key, out (string Node, long Cpu) before);
            if (wasBound) _used[before.Node] -= before.Cpu;
            string? node = (string?)pod?["spec"]?["nodeName"];
            if (pod is null || string.IsNullOrEmpty(node)) return;
            if (wasBound && before.Node != node) Violation($"{key} moved from {before.Node} to {node}");
            long cpu = 0;
            if (pod["spec"]?["containers"] is JsonArray containers)
            {
                foreach (JsonNode? c in containers) cpu += Cpu(c?["resources"]?["requests"]?["cpu"]);
            }
            _pods[key] = (node, cpu);
            long used = _used.GetValueOrDefault(node) + cpu;
            _used[node] = used;
            if (wasBound) return;
            Interlocked.Increment(ref _bindings);
            if (!_allocatable.TryGetValue(node, out long alloc)) Violation($"{key} bound to {node}, which does not exist");
            else if (used > alloc) Violation($"{node}: {used}m cpu bound > {alloc}m allocatable after {key} (rv {change.ResourceVersion})");
            _bound(change.Name);
        }
    }

    private static long Cpu(JsonNode? q)
    {
        if (q is null) return 0;
        string text = q.GetValueKind() == JsonValueKind.String ? (string)q! : q.ToJsonString();
        return Quantity.TryParseMilli(text, out long milli, out _) ? milli : 0;
    }

    public void Dispose() => _hook.Dispose();
}
