using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Engine;

/// <summary>
/// The per-node filter loop and the score rows: filters whose PreFilter says they pass every node
/// are left out of the cycle, filters that can judge a node from its <see cref="NodeRow"/> do so
/// and call Filter only where the row cannot tell, and scorers whose PreScore says every score is
/// 0 (or that can score from rows) skip the per-node Score calls. Results are those of calling
/// every Filter and Score on every node, in the profile's order.
/// </summary>
public sealed partial class SchedulingEngine
{
    private static readonly NodeRow NoRow;

    // This cycle's filters, in profile order, without those that pass every node.
    private int[]? _active;
    private IFilterShortcut?[]? _activeRows;
    private int _activeCount;

    // Per-node buffers of the cycle, owned by the engine (one cycle at a time) and grown with the
    // node count: failures and failedBy are read only at indices this cycle processed, so only
    // the feasible node references are cleared after a cycle.
    private NodeInfo[] _feasible = Array.Empty<NodeInfo>();
    private FilterResult[] _failures = Array.Empty<FilterResult>();
    private int[] _failedBy = Array.Empty<int>();
    private int[] _feasibleIndex = Array.Empty<int>();
    private int _feasibleUsed;

    private (NodeInfo[], FilterResult[], int[], int[]) NodeBuffers(int c)
    {
        if (_feasible.Length < c)
        {
            int size = Math.Max(c, _feasible.Length * 2);
            _feasible = new NodeInfo[size];
            _failures = new FilterResult[size];
            _failedBy = new int[size];
            _feasibleIndex = new int[size];
        }
        _feasibleUsed = 0;
        return (_feasible, _failures, _failedBy, _feasibleIndex);
    }

    private void ReleaseNodeBuffers()
    {
        Array.Clear(_feasible, 0, _feasibleUsed);
        _feasibleUsed = 0;
    }

    /// <summary>After PreFilter: the filters this cycle must run and which of them can read rows.</summary>
    private void PlanFilters()
    {
        _active ??= new int[_filters.Length];
        _activeRows ??= new IFilterShortcut?[_filters.Length];
        _activeCount = 0;
        for (int f = 0; f < _filters.Length; f++)
        {
            IFilterShortcut? shortcut = _filters[f] as IFilterShortcut;
            if (shortcut is { PassesAll: true }) continue;
            _active[_activeCount] = f;
            _activeRows[_activeCount] = shortcut is { UsesRows: true } ? shortcut : null;
            _activeCount++;
        }
    }

    /// <summary>Index of the first filter that rejects the node (its result in <paramref name="result"/>), or -1.</summary>
    private int FilterNode(PodInfo pod, NodeInfo node, in NodeRow row, bool hasRow, out FilterResult result)
    {
        int[] active = _active!;
        IFilterShortcut?[] rowShortcuts = _activeRows!;
        for (int a = 0; a < _activeCount; a++)
        {
            if (hasRow && rowShortcuts[a] is { } shortcut && shortcut.PassesRow(in row)) continue;
            int f = active[a];
            FilterResult r = _filters[f].Filter(pod, node);
            if (!r.IsSuccess)
            {
                result = r;
                return f;
            }
        }
        result = default;
        return -1;
    }

    /// <summary>
    /// Upstream's findNodesThatPassFilters, sequentially: nodes from <paramref name="start"/>
    /// round the ring until <paramref name="toFind"/> are feasible or all were seen.
    /// </summary>
    private (int Feasible, int Processed) FilterNodes(PodInfo pod, ReadOnlySpan<NodeInfo> nodes, ReadOnlySpan<NodeRow> rows,
        int start, int toFind, NodeInfo[] feasible, int[] feasibleIndex, FilterResult[] failures, int[] failedBy)
    {
        int c = nodes.Length;
        bool hasRows = rows.Length == c;
        int feasibleCount = 0, processed = 0;
        for (int k = 0, i = start; k < c && feasibleCount < toFind; k++, i = i + 1 == c ? 0 : i + 1)
        {
            processed++;
            int f = FilterNode(pod, nodes[i], in hasRows ? ref rows[i] : ref NoRow, hasRows, out FilterResult r);
            failedBy[i] = f;
            if (f >= 0)
            {
                failures[i] = r;
            }
            else
            {
                feasibleIndex[feasibleCount] = i;
                // NodeInfo is sealed: no covariant array store check needed.
                Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(feasible), feasibleCount++) = nodes[i];
            }
        }
        _feasibleUsed = feasibleCount;
        return (feasibleCount, processed);
    }

    /// <summary>Raw scores of one scorer over the feasible nodes.</summary>
    private static void ScoreNodes(PodInfo pod, IScorer scorer, ReadOnlySpan<NodeInfo> candidates, ReadOnlySpan<NodeRow> rows,
        ReadOnlySpan<int> nodeIndex, Span<long> into)
    {
        if (scorer is IScoreShortcut shortcut)
        {
            if (shortcut.AllZero)
            {
                into.Clear();
                return;
            }
            if (!rows.IsEmpty && shortcut.TryScoreRows(rows, nodeIndex, into)) return;
        }
        for (int j = 0; j < candidates.Length; j++) into[j] = scorer.Score(pod, candidates[j]);
    }
}
