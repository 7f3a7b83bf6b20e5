using PackingScheduler.Core.Model;
using PackingScheduler.Core.Scores;
using PackingScheduler.Core.Translation;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// The offline reference: a cluster that can move every running job at no cost at every
/// decision, so fragmentation never exists. A job fits when some arrangement of all running jobs
/// and it on the nodes exists, judged on cpu alone. For every size s among the trace's requests
/// (and 8 cores), the jobs of at least s cores must fit in the nodes of at least s cores:
/// Σ{requests ≥ s} ≤ Σ{allocatable of nodes ≥ s}. That condition is necessary for any placement,
/// so this cluster admits at least what any real placement could at the same moment; when the
/// request sizes divide each other and the node sizes (1, 8, 16, 32, 64 cores on 8, 16, 32 and
/// 64-core nodes) it is also sufficient (first-fit decreasing never fails then), and this is
/// exactly a scheduler with free, perfect defragmentation.
/// </summary>
public sealed class RepackingBound : IReplayCluster
{
    private readonly ReplayTrace _trace;
    private readonly long[] _sizes;           // distinct request sizes and the slot, largest first
    private readonly long[] _capacityAtLeast; // Σ allocatable of nodes with ≥ _sizes[k]
    private readonly long[] _runningAtLeast;  // Σ requests of running jobs with ≥ _sizes[k]
    private readonly int[] _sizeIndex;        // per job: k with _sizes[k] == its request
    private readonly int _slotIndex;
    private readonly long[] _largestFirstPrefix; // node capacities sorted largest first, prefix sums

    public RepackingBound(ReplayTrace trace)
    {
        _trace = trace;
        var translator = new ObjectTranslator(new Interner());
        var capacities = new long[trace.Nodes.Count];
        for (int i = 0; i < capacities.Length; i++)
        {
            capacities[i] = translator.TranslateNode(trace.Nodes[i]).Allocatable.MilliCpu;
            TotalMilliCpu += capacities[i];
        }
        var sizes = new SortedSet<long>(Comparer<long>.Create(static (a, b) => b.CompareTo(a))) { SlotBestFitScore.SlotMilliCpu };
        foreach (TracePod p in trace.Pods) sizes.Add(p.MilliCpu);
        _sizes = new long[sizes.Count];
        sizes.CopyTo(_sizes);
        _capacityAtLeast = new long[_sizes.Length];
        _runningAtLeast = new long[_sizes.Length];
        for (int k = 0; k < _sizes.Length; k++)
        {
            foreach (long c in capacities)
            {
                if (c >= _sizes[k]) _capacityAtLeast[k] += c;
            }
        }
        _sizeIndex = new int[trace.Pods.Count];
        for (int i = 0; i < _sizeIndex.Length; i++) _sizeIndex[i] = Array.IndexOf(_sizes, trace.Pods[i].MilliCpu);
        _slotIndex = Array.IndexOf(_sizes, SlotBestFitScore.SlotMilliCpu);
        Array.Sort(capacities, static (a, b) => b.CompareTo(a));
        _largestFirstPrefix = new long[capacities.Length + 1];
        for (int i = 0; i < capacities.Length; i++) _largestFirstPrefix[i + 1] = _largestFirstPrefix[i] + capacities[i];
    }

    public long TotalMilliCpu { get; }
    public long BusyMilliCpu { get; private set; }

    /// <summary>The fewest nodes whose capacity holds the running jobs' cpu: a lower bound on nodes in use.</summary>
    public int NodesInUse
    {
        get
        {
            int lo = 0, hi = _largestFirstPrefix.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (_largestFirstPrefix[mid] >= BusyMilliCpu) hi = mid;
                else lo = mid + 1;
            }
            return lo;
        }
    }

    /// <summary>
    /// Free cpu that even a perfect repacking cannot turn into 8-core slots: the free cpu minus
    /// 8 cores × the number of 8-core pilots that would still fit.
    /// </summary>
    public long StrandedMilliCpu
    {
        get
        {
            long slots = long.MaxValue;
            for (int k = _slotIndex; k < _sizes.Length; k++)
                slots = Math.Min(slots, (_capacityAtLeast[k] - _runningAtLeast[k]) / SlotBestFitScore.SlotMilliCpu);
            return TotalMilliCpu - BusyMilliCpu - slots * SlotBestFitScore.SlotMilliCpu;
        }
    }

    public bool TryPlace(int pod)
    {
        if (!Fits(pod)) return false;
        Add(pod);
        return true;
    }

    /// <summary>Whether the job would fit now with every running job moved as needed.</summary>
    public bool Fits(int pod)
    {
        long r = _trace.Pods[pod].MilliCpu;
        // Sizes are largest first: the constraints the job enters are those of sizes ≤ its own.
        for (int k = _sizeIndex[pod]; k < _sizes.Length; k++)
        {
            if (_runningAtLeast[k] + r > _capacityAtLeast[k]) return false;
        }
        return true;
    }

    /// <summary>Counts the job as running, unchecked: for mirroring a real cluster's placements, which always fit here.</summary>
    public void Add(int pod)
    {
        long r = _trace.Pods[pod].MilliCpu;
        for (int k = _sizeIndex[pod]; k < _sizes.Length; k++) _runningAtLeast[k] += r;
        BusyMilliCpu += r;
    }

    /// <summary>The bound's check is a few additions: it is simply made again.</summary>
    public bool MightFitAfterRemovals(int pod) => true;

    public void ForgetRemovals() { }

    public void Remove(int pod)
    {
        long r = _trace.Pods[pod].MilliCpu;
        for (int k = _sizeIndex[pod]; k < _sizes.Length; k++) _runningAtLeast[k] -= r;
        BusyMilliCpu -= r;
    }
}
