using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Scores;

namespace PackingScheduler.Core.Engine;

/// <summary>
/// The per-node filter loop and the score rows: filters whose PreFilter says they pass every node
/// are left out of the cycle, filters that can judge a node from its <see cref="NodeRow"/> do so
/// and call Filter only where the row cannot tell, and scorers whose PreScore says every score is
/// 0 (or that can score from rows) skip the per-node Score calls. Results are those of calling
/// every Filter and Score on every node, in the profile's order. While pods are nominated, the
/// filter loop is the plain sequential one in Schedule (it adds them to the cluster around each
/// node's check), and Evaluate runs every filter: the shortcuts serve the common cycle only.
/// </summary>
public sealed partial class SchedulingEngine
{
    private static readonly NodeRow NoRow;

    // This cycle's filters, in profile order, without those that pass every node.
    private int[]? _active;
    private RowCondition?[]? _activeRows;
    private IFilterShortcut?[]? _activeShortcuts;
    private int _activeCount;

    // All of this cycle's filters pass a node whose row meets this (when every active filter has a row condition).
    private RowCondition _allPass;
    private bool _allHaveRows;

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
        _activeRows ??= new RowCondition?[_filters.Length];
        _activeShortcuts ??= new IFilterShortcut?[_filters.Length];
        _activeCount = 0;
        _allPass = RowCondition.Always;
        _allHaveRows = true;
        for (int f = 0; f < _filters.Length; f++)
        {
            IFilterShortcut? shortcut = _filters[f] as IFilterShortcut;
            if (shortcut is { PassesAll: true }) continue;
            _active[_activeCount] = f;
            RowCondition? condition = shortcut?.RowCondition;
            _activeRows[_activeCount] = condition;
            _activeShortcuts[_activeCount] = shortcut;
            if (condition is { } c) _allPass = _allPass.And(c);
            else _allHaveRows = false;
            _activeCount++;
        }
        // A row that fails the combined condition only by its NoSchedule/NoExecute taints fails
        // exactly the filters whose condition asks for no taints; when those are TaintToleration
        // (its verdict is by taint list), the row's result is its taint list's.
        _taintListDecides = true;
        for (int a = 0; a < _activeCount; a++)
        {
            if (_activeRows[a] is { NoTaints: true } && _filters[_active[a]] is not Predicates.TaintToleration) _taintListDecides = false;
        }
    }

    private bool _taintListDecides;

    // Per taint list (NodeRow.TaintSet), the result of the active filters on a row that fails only
    // by its taints, valid where the stamp is this cycle's.
    private int[] _byTaintListStamp = Array.Empty<int>();
    private int[] _byTaintListFailedBy = Array.Empty<int>();
    private FilterResult[] _byTaintListResult = Array.Empty<FilterResult>();
    private int _byTaintListCycle;

    /// <summary>Index of the first filter that rejects the node (its result in <paramref name="result"/>), or -1.</summary>
    internal int RunActiveFilters(PodInfo pod, NodeInfo node, in NodeRow row, bool hasRow, out FilterResult result)
    {
        int[] active = _active!;
        RowCondition?[] rowConditions = _activeRows!;
        IFilterShortcut?[] shortcuts = _activeShortcuts!;
        for (int a = 0; a < _activeCount; a++)
        {
            if (hasRow && rowConditions[a] is { } condition && condition.Passes(in row)) continue;
            int f = active[a];
            FilterResult r;
            if (!(hasRow && shortcuts[a] is { } shortcut && shortcut.TryFilterRow(in row, out r))) r = _filters[f].Filter(pod, node);
            if (!r.IsSuccess)
            {
                result = r;
                return f;
            }
        }
        result = default;
        return -1;
    }

    /// <summary>A node with its row: the combined row condition first, the filters where it cannot tell.</summary>
    internal int FilterRow(PodInfo pod, NodeInfo node, in NodeRow row, out FilterResult result)
    {
        if (_allHaveRows && _allPass.Passes(in row))
        {
            result = default;
            return -1;
        }
        return RunActiveFilters(pod, node, in row, true, out result);
    }

    /// <summary>
    /// Upstream's findNodesThatPassFilters, sequentially: nodes from <paramref name="start"/>
    /// round the ring until <paramref name="toFind"/> are feasible or all were seen.
    /// </summary>
    private (int Feasible, int Processed) FilterNodes(PodInfo pod, ReadOnlySpan<NodeInfo> nodes, ReadOnlySpan<NodeRow> rows, NodeTable? table,
        int start, int toFind, NodeInfo[] feasible, int[] feasibleIndex, FilterResult[] failures, int[] failedBy)
    {
        int c = nodes.Length;
        bool hasRows = rows.Length == c;
        // Parallel only when some filter must be called per node: when the rows decide every filter
        // (the plain pod), a node costs a few nanoseconds and handing chunks to another thread
        // measured slower than doing them all here (docs/performance.md).
        if (table is not null && hasRows && !(_allHaveRows && ParallelOnlyWithCalls) && c >= ParallelFilterThreshold && Workers > 1)
            return FilterNodesParallel(pod, nodes, table, start, toFind, feasible, feasibleIndex, failures, failedBy);
        if (hasRows && _allHaveRows)
        {
            if (_fuseScorer is null) return FilterNodesByRows<NoFitTag>(pod, nodes, rows, start, toFind, feasible, feasibleIndex, failures, failedBy);
            return _fuseFit.Most
                ? FilterNodesByRows<MostAllocatedTag>(pod, nodes, rows, start, toFind, feasible, feasibleIndex, failures, failedBy)
                : FilterNodesByRows<LeastAllocatedTag>(pod, nodes, rows, start, toFind, feasible, feasibleIndex, failures, failedBy);
        }
        int feasibleCount = 0, processed = 0;
        FilterResult r = default;
        // Locals, so that the per-node check is a few compares on the row in registers.
        RowCondition all = _allPass;
        bool rowsDecide = hasRows && _allHaveRows;
        for (int k = 0, i = start; k < c && feasibleCount < toFind; k++, i = i + 1 == c ? 0 : i + 1)
        {
            processed++;
            int f = rowsDecide && all.Passes(in rows[i])
                ? -1
                : RunActiveFilters(pod, nodes[i], in hasRows ? ref rows[i] : ref NoRow, hasRows, out r);
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

    /// <summary>
    /// The sequential loop when every active filter has a row condition (the plain pod): the
    /// combined condition unpacked into locals and checked without branches, 64 rows at a time
    /// into a bit mask; then, in ring order, runs of passing nodes are appended with one copy each
    /// and nodes whose row fails go to the filters as in <see cref="FilterNodes"/>. The ring is
    /// walked as two straight segments. Same verdicts, order, stopping point and processed count.
    /// With <typeparamref name="TFit"/> a strategy (<see cref="PlanFusedFit"/>), each feasible
    /// row's fit score is computed while the row is loaded and the best key per PreferNoSchedule
    /// count kept as <see cref="BestByTaintCount"/> would (<see cref="_fuseKeys"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private (int Feasible, int Processed) FilterNodesByRows<TFit>(PodInfo pod, ReadOnlySpan<NodeInfo> nodes, ReadOnlySpan<NodeRow> rows,
        int start, int toFind, NodeInfo[] feasible, int[] feasibleIndex, FilterResult[] failures, int[] failedBy) where TFit : struct
    {
        int c = nodes.Length;
        RowCondition all = _allPass;
        bool schedulable = all.Schedulable, noTaints = all.NoTaints, podSlot = all.PodSlot;
        // RowCondition.Passes: "MilliCpu <= 0 || MilliCpu <= free" is "threshold <= free" with threshold long.MinValue when MilliCpu <= 0.
        long cpu = all.MilliCpu > 0 ? all.MilliCpu : long.MinValue;
        long memory = all.Memory > 0 ? all.Memory : long.MinValue;
        int flagMask = (schedulable ? NodeRow.UnschedulableFlag : 0) | (noTaints ? NodeRow.NoScheduleTaintsFlag : 0);
        ref NodeRow row0 = ref MemoryMarshal.GetReference(rows);
        ref NodeInfo node0 = ref MemoryMarshal.GetReference(nodes);
        ref int failedBy0 = ref MemoryMarshal.GetArrayDataReference(failedBy);
        ref int feasibleIndex0 = ref MemoryMarshal.GetArrayDataReference(feasibleIndex);
        // The buffers hold at least c entries (NodeBuffers), rows and nodes exactly c.
        Debug.Assert(rows.Length == c && failedBy.Length >= c && feasibleIndex.Length >= c && feasible.Length >= c && failures.Length >= c);
        int feasibleCount = 0, processed = 0;
        bool taintListDecides = _taintListDecides && noTaints;
        if (++_byTaintListCycle == 0)
        {
            // Once in 2^32 cycles: no stamp may look current.
            Array.Clear(_byTaintListStamp);
            _byTaintListCycle = 1;
        }
        int stamp = _byTaintListCycle;
        int[] stamps = _byTaintListStamp;
        // The fused fit score's inputs in locals (unused without a strategy).
        bool fuse = typeof(TFit) != typeof(NoFitTag);
        CpuMemoryFit fit = _fuseFit;
        long podMilliCpu = fit.PodMilliCpu, podMemory = fit.PodMemory, cpuWeight = fit.CpuWeight, memoryWeight = fit.MemoryWeight;
        long bothWeights = fit.BothWeights;
        ulong bothWeightsReciprocal = fit.BothWeightsReciprocal;
        int weightShift = BitOperations.IsPow2(bothWeights) ? BitOperations.Log2((ulong)bothWeights) : -1;
        long[] keys = _fuseKeys;
        if (fuse) keys.AsSpan().Fill(long.MinValue);
        ref long keys0 = ref MemoryMarshal.GetArrayDataReference(keys);
        ref int positions0 = ref MemoryMarshal.GetArrayDataReference(_fusePositions);
        bool inRange = true;
        for (int segment = 0; segment < 2 && feasibleCount < toFind; segment++)
        {
            int from = segment == 0 ? start : 0, to = segment == 0 ? c : start;
            for (int block = from; block < to && feasibleCount < toFind; block += 64)
            {
                // The verdicts of up to 64 rows as bits, without calls or stores.
                int length = Math.Min(64, to - block);
                ulong passing = 0;
                for (int b = 0; b < length; b++)
                {
                    ref readonly NodeRow row = ref Unsafe.Add(ref row0, block + b);
                    bool passes = ((row.Flags & flagMask) == 0)
                        & (!podSlot | row.PodCount + 1 <= row.AllowedPodNumber)
                        & (cpu <= row.FreeMilliCpu)
                        & (memory <= row.FreeMemory);
                    passing |= (passes ? 1UL : 0UL) << b;
                }
                // Then in ring order: runs of passing rows copied at once, the others filtered one by one.
                for (int b = 0; b < length && feasibleCount < toFind;)
                {
                    int run = BitOperations.TrailingZeroCount(~(passing >> b));
                    if (run > 0)
                    {
                        int take = Math.Min(Math.Min(run, length - b), toFind - feasibleCount);
                        int i = block + b;
                        nodes.Slice(i, take).CopyTo(feasible.AsSpan(feasibleCount, take));
                        failedBy.AsSpan(i, take).Fill(-1);
                        for (int t = 0; t < take; t++)
                        {
                            Unsafe.Add(ref feasibleIndex0, feasibleCount + t) = i + t;
                            if (fuse)
                                inRange &= KeepBestByTaintCount<TFit>(in Unsafe.Add(ref row0, i + t), i + t, feasibleCount + t, ushort.MaxValue, podMilliCpu, podMemory,
                                    cpuWeight, memoryWeight, bothWeights, bothWeightsReciprocal, weightShift, in fit, ref keys0, ref positions0);
                        }
                        feasibleCount += take;
                        processed += take;
                        b += take;
                        continue;
                    }
                    int n = block + b;
                    processed++;
                    ref readonly NodeRow failed = ref Unsafe.Add(ref row0, n);
                    int f;
                    int list = failed.TaintSet;
                    if (taintListDecides && failed.HasNoScheduleTaints
                        && !(schedulable & failed.Unschedulable)
                        & (!podSlot | failed.PodCount + 1 <= failed.AllowedPodNumber)
                        & (cpu <= failed.FreeMilliCpu)
                        & (memory <= failed.FreeMemory)
                        && (uint)list < (uint)stamps.Length && stamps[list] == stamp)
                    {
                        // Fails only by its taints, and a node with the same taint list was judged this cycle.
                        f = _byTaintListFailedBy[list];
                        if (f >= 0) failures[n] = _byTaintListResult[list];
                    }
                    else
                    {
                        f = FilterFailedRow(pod, Unsafe.Add(ref node0, n), in failed, failures, n);
                        if (taintListDecides && failed.HasNoScheduleTaints
                            && !(schedulable & failed.Unschedulable)
                            & (!podSlot | failed.PodCount + 1 <= failed.AllowedPodNumber)
                            & (cpu <= failed.FreeMilliCpu)
                            & (memory <= failed.FreeMemory))
                            stamps = RememberTaintList(list, stamp, f, f >= 0 ? failures[n] : default);
                    }
                    Unsafe.Add(ref failedBy0, n) = f;
                    if (f < 0)
                    {
                        Unsafe.Add(ref feasibleIndex0, feasibleCount) = n;
                        if (fuse)
                            inRange &= KeepBestByTaintCount<TFit>(in failed, n, feasibleCount, ushort.MaxValue, podMilliCpu, podMemory,
                                cpuWeight, memoryWeight, bothWeights, bothWeightsReciprocal, weightShift, in fit, ref keys0, ref positions0);
                        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(feasible), feasibleCount++) = Unsafe.Add(ref node0, n);
                    }
                    b++;
                }
            }
        }
        _fuseDone = fuse && inRange;
        _feasibleUsed = feasibleCount;
        return (feasibleCount, processed);
    }

    private struct NoFitTag;

    // The fit score fused into the row mask loop: planned from the pod before filtering
    // (PlanFusedFit), used by the selection only when PreScore gave the same score (TrySelectFromRows).
    private NodeResourcesFitScore? _fuseScorer;
    private CpuMemoryFit _fuseFit;
    private bool _fuseDone;
    private readonly long[] _fuseKeys = new long[MaxFusedTaintCount + 2];
    private readonly int[] _fusePositions = new int[MaxFusedTaintCount + 2];

    /// <summary>
    /// Before filtering: whether the mask loop also keeps the best fit score per PreferNoSchedule
    /// count, for the first NodeResourcesFitScore that will score <paramref name="pod"/> from rows
    /// with small weights and a bucket-sized weight. A guess checked after PreScore.
    /// </summary>
    private void PlanFusedFit(PodInfo pod, bool enabled)
    {
        _fuseScorer = null;
        _fuseDone = false;
        if (!enabled || !FuseFitIntoFilter) return;
        for (int s = 0; s < _scorers.Length; s++)
        {
            if (_scorers[s] is not NodeResourcesFitScore f) continue;
            if (f.TryCpuMemoryFitFor(pod, out CpuMemoryFit fit) && fit.HasSmallWeights && _weights[s] is >= 1 and <= MaxBucketFitWeight)
            {
                _fuseScorer = f;
                _fuseFit = fit;
            }
            return;
        }
    }

    /// <summary>Whether the fit score may be computed in the row mask loop (tests turn it off to compare).</summary>
    internal bool FuseFitIntoFilter { get; set; } = true;

    /// <summary>
    /// The cpu/memory fit score of one row, as <see cref="CpuMemoryFit.Score"/>: in range
    /// (capacities >= 1, i.e. reciprocals non-zero, and amounts in 0..2^56, so no overflow times 100)
    /// both scores are 0..100, the weighted sum is >= 0 and small, and all three divisions are exact
    /// by reciprocal (by a shift when the weight sum is a power of two); the rare row outside that
    /// range is scored out of line, and only its score can leave 0..100 (then
    /// <paramref name="inRange"/> is cleared). One body for the three row loops that need it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long FastFitScore<TStrategy>(in NodeRow row, long podMilliCpu, long podMemory, long cpuWeight, long memoryWeight,
        long bothWeights, ulong bothWeightsReciprocal, int weightShift, in CpuMemoryFit fit, ref bool inRange) where TStrategy : struct
    {
        bool most = typeof(TStrategy) == typeof(MostAllocatedTag);
        long cpuCapacity = row.AllocatableMilliCpu, memoryCapacity = row.AllocatableMemory;
        long cpuRequested = row.NonZeroRequestedMilliCpu + podMilliCpu, memoryRequested = row.NonZeroRequestedMemory + podMemory;
        long cpuX, memoryX;
        if (most)
        {
            cpuX = Math.Min(cpuRequested, cpuCapacity);
            memoryX = Math.Min(memoryRequested, memoryCapacity);
        }
        else
        {
            // LeastRequested is 0 when the request exceeds the capacity: 0 * 100 / capacity.
            cpuX = cpuRequested > cpuCapacity ? 0 : cpuCapacity - cpuRequested;
            memoryX = memoryRequested > memoryCapacity ? 0 : memoryCapacity - memoryRequested;
        }
        ulong cpuReciprocal = row.CpuReciprocal, memoryReciprocal = row.MemoryReciprocal;
        if ((cpuReciprocal != 0) & (memoryReciprocal != 0) & (((ulong)cpuX | (ulong)memoryX) < 1UL << 56))
        {
            long nodeScore = ExactDivision.Divide((ulong)cpuX * ScoreNormalization.MaxNodeScore, cpuCapacity, cpuReciprocal) * cpuWeight
                + ExactDivision.Divide((ulong)memoryX * ScoreNormalization.MaxNodeScore, memoryCapacity, memoryReciprocal) * memoryWeight;
            return weightShift >= 0 ? nodeScore >> weightShift : ExactDivision.Divide((ulong)nodeScore, bothWeights, bothWeightsReciprocal);
        }
        long score = ScoreOutOfLine(in fit, in row);
        inRange &= (ulong)score <= ScoreNormalization.MaxNodeScore;
        return score;
    }

    /// <summary>
    /// <see cref="BestByTaintCount"/>'s step for one feasible row (node index <paramref name="i"/>,
    /// feasible position <paramref name="j"/>, its PreferNoSchedule count masked by
    /// <paramref name="taintMask"/>); false when the row's score is outside 0..100.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool KeepBestByTaintCount<TStrategy>(in NodeRow row, int i, int j, int taintMask, long podMilliCpu, long podMemory, long cpuWeight, long memoryWeight,
        long bothWeights, ulong bothWeightsReciprocal, int weightShift, in CpuMemoryFit fit, ref long keys0, ref int positions0) where TStrategy : struct
    {
        bool inRange = true;
        long score = FastFitScore<TStrategy>(in row, podMilliCpu, podMemory, cpuWeight, memoryWeight, bothWeights, bothWeightsReciprocal, weightShift, in fit, ref inRange);
        int v = Math.Min(row.PreferNoScheduleTaints & taintMask, MaxFusedTaintCount + 1);
        long key = (score << 32) | (uint)~i;
        ref long slot = ref Unsafe.Add(ref keys0, v);
        if (key > slot)
        {
            slot = key;
            Unsafe.Add(ref positions0, v) = j;
        }
        return inRange;
    }

    /// <summary>Records the result for rows failing only by taint list <paramref name="list"/> this cycle; the stamps (grown when needed).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int[] RememberTaintList(int list, int stamp, int failedBy, FilterResult result)
    {
        if (list < 0) return _byTaintListStamp;
        if (list >= _byTaintListStamp.Length)
        {
            int size = Math.Max(list + 1, 2 * _byTaintListStamp.Length);
            Array.Resize(ref _byTaintListStamp, size);
            Array.Resize(ref _byTaintListFailedBy, size);
            Array.Resize(ref _byTaintListResult, size);
        }
        _byTaintListStamp[list] = stamp;
        _byTaintListFailedBy[list] = failedBy;
        _byTaintListResult[list] = result;
        return _byTaintListStamp;
    }

    /// <summary>A node whose row fails the combined condition: its filters, out of the row loop (which keeps its registers).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int FilterFailedRow(PodInfo pod, NodeInfo node, in NodeRow row, FilterResult[] failures, int i)
    {
        int f = RunActiveFilters(pod, node, in row, true, out FilterResult r);
        if (f >= 0) failures[i] = r;
        return f;
    }

    /// <summary>
    /// Nodes from which filtering runs on <see cref="Workers"/> threads (when some filter must be
    /// called per node). Measured on the 2-core machine of docs/performance.md: at 500 nodes the
    /// affinity and anti-affinity decisions take 16-18 % less time on two threads, at 5,000 16-22 %;
    /// smaller clusters were not measured to gain.
    /// </summary>
    public const int DefaultParallelFilterThreshold = 500;

    /// <summary>Node count from which filtering is parallel (tests set 0 to force it, int.MaxValue to disable it).</summary>
    internal int ParallelFilterThreshold { get; set; } = DefaultParallelFilterThreshold;

    /// <summary>Threads that filter (the caller included): the processor count, at most 8.</summary>
    internal int Workers { get; set; } = Math.Min(Environment.ProcessorCount, 8);

    /// <summary>When every active filter is decided from rows, filter sequentially whatever the node count (tests turn it off).</summary>
    internal bool ParallelOnlyWithCalls { get; set; } = true;

    private ParallelNodeFilter? _parallel;
    private int _parallelWorkers;

    /// <summary>
    /// The same walk as the sequential loop, with the verdicts computed ahead in parallel batches:
    /// all remaining nodes when every node is wanted, else about twice the feasible nodes still
    /// missing. Nodes evaluated past the stopping point are ignored, as if never filtered.
    /// </summary>
    private (int Feasible, int Processed) FilterNodesParallel(PodInfo pod, ReadOnlySpan<NodeInfo> nodes, NodeTable table,
        int start, int toFind, NodeInfo[] feasible, int[] feasibleIndex, FilterResult[] failures, int[] failedBy)
    {
        if (_parallel is null || _parallelWorkers != Workers)
        {
            _parallel = new ParallelNodeFilter(this, Workers);
            _parallelWorkers = Workers;
        }
        int c = nodes.Length;
        int feasibleCount = 0, processed = 0;
        for (int k0 = 0; k0 < c && feasibleCount < toFind;)
        {
            int batch = toFind >= c ? c - k0 : Math.Min(c - k0, Math.Max(2 * (toFind - feasibleCount), 512));
            _parallel.Run(pod, table, c, start, k0, batch, failures, failedBy);
            int i = start + k0;
            if (i >= c) i -= c;
            for (int k = k0; k < k0 + batch && feasibleCount < toFind; k++)
            {
                processed++;
                if (failedBy[i] < 0)
                {
                    feasibleIndex[feasibleCount] = i;
                    Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(feasible), feasibleCount++) = nodes[i];
                }
                if (++i == c) i = 0;
            }
            k0 += batch;
        }
        _feasibleUsed = feasibleCount;
        return (feasibleCount, processed);
    }

    private readonly long[] _one = new long[1];
    private int[] _varyingRows = Array.Empty<int>();

    /// <summary>
    /// After PreScore: the normalized score every node gets when the scorer says all raw scores are
    /// 0 (normalizing a single 0: the normalizations here give every node the same value for an
    /// all-zero row, 0 or, reversed, 100), else null.
    /// </summary>
    private static long? ConstantScoreOf(IScorer scorer, long[] one)
    {
        if (scorer is not IScoreShortcut { AllZero: true }) return null;
        one[0] = 0;
        scorer.Normalize(one);
        return one[0];
    }

    private long? ConstantScore(IScorer scorer) => ConstantScoreOf(scorer, _one);

    private void VaryingRow(int k, int scorer)
    {
        if (_varyingRows.Length < _scorers.Length) _varyingRows = new int[_scorers.Length];
        _varyingRows[k] = scorer;
    }

    /// <summary>
    /// The feasible node with the highest weighted total (plus <paramref name="constant"/>, the
    /// rows left out), ties to the smaller node index, i.e. the smaller name.
    /// </summary>
    private (int Best, long Total) SelectBest(long[] scores, int feasibleCount, int[] feasibleIndex, int varying, long constant)
    {
        int best = -1;
        long bestTotal = long.MinValue;
        int[] rowsUsed = _varyingRows;
        long[] weights = _weights;
        for (int j = 0; j < feasibleCount; j++)
        {
            long total = constant;
            for (int k = 0; k < varying; k++)
            {
                int s = rowsUsed[k];
                total += scores[s * feasibleCount + j] * weights[s];
            }
            // Nodes are sorted by name, so on a tie the smaller index is the smaller name.
            if (total > bestTotal || (total == bestTotal && feasibleIndex[j] < feasibleIndex[best]))
            {
                best = j;
                bestTotal = total;
            }
        }
        return (best, bestTotal);
    }

    /// <summary>
    /// Score and selection in one pass over the feasible nodes' rows, when the varying scores are
    /// at most the cpu/memory fit score and the TaintToleration score of a pod that tolerates no
    /// PreferNoSchedule taint (the plain pod): the same totals and the same choice as
    /// ScoreNodes, Normalize and <see cref="SelectBest"/>, without the score rows. False otherwise.
    /// </summary>
    private bool TrySelectFromRows(ReadOnlySpan<NodeRow> rows, int feasibleCount, int[] feasibleIndex, int varying, long constant,
        out int best, out long bestTotal)
    {
        best = -1;
        bestTotal = long.MinValue;
        if (rows.IsEmpty || varying > 2) return false;
        NodeResourcesFitScore? fit = null;
        long fitWeight = 0, taintWeight = 0;
        bool taint = false;
        for (int k = 0; k < varying; k++)
        {
            int s = _varyingRows[k];
            switch (_scorers[s])
            {
                case NodeResourcesFitScore f when fit is null && f.ScoresCpuMemoryRows:
                    fit = f;
                    fitWeight = _weights[s];
                    break;
                case TaintTolerationScore t when !taint && t.ScoresRows:
                    taint = true;
                    taintWeight = _weights[s];
                    break;
                default:
                    return false;
            }
        }
        ReadOnlySpan<int> index = feasibleIndex.AsSpan(0, feasibleCount);
        if (fit is null) fitWeight = 0;
        CpuMemoryFit cycle = fit is null ? default : fit.CpuMemoryFitOfCycle;
        // One pass: the best fit score per taint count, then the buckets merged.
        // The buckets from the mask loop when it scored with the same fit (PlanFusedFit).
        bool fused = _fuseDone && fit is not null && ReferenceEquals(fit, _fuseScorer) && cycle.SameAs(in _fuseFit);
        if (fit is not null && cycle.HasSmallWeights && fitWeight is >= 1 and <= MaxBucketFitWeight
            && TrySelectByTaintCounts(rows, index, taint, taintWeight, constant, cycle, fitWeight,
                fused ? _fuseKeys : default, fused ? _fusePositions : default, out best, out bestTotal))
            return true;
        // TaintToleration: the reverse default normalization of the counts (upstream's
        // DefaultNormalizeScore), by value, weighted, with the constant rows folded in.
        int max = 0;
        if (taint)
        {
            for (int j = 0; j < index.Length; j++)
            {
                int v = rows[index[j]].PreferNoScheduleTaints;
                if (v > max) max = v;
            }
            if (max > MaxFusedTaintCount) return false;
        }
        Span<long> byTaints = stackalloc long[MaxFusedTaintCount + 1];
        for (int v = 0; v <= max; v++)
        {
            long normalized = max == 0 ? ScoreNormalization.MaxNodeScore : ScoreNormalization.MaxNodeScore - ScoreNormalization.MaxNodeScore * v / max;
            byTaints[v] = constant + (taint ? normalized * taintWeight : 0);
        }
        if (fit is not null && cycle.HasSmallWeights)
        {
            best = cycle.Most
                ? SelectFromRows<MostAllocatedTag>(rows, index, byTaints, taint ? ushort.MaxValue : 0, cycle, fitWeight, out bestTotal)
                : SelectFromRows<LeastAllocatedTag>(rows, index, byTaints, taint ? ushort.MaxValue : 0, cycle, fitWeight, out bestTotal);
            return true;
        }
        best = SelectFromRows(rows, index, byTaints, taint, cycle, fitWeight, out bestTotal);
        return true;
    }

    /// <summary>Largest fit weight for which the per-taint-count buckets are used (100 times it is far from overflow).</summary>
    private const long MaxBucketFitWeight = 1L << 40;

    /// <summary>
    /// <see cref="TrySelectFromRows"/>'s choice without the pass for the largest taint count: one
    /// pass keeps, per PreferNoSchedule count (0..64), the best fit score, ties to the smaller node
    /// index; then the buckets' totals are compared as the single pass would have (a node's total
    /// is its bucket's constant plus its score times the positive weight, so within a bucket the
    /// order of totals is the order of scores when the sum does not wrap, which is checked). False
    /// (nothing decided) when a count exceeds 64, a score is outside 0..100 or a total could wrap.
    /// </summary>
    private static bool TrySelectByTaintCounts(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> index, bool taint, long taintWeight, long constant,
        CpuMemoryFit cycle, long fitWeight, ReadOnlySpan<long> fusedKeys, ReadOnlySpan<int> fusedPositions, out int best, out long bestTotal)
    {
        best = -1;
        bestTotal = long.MinValue;
        // Bucket MaxFusedTaintCount + 1 collects every larger count (then: not decided here).
        Span<long> keys = stackalloc long[MaxFusedTaintCount + 2];
        Span<int> positions = stackalloc int[MaxFusedTaintCount + 2];
        keys.Fill(long.MinValue);
        int taintMask = taint ? ushort.MaxValue : 0;
        bool inRange;
        if (fusedKeys.IsEmpty)
        {
            inRange = cycle.Most
                ? BestByTaintCount<MostAllocatedTag>(rows, index, taintMask, cycle, keys, positions)
                : BestByTaintCount<LeastAllocatedTag>(rows, index, taintMask, cycle, keys, positions);
        }
        else
        {
            // The mask loop's buckets are by count; without the taint score every row is in bucket 0.
            inRange = true;
            if (taint)
            {
                fusedKeys.CopyTo(keys);
                fusedPositions.CopyTo(positions);
            }
            else
            {
                for (int v = 0; v < fusedKeys.Length; v++)
                {
                    if (fusedKeys[v] > keys[0])
                    {
                        keys[0] = fusedKeys[v];
                        positions[0] = fusedPositions[v];
                    }
                }
            }
        }
        if (!inRange || keys[MaxFusedTaintCount + 1] != long.MinValue) return false;
        int max = MaxFusedTaintCount;
        while (max > 0 && keys[max] == long.MinValue) max--;
        int bestIndex = int.MaxValue;
        for (int v = 0; v <= max; v++)
        {
            long key = keys[v];
            if (key == long.MinValue) continue;
            long normalized = max == 0 ? ScoreNormalization.MaxNodeScore : ScoreNormalization.MaxNodeScore - ScoreNormalization.MaxNodeScore * v / max;
            long byTaint = constant + (taint ? normalized * taintWeight : 0);
            // byTaint + score * fitWeight (score 0..100) must not wrap for the buckets to be exact.
            if (byTaint > long.MaxValue - ScoreNormalization.MaxNodeScore * fitWeight) return false;
            long total = byTaint + (key >> 32) * fitWeight;
            int i = ~(int)(uint)key;
            if (total > bestTotal || (total == bestTotal && i < bestIndex))
            {
                best = positions[v];
                bestIndex = i;
                bestTotal = total;
            }
        }
        return true;
    }

    /// <summary>
    /// Per taint count (capped at <see cref="MaxFusedTaintCount"/> + 1), the largest key
    /// <c>score &lt;&lt; 32 | ~nodeIndex</c> (the best score, ties to the smaller node index) and its
    /// position in <paramref name="index"/>. False when a row's score is outside 0..100.
    /// </summary>
    private static bool BestByTaintCount<TStrategy>(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> index, int taintMask,
        CpuMemoryFit fit, Span<long> keys, Span<int> positions) where TStrategy : struct
    {
        long podMilliCpu = fit.PodMilliCpu, podMemory = fit.PodMemory, cpuWeight = fit.CpuWeight, memoryWeight = fit.MemoryWeight;
        long bothWeights = fit.BothWeights;
        ulong bothWeightsReciprocal = fit.BothWeightsReciprocal;
        int weightShift = BitOperations.IsPow2(bothWeights) ? BitOperations.Log2((ulong)bothWeights) : -1;
        ref NodeRow row0 = ref MemoryMarshal.GetReference(rows);
        ref long keys0 = ref MemoryMarshal.GetReference(keys);
        ref int positions0 = ref MemoryMarshal.GetReference(positions);
        Debug.Assert(keys.Length == MaxFusedTaintCount + 2 && positions.Length == keys.Length);
        for (int j = 0; j < index.Length; j++)
        {
            int i = index[j];
            if (!KeepBestByTaintCount<TStrategy>(in Unsafe.Add(ref row0, i), i, j, taintMask, podMilliCpu, podMemory, cpuWeight, memoryWeight,
                    bothWeights, bothWeightsReciprocal, weightShift, in fit, ref keys0, ref positions0))
                return false;
        }
        return true;
    }

    /// <summary>The rare row outside the fast path's range, out of the loop (which keeps its registers).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long ScoreOutOfLine(in CpuMemoryFit fit, in NodeRow row) => fit.Score(in row);

    private struct MostAllocatedTag;
    private struct LeastAllocatedTag;

    /// <summary>
    /// <see cref="SelectFromRows(ReadOnlySpan{NodeRow}, ReadOnlySpan{int}, ReadOnlySpan{long}, bool, CpuMemoryFit, long, out long)"/>
    /// for a fit score whose weights are small (<see cref="CpuMemoryFit.HasSmallWeights"/>): one
    /// instantiation per strategy, the score's inputs in registers, the exact divisions inline;
    /// rows outside <see cref="ExactDivision"/>'s range take <see cref="CpuMemoryFit.Score"/>.
    /// </summary>
    private static int SelectFromRows<TStrategy>(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> index, ReadOnlySpan<long> byTaints, int taintMask,
        CpuMemoryFit fit, long fitWeight, out long bestTotal) where TStrategy : struct
    {
        long podMilliCpu = fit.PodMilliCpu, podMemory = fit.PodMemory, cpuWeight = fit.CpuWeight, memoryWeight = fit.MemoryWeight;
        long bothWeights = fit.BothWeights;
        ulong bothWeightsReciprocal = fit.BothWeightsReciprocal;
        int weightShift = BitOperations.IsPow2(bothWeights) ? BitOperations.Log2((ulong)bothWeights) : -1;
        int best = -1, bestIndex = int.MaxValue;
        long bestSoFar = long.MinValue;
        ref NodeRow row0 = ref MemoryMarshal.GetReference(rows);
        ref long byTaints0 = ref MemoryMarshal.GetReference(byTaints);
        // Indices come from the filter loop (all < rows.Length); counts, masked, are at most the
        // caller's max (byTaints covers 0..max) or 0 when TaintToleration does not score.
        for (int j = 0; j < index.Length; j++)
        {
            int i = index[j];
            ref readonly NodeRow row = ref Unsafe.Add(ref row0, i);
            // Out-of-range scores are this general loop's to take as they are (as CpuMemoryFit.Score gives them).
            bool unused = true;
            long score = FastFitScore<TStrategy>(in row, podMilliCpu, podMemory, cpuWeight, memoryWeight, bothWeights, bothWeightsReciprocal, weightShift, in fit, ref unused);
            long total = Unsafe.Add(ref byTaints0, row.PreferNoScheduleTaints & taintMask) + score * fitWeight;
            // Ties to the smaller node index, i.e. the smaller name (as SelectBest).
            if (total > bestSoFar || (total == bestSoFar && i < bestIndex))
            {
                best = j;
                bestIndex = i;
                bestSoFar = total;
            }
        }
        bestTotal = bestSoFar;
        return best;
    }

    /// <summary>
    /// The loop of <see cref="TrySelectFromRows"/>: per feasible node its taint count's weighted
    /// normalized score (with the constant) from <paramref name="byTaints"/> plus the weighted fit
    /// score (<paramref name="fitWeight"/> 0: none); the highest total, ties to the smaller node index.
    /// </summary>
    private static int SelectFromRows(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> index, ReadOnlySpan<long> byTaints, bool taint,
        CpuMemoryFit fit, long fitWeight, out long bestTotal)
    {
        int best = -1, bestIndex = int.MaxValue;
        long bestSoFar = long.MinValue;
        ref NodeRow row0 = ref MemoryMarshal.GetReference(rows);
        // Indices come from the filter loop (all < rows.Length), counts from the rows (0..max, checked by the caller).
        for (int j = 0; j < index.Length; j++)
        {
            int i = index[j];
            ref readonly NodeRow row = ref Unsafe.Add(ref row0, i);
            long total = byTaints[taint ? row.PreferNoScheduleTaints : 0];
            if (fitWeight != 0) total += fit.Score(in row) * fitWeight;
            // Ties to the smaller node index, i.e. the smaller name (as SelectBest).
            if (total > bestSoFar || (total == bestSoFar && i < bestIndex))
            {
                best = j;
                bestIndex = i;
                bestSoFar = total;
            }
        }
        bestTotal = bestSoFar;
        return best;
    }

    private const int MaxFusedTaintCount = 64;

    /// <summary>Raw scores of one scorer over the feasible nodes.</summary>
    private static void ScoreNodes(PodInfo pod, IScorer scorer, ReadOnlySpan<NodeInfo> candidates, ReadOnlySpan<NodeRow> rows,
        ReadOnlySpan<int> nodeIndex, Span<long> into)
    {
        if (scorer is IScoreShortcut shortcut)
        {
            if (shortcut.AllZero)
            {
                // Fill, not Clear: Clear of a large span goes to a native memset that profiled slower here.
                into.Fill(0);
                return;
            }
            if (!rows.IsEmpty && shortcut.TryScoreRows(rows, nodeIndex, into)) return;
        }
        for (int j = 0; j < candidates.Length; j++) into[j] = scorer.Score(pod, candidates[j]);
    }
}
