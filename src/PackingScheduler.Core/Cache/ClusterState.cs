using System.Diagnostics;
using System.Runtime.InteropServices;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Cache;

/// <summary>A PersistentVolumeClaim as VolumeZone needs it.</summary>
public sealed record ClaimInfo(string Namespace, string Name, string? VolumeName, string? StorageClassName);

/// <summary>A PersistentVolume as VolumeZone needs it: its zone and region labels.</summary>
public sealed record VolumeInfo(string Name, IReadOnlyDictionary<string, string> Labels);

/// <summary>A StorageClass as VolumeZone needs it: whether binding waits for the first consumer.</summary>
public sealed record StorageClassInfo(string Name, string? VolumeBindingMode);

/// <summary>
/// The cluster as the engine sees it: nodes sorted by name (so that the engine's tie-break, the
/// smallest name, is the smallest index) with the pods bound or assumed on
/// them, namespaces with their labels, and the volume objects VolumeZone reads. One writer at a
/// time (the scheduling loop or the cache's event handler, under the cache's lock).
/// </summary>
[DebuggerDisplay("{Nodes.Count} nodes, {PodCount} pods")]
public sealed class ClusterState
{
    private readonly List<NodeInfo> _nodes = new();
    private readonly Dictionary<string, int> _nodeIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodInfo> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<int, LabelSet> _namespaceLabels = new();
    private readonly Dictionary<(string, string), ClaimInfo> _claims = new();
    private readonly Dictionary<string, VolumeInfo> _volumes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StorageClassInfo> _storageClasses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DisruptionBudget> _budgets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodInfo> _nominated = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PodInfo>> _nominatedByNode = new(StringComparer.Ordinal);
    private readonly PodAffinityIndex _affinityIndex = new();
    private readonly NodeTable _rows = new();

    public ClusterState(Interner interner)
    {
        Interner = interner;
        MetadataNameLabel = interner.Intern("kubernetes.io/metadata.name");
    }

    public Interner Interner { get; }
    public int MetadataNameLabel { get; }

    public IReadOnlyList<NodeInfo> Nodes => _nodes;

    /// <summary>The nodes, sorted by name (ordinal), for the engine's loops; valid until the next node change.</summary>
    public ReadOnlySpan<NodeInfo> NodeSpan => CollectionsMarshal.AsSpan(_nodes);

    /// <summary>The nodes' <see cref="NodeRow"/>s, same order as <see cref="NodeSpan"/>; valid until the next change.</summary>
    public ReadOnlySpan<NodeRow> NodeRows => _rows.Rows;

    /// <summary>The node and row arrays behind <see cref="NodeSpan"/> and <see cref="NodeRows"/>, for worker threads.</summary>
    internal NodeTable Table => _rows;

    /// <summary>The distinct taint lists of the nodes (ids in <see cref="NodeRow.TaintSet"/>).</summary>
    public IReadOnlyList<Taint[]> TaintSets => _rows.TaintSets;

    public int PodCount => _pods.Count;

    /// <summary>Pods (on any node) with pod affinity or anti-affinity terms: when 0, affinity scans can be skipped.</summary>
    public int PodsWithAffinityCount { get; private set; }

    /// <summary>Pods (on any node) with required pod anti-affinity terms.</summary>
    public int PodsWithRequiredAntiAffinityCount { get; private set; }
    public IReadOnlyCollection<PodInfo> Pods => _pods.Values;

    /// <summary>The pods on present nodes indexed by label, and their affinity terms counted per topology domain.</summary>
    public PodAffinityIndex AffinityIndex => _affinityIndex;

    /// <summary>Bumped on every change of nodes or pods.</summary>
    public long Generation { get; private set; }

    public NodeInfo? FindNode(string name) => _nodeIndex.TryGetValue(name, out int i) ? _nodes[i] : null;

    public PodInfo? FindPod(string key) => _pods.TryGetValue(key, out PodInfo? p) ? p : null;

