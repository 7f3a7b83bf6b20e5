using System.Runtime.InteropServices;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Scores;

namespace PackingScheduler.Core.Cache;

/// <summary>
/// What the engine's per-node loop reads for the common pod (cpu and memory requests, no host
/// ports, volumes or affinity): one 64-byte row per node, in node order, kept by
/// <see cref="ClusterState"/> next to the <see cref="NodeInfo"/> it copies, so that the loop
/// streams contiguous memory instead of chasing NodeInfo, its lists and its taints.
/// 80 bytes: eight longs (free cpu and memory stored, requested derived), three ints, a short and a flags byte.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct NodeRow
{
    public NodeRow(NodeInfo node, int taintSet)
    {
        TaintSet = taintSet;
        AllocatableMilliCpu = node.Allocatable.MilliCpu;
        AllocatableMemory = node.Allocatable.Memory;
        // Unchecked, as the filters' "allocatable - requested": the same value they computed per check.
        FreeMilliCpu = unchecked(AllocatableMilliCpu - node.Requested.MilliCpu);
        FreeMemory = unchecked(AllocatableMemory - node.Requested.Memory);
        NonZeroRequestedMilliCpu = node.NonZeroRequestedMilliCpu;
        NonZeroRequestedMemory = node.NonZeroRequestedMemory;
        CpuReciprocal = ExactDivision.Reciprocal(AllocatableMilliCpu);
        MemoryReciprocal = ExactDivision.Reciprocal(AllocatableMemory);
        // Saturated: compared with PodCount + 1, which is far inside int range.
        AllowedPodNumber = (int)Math.Clamp(node.AllowedPodNumber, int.MinValue, int.MaxValue);
        PodCount = node.Pods.Count;
        bool hard = false;
        int soft = 0;
        foreach (Taint t in node.Taints)
        {
            if (t.Effect is TaintEffect.NoSchedule or TaintEffect.NoExecute) hard = true;
            else if (t.Effect == TaintEffect.PreferNoSchedule) soft++;
        }
        Flags = (byte)((node.Unschedulable ? UnschedulableFlag : 0) | (hard ? NoScheduleTaintsFlag : 0));
        PreferNoScheduleTaints = (short)Math.Min(soft, short.MaxValue);
    }

    public long AllocatableMilliCpu { get; }
    public long AllocatableMemory { get; }

    /// <summary>Allocatable minus requested cpu (unchecked: wraps as the filter's subtraction does).</summary>
    public long FreeMilliCpu { get; }

    /// <summary>Allocatable minus requested memory (unchecked).</summary>
    public long FreeMemory { get; }

    /// <summary>The requested cpu (exactly: the unchecked subtraction is undone).</summary>
    public long RequestedMilliCpu => unchecked(AllocatableMilliCpu - FreeMilliCpu);

    public long RequestedMemory => unchecked(AllocatableMemory - FreeMemory);
    public long NonZeroRequestedMilliCpu { get; }
    public long NonZeroRequestedMemory { get; }

    /// <summary><see cref="ExactDivision.Reciprocal"/> of the allocatable cpu (0 when it is below 1), for the fit score.</summary>
    public ulong CpuReciprocal { get; }

    /// <summary><see cref="ExactDivision.Reciprocal"/> of the allocatable memory (0 when it is below 1).</summary>
    public ulong MemoryReciprocal { get; }
    public int AllowedPodNumber { get; }
    public int PodCount { get; }

    /// <summary>Some taint is NoSchedule or NoExecute (the filter must look at the taints).</summary>
    public bool HasNoScheduleTaints => (Flags & NoScheduleTaintsFlag) != 0;

    public bool Unschedulable => (Flags & UnschedulableFlag) != 0;

    public const byte UnschedulableFlag = 1;
    public const byte NoScheduleTaintsFlag = 2;

    /// <summary><see cref="UnschedulableFlag"/> and <see cref="NoScheduleTaintsFlag"/>: one load and mask in the row loop.</summary>
    public byte Flags { get; }

    /// <summary>PreferNoSchedule taints, for TaintToleration scoring of pods that tolerate none of them.</summary>
    public short PreferNoScheduleTaints { get; }

    /// <summary>The node's taints as an id of <see cref="ClusterState.TaintSets"/> (equal taint lists, equal ids).</summary>
    public int TaintSet { get; }
}

/// <summary>
/// The nodes and their rows, by node index (two parallel arrays, so that worker threads can
/// index them); shifted as nodes are inserted and removed.
/// </summary>
internal sealed class NodeTable
{
    private NodeRow[] _rows = new NodeRow[16];
    private NodeInfo[] _nodes = new NodeInfo[16];
    private int _count;
    private readonly Dictionary<Taint[], int> _taintSetIds = new(TaintListEquality.Instance) { [Array.Empty<Taint>()] = 0 };
    private readonly List<Taint[]> _taintSets = new() { Array.Empty<Taint>() };

    /// <summary>The distinct taint lists of nodes seen so far, by id (never reused; 0 is no taints).</summary>
    public IReadOnlyList<Taint[]> TaintSets => _taintSets;

    private int TaintSetOf(NodeInfo node)
    {
        if (_taintSetIds.TryGetValue(node.Taints, out int id)) return id;
        id = _taintSets.Count;
        _taintSets.Add(node.Taints);
        _taintSetIds.Add(node.Taints, id);
        return id;
    }

    public ReadOnlySpan<NodeRow> Rows => _rows.AsSpan(0, _count);

    /// <summary>Backing arrays (valid up to <see cref="Count"/>) until the next node change.</summary>
    public NodeRow[] RowArray => _rows;
    public NodeInfo[] NodeArray => _nodes;
    public int Count => _count;

    public void Insert(int at, NodeInfo node)
    {
        if (_count == _rows.Length)
        {
            Array.Resize(ref _rows, _rows.Length * 2);
            Array.Resize(ref _nodes, _nodes.Length * 2);
        }
        Array.Copy(_rows, at, _rows, at + 1, _count - at);
        Array.Copy(_nodes, at, _nodes, at + 1, _count - at);
        _rows[at] = new NodeRow(node, TaintSetOf(node));
        _nodes[at] = node;
        _count++;
    }

    public void RemoveAt(int at)
    {
        Array.Copy(_rows, at + 1, _rows, at, _count - at - 1);
        Array.Copy(_nodes, at + 1, _nodes, at, _count - at - 1);
        _count--;
        _rows[_count] = default;
        _nodes[_count] = null!;
    }

    /// <summary>After a spec change: taints may have changed too.</summary>
    public void Update(int at, NodeInfo node) => _rows[at] = new NodeRow(node, TaintSetOf(node));

    /// <summary>After a pod change: the spec, so the taint set, is the same.</summary>
    public void UpdateUsage(int at, NodeInfo node) => _rows[at] = new NodeRow(node, _rows[at].TaintSet);
}

/// <summary>Taint lists equal element by element (same order: the filter names the first untolerated one).</summary>
internal sealed class TaintListEquality : IEqualityComparer<Taint[]>
{
    public static readonly TaintListEquality Instance = new();

    public bool Equals(Taint[]? x, Taint[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(Taint[] taints)
    {
        var h = new HashCode();
        foreach (Taint t in taints) h.Add(t);
        return h.ToHashCode();
    }
}
