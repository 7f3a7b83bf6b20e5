using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scores;
using PackingScheduler.Core.Translation;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// The real thing: every placement is decided by a <see cref="SchedulingEngine"/> with the given
/// profile over a <see cref="ClusterState"/>, as the live scheduler decides it. Nodes are
/// translated once per replay and jobs compiled straight into <see cref="PodInfo"/>, so that no
/// Kubernetes client object is touched per decision. Counters (busy cpu, nodes in use, stranded
/// cpu) are kept up to date on each change instead of recomputed over all nodes per event.
/// </summary>
public sealed class EngineReplayCluster : IReplayCluster
{
    public const string Namespace = "default";

    private readonly ReplayTrace _trace;
    private readonly ClusterState _cluster;
    private readonly SchedulingEngine _engine;
    private readonly Dictionary<NodeInfo, int> _nodeIndex = new(ReferenceEqualityComparer.Instance);
    private readonly NodeInfo[] _nodes;
    private readonly int[] _podsOnNode;
    private readonly PodInfo?[] _pods;
    private readonly int[] _nodeOf;
    private readonly int _namespaceId;
    private readonly List<int> _freed = new();
    private readonly bool[] _isFreed;

    public EngineReplayCluster(ReplayTrace trace, SchedulerProfile profile)
    {
        _trace = trace;
        var interner = new Interner();
        var translator = new ObjectTranslator(interner);
        _cluster = new ClusterState(interner);
        _cluster.SetNamespace(Namespace, null);
        _namespaceId = interner.Intern(Namespace);
        _nodes = new NodeInfo[trace.Nodes.Count];
        for (int i = 0; i < _nodes.Length; i++)
        {
            NodeInfo node = _cluster.AddOrUpdateNode(translator.TranslateNode(trace.Nodes[i]));
            _nodes[i] = node;
            _nodeIndex[node] = i;
            TotalMilliCpu += node.Allocatable.MilliCpu;
            StrandedMilliCpu += Stranded(node);
        }
        _podsOnNode = new int[_nodes.Length];
        _isFreed = new bool[_nodes.Length];
        _pods = new PodInfo?[trace.Pods.Count];
        _nodeOf = new int[trace.Pods.Count];
        _engine = new SchedulingEngine(profile, interner);
    }

    public long TotalMilliCpu { get; }
    public long BusyMilliCpu { get; private set; }
    public int NodesInUse { get; private set; }

    /// <summary>Free cpu of the nodes with less than 8 free cores: all of it is lost to 8-core pilots.</summary>
    public long StrandedMilliCpu { get; private set; }

    /// <summary>The node job <paramref name="pod"/> was placed on (index in the trace's nodes), for tests.</summary>
    public int NodeOf(int pod) => _nodeOf[pod];

    public string NodeName(int node) => _nodes[node].Name;

    public bool TryPlace(int pod)
    {
        PodInfo info = _pods[pod] ??= Compile(pod);
        ScheduleResult result = _engine.Schedule(info, _cluster);
        if (result.Node is not { } node) return false;
        int n = _nodeIndex[node];
        StrandedMilliCpu -= Stranded(node);
        info.NodeName = node.Name;
        _cluster.AddPod(info);
        StrandedMilliCpu += Stranded(node);
        BusyMilliCpu += info.Request.MilliCpu;
        if (_podsOnNode[n]++ == 0) NodesInUse++;
        _nodeOf[pod] = n;
        return true;
    }

    public void Remove(int pod)
    {
        PodInfo info = _pods[pod] ?? throw new InvalidOperationException($"job {pod} was never placed");
        int n = _nodeOf[pod];
        NodeInfo node = _nodes[n];
        StrandedMilliCpu -= Stranded(node);
        _cluster.RemovePod(info.Key);
        StrandedMilliCpu += Stranded(node);
        BusyMilliCpu -= info.Request.MilliCpu;
        if (--_podsOnNode[n] == 0) NodesInUse--;
        if (!_isFreed[n])
        {
            _isFreed[n] = true;
            _freed.Add(n);
        }
        // The job is done; its compiled form is not needed again.
        _pods[pod] = null;
    }

    /// <summary>
    /// Only the nodes that jobs left can have become able to take a job that failed before: the
    /// others are as they were, or fuller. Trace jobs differ only in their requests, so a freed
    /// node without the cpu, memory or pod slot for this one settles it without a scheduling cycle.
    /// </summary>
    public bool MightFitAfterRemovals(int pod)
    {
        TracePod p = _trace.Pods[pod];
        foreach (int n in _freed)
        {
            NodeInfo node = _nodes[n];
            if (node.Allocatable.MilliCpu - node.Requested.MilliCpu >= p.MilliCpu
                && node.Allocatable.Memory - node.Requested.Memory >= p.Memory
                && node.Pods.Count < node.AllowedPodNumber)
                return true;
        }
        return false;
    }

    public void ForgetRemovals()
    {
        foreach (int n in _freed) _isFreed[n] = false;
        _freed.Clear();
    }

    private static long Stranded(NodeInfo node)
    {
        long free = node.Allocatable.MilliCpu - node.Requested.MilliCpu;
        return free > 0 && free < SlotBestFitScore.SlotMilliCpu ? free : 0;
    }

    /// <summary>
    /// The job as a one-container pod requesting its cpu and memory, compiled directly: what
    /// ObjectTranslator would make of it (a container without a memory request is scored with
    /// upstream's 200 MiB default).
    /// </summary>
    private PodInfo Compile(int index)
    {
        TracePod p = _trace.Pods[index];
        return new PodInfo
        {
            Name = p.Name,
            NamespaceName = Namespace,
            Namespace = _namespaceId,
            Priority = p.Priority,
            Order = index,
            Request = new ResourceAmounts(p.MilliCpu, p.Memory, 0),
            NonZeroMilliCpu = p.MilliCpu > 0 ? p.MilliCpu : ResourceNames.DefaultMilliCpuRequest,
            NonZeroMemory = p.Memory > 0 ? p.Memory : ResourceNames.DefaultMemoryRequest,
        };
    }
}