    /// <summary>Adds a node, or replaces the spec of a known one and keeps its pods.</summary>
    public NodeInfo AddOrUpdateNode(NodeInfo node)
    {
        Generation++;
        if (_nodeIndex.TryGetValue(node.Name, out int i))
        {
            NodeInfo known = _nodes[i];
            // The domains of the node's pods follow its labels.
            bool relabel = !SameLabels(known.Labels, node.Labels);
            if (relabel) DetachAll(known);
            known.CopySpecFrom(node);
            if (relabel) AttachAll(known);
            _rows.Update(i, known);
            return known;
        }
        int at = _nodes.BinarySearch(node, NodeNameOrder.Instance);
        Debug.Assert(at < 0);
        at = ~at;
        _nodes.Insert(at, node);
        _rows.Insert(at, node);
        for (int j = at; j < _nodes.Count; j++) _nodeIndex[_nodes[j].Name] = j;
        // Pods that arrived before their node are attached now.
        foreach (PodInfo p in _pods.Values)
        {
            if (p.NodeName == node.Name)
            {
                node.AddPod(p);
                _affinityIndex.Attach(p, node);
            }
        }
        _rows.Update(at, node);
        return node;
    }

    /// <summary>Removes a node. Its pods stay known (they are deleted by their own events) but count on no node.</summary>
    public bool RemoveNode(string name)
    {
        if (!_nodeIndex.Remove(name, out int i)) return false;
        Generation++;
        DetachAll(_nodes[i]);
        _nodes.RemoveAt(i);
        _rows.RemoveAt(i);
        for (int j = i; j < _nodes.Count; j++) _nodeIndex[_nodes[j].Name] = j;
        return true;
    }

    /// <summary>Adds a pod bound (or assumed) to <see cref="PodInfo.NodeName"/>; replaces a pod with the same key.</summary>
    public void AddPod(PodInfo pod)
    {
        Debug.Assert(pod.NodeName is not null, "only bound or assumed pods live in the cluster state");
        RemovePod(pod.Key);
        Generation++;
        _pods.Add(pod.Key, pod);
        if (pod.HasPodAffinity) PodsWithAffinityCount++;
        if (pod.HasRequiredAntiAffinity) PodsWithRequiredAntiAffinityCount++;
        if (_nodeIndex.TryGetValue(pod.NodeName!, out int i))
        {
            NodeInfo node = _nodes[i];
            node.AddPod(pod);
            _affinityIndex.Attach(pod, node);
            _rows.UpdateUsage(i, node);
        }
    }

    public PodInfo? RemovePod(string key)
    {
        if (!_pods.Remove(key, out PodInfo? pod)) return null;
        Generation++;
        if (pod.HasPodAffinity) PodsWithAffinityCount--;
        if (pod.HasRequiredAntiAffinity) PodsWithRequiredAntiAffinityCount--;
        if (pod.NodeName is not null && _nodeIndex.TryGetValue(pod.NodeName, out int i) && _nodes[i].RemovePod(pod))
        {
            _affinityIndex.Detach(pod, _nodes[i]);
            _rows.UpdateUsage(i, _nodes[i]);
        }
        return pod;
    }

    // ---- Nominated pods (upstream's PodNominator) ----

    /// <summary>Pending pods nominated to a node by a preemption; while any exist, filtering counts them on their node.</summary>
    public int NominatedPodCount => _nominated.Count;

    /// <summary>
    /// Records that <paramref name="pod"/> (pending) waits for room on <paramref name="nodeName"/>:
    /// pods of lower or equal priority are then filtered as if it ran there. Replaces an earlier nomination.
    /// </summary>
    public void Nominate(PodInfo pod, string nodeName)
    {
        RemoveNomination(pod.Key);
        pod.NominatedNodeName = nodeName;
        _nominated[pod.Key] = pod;
        if (!_nominatedByNode.TryGetValue(nodeName, out List<PodInfo>? list)) _nominatedByNode[nodeName] = list = new List<PodInfo>(1);
        list.Add(pod);
        Generation++;
    }

