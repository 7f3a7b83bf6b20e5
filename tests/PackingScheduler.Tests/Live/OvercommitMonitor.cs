using k8s;
using k8s.Models;
using PackingScheduler.Core.Model;
using PackingScheduler.TestApiServer;

namespace PackingScheduler.Tests.Live;

/// <summary>
/// Checks, at every change the API server commits, that no node's bound cpu requests exceed its
/// allocatable: the invariant is checked from the API server's own state, not the scheduler's.
/// </summary>
internal sealed class OvercommitMonitor : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, long> _allocatable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Node, long Cpu)> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _used = new(StringComparer.Ordinal);
    private readonly List<string> _violations = new();
    private readonly IDisposable _hook;

    public OvercommitMonitor(PackingScheduler.TestApiServer.TestApiServer server)
    {
        foreach (V1Node n in server.List<V1Node>()) SetNode(n);
        foreach (V1Pod p in server.List<V1Pod>()) SetPod(Key(p), p);
        _hook = server.OnMutation(OnChange);
    }

    public IReadOnlyList<string> Violations
    {
        get { lock (_lock) return _violations.ToList(); }
    }

    private static string Key(V1Pod p) => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}";

    private void OnChange(StoreChange change)
    {
        lock (_lock)
        {
            if (change.Is<V1Node>() && change.NewJson is { } nodeJson) SetNode(KubernetesJson.Deserialize<V1Node>(nodeJson));
            if (!change.Is<V1Pod>()) return;
            string key = $"{change.Namespace}/{change.Name}";
            SetPod(key, change.NewJson is { } json ? KubernetesJson.Deserialize<V1Pod>(json) : null);
        }
    }

    private void SetNode(V1Node n)
    {
        IDictionary<string, ResourceQuantity>? alloc = n.Status?.Allocatable;
        Quantity.TryParseMilli(alloc?["cpu"]?.ToString(), out long cpu, out _);
        _allocatable[n.Metadata.Name] = cpu;
    }

    private void SetPod(string key, V1Pod? pod)
    {
        if (_pods.Remove(key, out (string Node, long Cpu) before)) _used[before.Node] -= before.Cpu;
        if (pod?.Spec?.NodeName is not { Length: > 0 } node || pod.Status?.Phase is "Succeeded" or "Failed") return;
        long cpu = 0;
        foreach (V1Container c in pod.Spec.Containers)
        {
            if (c.Resources?.Requests?.TryGetValue("cpu", out ResourceQuantity? q) == true && Quantity.TryParseMilli(q.ToString(), out long m, out _)) cpu += m;
        }
        _pods[key] = (node, cpu);
        long used = _used.GetValueOrDefault(node) + cpu;
        _used[node] = used;
        if (_allocatable.TryGetValue(node, out long alloc) && used > alloc)
            _violations.Add($"{node}: {used}m cpu requested > {alloc}m allocatable after {key} was bound");
    }

    public void Dispose() => _hook.Dispose();
}
