using PackingScheduler.Core.Scores;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// A discrete-event replay of a trace on one cluster, in virtual time (seconds, nothing sleeps).
/// </summary>
/// <remarks>
/// <para>
/// The queue behaves as the live scheduler's: an arriving job is tried at once; one that does not
/// fit waits. Waiting jobs are tried again, highest priority first and then in arrival order,
/// whenever a job finishes (the live queue moves unschedulable pods back to the active queue on a
/// pod-delete event). Placement takes no time: a job placed at t finishes at t + its run time.
/// Events at one instant are taken in this order: every job finishing at t, then one retry pass
/// over the waiting jobs, then the jobs arriving at t in trace order.
/// </para>
/// <para>
/// A retry pass skips a job whose cpu and memory are both at least those of a job that failed
/// earlier in the same pass (placements in between only take capacity away), and a job that no
/// node freed since the last pass has room for (every other node rejected it before and has not
/// gained anything since): trace jobs differ in nothing but their requests, so the engine would
/// reject it. This keeps a pass at a handful of scheduling cycles however long the queue is, and
/// changes no outcome.
/// </para>
/// </remarks>
public sealed class ReplaySimulator
{
    /// <summary>Jobs of exactly this cpu are the 8-core (multicore) pilots the figures are about.</summary>
    public const long MulticoreMilliCpu = SlotBestFitScore.SlotMilliCpu;

    public const long SingleCoreMilliCpu = 1000;
    public const int DefaultBuckets = 288;

    private readonly ReplayTrace _trace;
    private readonly IReplayCluster _cluster;
    private readonly IReadOnlyList<TracePod> _pods;
    private readonly long[] _start;
    private readonly bool[] _onArrival;
    private readonly PriorityQueue<int, (long Time, int Pod)> _completions = new();
    private readonly WaitQueue _queue;

    // The running jobs of the real cluster, as the repacking bound sees them: whether a waiting
    // 8-core pilot would have fit had the cluster been defragmented at that moment.
    private readonly RepackingBound? _shadow;
    private int _multicoreRepackable;
    private readonly List<(long MilliCpu, long Memory)> _failedShapes = new();
    private readonly List<(long Time, int WaitingMulticore, long Busy)> _steps = new();

    private int _waitingMulticore;
    private int _measuredWaiting;
    private long _decisions;

    // Integrals over the measured window, in (millicores or counts) × seconds.
    private readonly long _windowStart;
    private long _windowEnd;
    private double _strandedMilliSeconds;
    private double _busyMilliSeconds;
    private double _nodeSeconds;
    private double _waitingMulticoreSeconds;
    private int _nodesUsedMax;

    // Tests turn the shortcuts of a retry pass off, to show they change nothing.
    private readonly bool _exhaustive;

    private ReplaySimulator(ReplayTrace trace, IReplayCluster cluster, bool exhaustive = false)
    {
        _exhaustive = exhaustive;
        _trace = trace;
        _cluster = cluster;
        _pods = trace.Pods;
        _start = new long[_pods.Count];
        Array.Fill(_start, -1);
        _onArrival = new bool[_pods.Count];
        _queue = new WaitQueue(_pods);
        _shadow = cluster is RepackingBound ? null : new RepackingBound(trace);
        _windowStart = trace.MeasureFrom;
        _windowEnd = trace.MeasureUntil ?? long.MaxValue;
    }

    /// <summary>Replays <paramref name="trace"/> on <paramref name="cluster"/> (fresh, empty) and returns the figures.</summary>
    public static StrategyResult Run(string name, ReplayTrace trace, IReplayCluster cluster, int buckets = DefaultBuckets)
    {
        var sim = new ReplaySimulator(trace, cluster);
        sim.Loop();
        return sim.Result(name, buckets);
    }

    /// <summary>When each job started (seconds), −1 for one never placed; for tests.</summary>
    internal static long[] StartTimes(ReplayTrace trace, IReplayCluster cluster, bool exhaustive = false)
    {
        var sim = new ReplaySimulator(trace, cluster, exhaustive);
        sim.Loop();
        return sim._start;
    }