    /// <summary>Drops a nomination (the pod was bound, deleted, or nominated elsewhere). Returns whether there was one.</summary>
    public bool RemoveNomination(string key)
    {
        if (!_nominated.Remove(key, out PodInfo? pod)) return false;
        string node = pod.NominatedNodeName!;
        if (_nominatedByNode.TryGetValue(node, out List<PodInfo>? list))
        {
            list.Remove(pod);
            if (list.Count == 0) _nominatedByNode.Remove(node);
        }
        Generation++;
        return true;
    }

    public PodInfo? FindNominated(string key) => _nominated.TryGetValue(key, out PodInfo? p) ? p : null;

    /// <summary>The pods nominated to <paramref name="nodeName"/>, in nomination order (empty when none).</summary>
    public IReadOnlyList<PodInfo> NominatedPods(string nodeName) =>
        _nominatedByNode.TryGetValue(nodeName, out List<PodInfo>? list) ? list : Array.Empty<PodInfo>();

    // ---- PodDisruptionBudgets ----

    public IReadOnlyCollection<DisruptionBudget> DisruptionBudgets => _budgets.Values;
    public void SetDisruptionBudget(DisruptionBudget budget) => _budgets[budget.Key] = budget;
    public void RemoveDisruptionBudget(string key) => _budgets.Remove(key);

    private void AttachAll(NodeInfo node)
    {
        IReadOnlyList<PodInfo> pods = node.Pods;
        for (int p = 0; p < pods.Count; p++) _affinityIndex.Attach(pods[p], node);
    }

    private void DetachAll(NodeInfo node)
    {
        IReadOnlyList<PodInfo> pods = node.Pods;
        for (int p = 0; p < pods.Count; p++) _affinityIndex.Detach(pods[p], node);
    }

    private static bool SameLabels(LabelSet a, LabelSet b) =>
        ReferenceEquals(a, b) || (a.Keys.SequenceEqual(b.Keys) && a.Values.SequenceEqual(b.Values));

    public void SetNamespace(string name, IDictionary<string, string>? labels)
    {
        var all = labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels);
        // The API server labels every namespace with its own name.
        all["kubernetes.io/metadata.name"] = name;
        _namespaceLabels[Interner.Intern(name)] = LabelSet.From(all, Interner);
    }

    public void RemoveNamespace(string name) => _namespaceLabels.Remove(Interner.Intern(name));

    public bool HasNamespace(int ns) => _namespaceLabels.ContainsKey(ns);

    /// <summary>Labels of a namespace; empty when the namespace is unknown (upstream: nil labels).</summary>
    public LabelSet NamespaceLabels(int ns) => _namespaceLabels.TryGetValue(ns, out LabelSet? l) ? l : LabelSet.Empty;

    public IEnumerable<KeyValuePair<int, LabelSet>> Namespaces => _namespaceLabels;

    public void SetClaim(ClaimInfo claim) => _claims[(claim.Namespace, claim.Name)] = claim;
    public void RemoveClaim(string ns, string name) => _claims.Remove((ns, name));
    public ClaimInfo? FindClaim(string ns, string name) => _claims.TryGetValue((ns, name), out ClaimInfo? c) ? c : null;

    public void SetVolume(VolumeInfo volume) => _volumes[volume.Name] = volume;
    public void RemoveVolume(string name) => _volumes.Remove(name);
    public VolumeInfo? FindVolume(string name) => _volumes.TryGetValue(name, out VolumeInfo? v) ? v : null;

    public void SetStorageClass(StorageClassInfo sc) => _storageClasses[sc.Name] = sc;
    public void RemoveStorageClass(string name) => _storageClasses.Remove(name);
    public StorageClassInfo? FindStorageClass(string name) => _storageClasses.TryGetValue(name, out StorageClassInfo? s) ? s : null;
}

/// <summary>Ordinal order of node names.</summary>
internal sealed class NodeNameOrder : IComparer<NodeInfo>
{
    public static readonly NodeNameOrder Instance = new();

    public int Compare(NodeInfo? x, NodeInfo? y) => string.CompareOrdinal(x?.Name, y?.Name);
}