    private void Loop()
    {
        for (int i = 0; i < _pods.Count; i++)
        {
            if (_trace.IsMeasured(_pods[i].Arrival)) _measuredWaiting++;
        }
        _steps.Add((0, 0, 0));
        long previous = 0;
        int next = 0;
        while (true)
        {
            long now = long.MaxValue;
            if (next < _pods.Count) now = _pods[next].Arrival;
            if (_completions.TryPeek(out _, out var first) && first.Time < now) now = first.Time;
            if (now == long.MaxValue) break;
            // Past the window with every measured job placed, nothing left can change a figure.
            if (now >= _windowEnd && _measuredWaiting == 0) break;
            Integrate(previous, now);
            previous = now;

            bool freed = false;
            while (_completions.TryPeek(out int done, out var at) && at.Time == now)
            {
                _completions.Dequeue();
                _cluster.Remove(done);
                _shadow?.Remove(done);
                freed = true;
            }
            if (freed && _queue.Count > 0) RetryPass(now);
            _cluster.ForgetRemovals();

            for (; next < _pods.Count && _pods[next].Arrival == now; next++)
            {
                _decisions++;
                if (_cluster.TryPlace(next))
                {
                    _onArrival[next] = true;
                    Started(next, now);
                }
                else
                {
                    _queue.Add(next);
                    if (_pods[next].MilliCpu == MulticoreMilliCpu)
                    {
                        _waitingMulticore++;
                        if (_shadow?.Fits(next) == true && _trace.IsMeasured(now)) _multicoreRepackable++;
                    }
                }
            }
            _steps.Add((now, _waitingMulticore, _cluster.BusyMilliCpu));
        }
        if (_windowEnd == long.MaxValue) _windowEnd = Math.Max(previous, _windowStart);
        else Integrate(previous, _windowEnd);
    }

    private void RetryPass(long now)
    {
        _failedShapes.Clear();
        for (int i = 0; i < _queue.Count; i++)
        {
            int pod = _queue[i];
            TracePod p = _pods[pod];
            if (!_exhaustive && (Dominated(p) || !_cluster.MightFitAfterRemovals(pod))) continue;
            _decisions++;
            if (_cluster.TryPlace(pod))
            {
                if (p.MilliCpu == MulticoreMilliCpu) _waitingMulticore--;
                Started(pod, now);
            }
            else
            {
                _failedShapes.Add((p.MilliCpu, p.Memory));
            }
        }
        _queue.RemoveWhere(pod => _start[pod] >= 0);
    }

    private bool Dominated(TracePod p)
    {
        foreach ((long cpu, long memory) in _failedShapes)
        {
            if (p.MilliCpu >= cpu && p.Memory >= memory) return true;
        }
        return false;
    }

    private void Started(int pod, long now)
    {
        _start[pod] = now;
        _shadow?.Add(pod);
        _completions.Enqueue(pod, (now + _pods[pod].Duration, pod));
        if (_trace.IsMeasured(_pods[pod].Arrival)) _measuredWaiting--;
    }

    /// <summary>Adds the state held over [from, to) (the state after the events at from), clipped to the window.</summary>
    private void Integrate(long from, long to)
    {
        long a = Math.Max(from, _windowStart), b = Math.Min(to, _windowEnd);
        if (b <= a) return;
        double seconds = b - a;
        _busyMilliSeconds += _cluster.BusyMilliCpu * seconds;
        int nodes = _cluster.NodesInUse;
        _nodeSeconds += nodes * seconds;
        if (nodes > _nodesUsedMax) _nodesUsedMax = nodes;
        _waitingMulticoreSeconds += _waitingMulticore * seconds;
        if (_waitingMulticore > 0) _strandedMilliSeconds += _cluster.StrandedMilliCpu * seconds;
    }

    private StrategyResult Result(string name, int buckets)
    {
        var byClass = new List<long>[_trace.Classes.Count];
        var arrivedByClass = new int[_trace.Classes.Count];
        var onArrivalByClass = new int[_trace.Classes.Count];
        for (int c = 0; c < byClass.Length; c++) byClass[c] = new List<long>();
        var multicore = new List<long>();
        var single = new List<long>();
        int multicoreCount = 0, multicoreOnArrival = 0, singleCount = 0, singleOnArrival = 0;
        var unplacedByClass = new int[_trace.Classes.Count];
        int multicoreUnplaced = 0, singleUnplaced = 0;
        for (int i = 0; i < _pods.Count; i++)
        {
            TracePod p = _pods[i];
            if (!_trace.IsMeasured(p.Arrival)) continue;
            bool isMulticore = p.MilliCpu == MulticoreMilliCpu, isSingle = p.MilliCpu == SingleCoreMilliCpu;
            arrivedByClass[p.ClassId]++;
            if (isMulticore) multicoreCount++;
            if (isSingle) singleCount++;
            if (_start[i] < 0)
            {
                unplacedByClass[p.ClassId]++;
                if (isMulticore) multicoreUnplaced++;
                if (isSingle) singleUnplaced++;
                continue;
            }
            long wait = _start[i] - p.Arrival;
            byClass[p.ClassId].Add(wait);
            if (_onArrival[i]) onArrivalByClass[p.ClassId]++;
            if (isMulticore)
            {
                multicore.Add(wait);
                if (_onArrival[i]) multicoreOnArrival++;
            }
            if (isSingle)
            {
                single.Add(wait);
                if (_onArrival[i]) singleOnArrival++;
            }
        }
        var classes = new List<ClassResult>(byClass.Length);
        for (int c = 0; c < byClass.Length; c++)
            classes.Add(Summarize(_trace.Classes[c], byClass[c], arrivedByClass[c], onArrivalByClass[c], unplacedByClass[c]));
        ClassResult mc = Summarize("8-core", multicore, multicoreCount, multicoreOnArrival, multicoreUnplaced);
        // The bound itself has no fragmentation: what it places on arrival is all it could.
        int repackable = _shadow is null ? multicoreOnArrival : multicoreOnArrival + _multicoreRepackable;
        double window = Math.Max(1, _windowEnd - _windowStart);
        return new StrategyResult
        {
            Name = name,
            MulticorePlacedOnArrival = mc.PlacedOnArrival,
            MulticoreRepackableOnArrival = multicoreCount == 0 ? null : (double)repackable / multicoreCount,
            Multicore = mc,
            SingleCore = Summarize("1-core", single, singleCount, singleOnArrival, singleUnplaced),
            Classes = classes,
            StrandedCoreHours = _strandedMilliSeconds / 1000.0 / 3600.0,
            NodesUsedMax = _nodesUsedMax,
            NodesUsedMean = _nodeSeconds / window,
            UtilizationMean = _busyMilliSeconds / window / Math.Max(1, _cluster.TotalMilliCpu),
            MulticoreWaitingMean = _waitingMulticoreSeconds / window,
            TotalMilliCpu = _cluster.TotalMilliCpu,
            WindowStart = _windowStart,
            WindowEnd = _windowEnd,
            Decisions = _decisions,
            Series = Series(buckets),
        };
    }

    private static ClassResult Summarize(string name, List<long> waits, int count, int onArrival, int unplaced)
    {
        waits.Sort();
        double sum = 0;
        foreach (long w in waits) sum += w;
        return new ClassResult(name, count, unplaced,
            count == 0 ? null : (double)onArrival / count,
            Percentile.NearestRank(waits, 0.50),
            Percentile.NearestRank(waits, 0.95),
            waits.Count == 0 ? null : sum / waits.Count);
    }

    /// <summary>Time averages of the step function recorded after each event instant, over equal buckets of the window.</summary>
    private TimeSeries Series(int buckets)
    {
        long span = Math.Max(1, _windowEnd - _windowStart);
        buckets = (int)Math.Max(1, Math.Min(buckets, span));
        long width = (span + buckets - 1) / buckets;
        buckets = (int)((span + width - 1) / width);
        var waiting = new double[buckets];
        var utilization = new double[buckets];
        double total = Math.Max(1, _cluster.TotalMilliCpu);
        for (int s = 0; s < _steps.Count; s++)
        {
            long from = Math.Max(_steps[s].Time, _windowStart);
            long to = Math.Min(s + 1 < _steps.Count ? _steps[s + 1].Time : _windowEnd, _windowEnd);
            while (from < to)
            {
                int bucket = (int)((from - _windowStart) / width);
                long bucketEnd = Math.Min(_windowStart + (bucket + 1) * width, to);
                double part = bucketEnd - from;
                waiting[bucket] += _steps[s].WaitingMulticore * part;
                utilization[bucket] += _steps[s].Busy / total * part;
                from = bucketEnd;
            }
        }
        for (int b = 0; b < buckets; b++)
        {
            long bucketSpan = Math.Min(width, _windowEnd - (_windowStart + b * width));
            waiting[b] /= bucketSpan;
            utilization[b] /= bucketSpan;
        }
        return new TimeSeries(_windowStart, width, waiting, utilization);
    }
}
