using System.Runtime.ExceptionServices;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Engine;

/// <summary>
/// Filters a run of ring positions of the node list on several threads: positions are cut into
/// chunks that the calling thread and thread-pool helpers claim one at a time, each writing only
/// its own nodes' verdicts. The caller then walks the positions in ring order, exactly as the
/// sequential loop does, so the outcome (feasible set, processed count, messages) cannot depend on
/// the threads. If no helper gets a thread, the caller does every chunk itself. No allocation
/// per run: the helpers are this object, queued again each run; a run is identified by an epoch
/// so that a helper arriving late finds nothing left to claim.
/// </summary>
internal sealed class ParallelNodeFilter : IThreadPoolWorkItem
{
    private const int ChunkSize = 128;

    private readonly SchedulingEngine _engine;
    private readonly int _helpers;

    // The run, published before the epoch is.
    private PodInfo? _pod;
    private NodeInfo[]? _nodes;
    private NodeRow[]? _rows;
    private FilterResult[]? _failures;
    private int[]? _failedBy;
    private int _c, _start, _k0, _count, _chunks;

    // High 32 bits: the run's epoch; low 32: the next chunk to claim.
    private long _state;
    private int _done;
    private ExceptionDispatchInfo? _error;

    public ParallelNodeFilter(SchedulingEngine engine, int workers)
    {
        _engine = engine;
        _helpers = Math.Max(0, workers - 1);
    }

    /// <summary>Filters ring positions [k0, k0 + count) of the <paramref name="c"/> nodes starting at <paramref name="start"/>.</summary>
    public void Run(PodInfo pod, NodeTable table, int c, int start, int k0, int count, FilterResult[] failures, int[] failedBy)
    {
        _pod = pod;
        _nodes = table.NodeArray;
        _rows = table.RowArray;
        _failures = failures;
        _failedBy = failedBy;
        _c = c;
        _start = start;
        _k0 = k0;
        _count = count;
        _chunks = (count + ChunkSize - 1) / ChunkSize;
        _error = null;
        Volatile.Write(ref _done, 0);
        long epoch = (Volatile.Read(ref _state) >> 32) + 1;
        Volatile.Write(ref _state, epoch << 32);

        int helpers = Math.Min(_helpers, _chunks - 1);
        for (int h = 0; h < helpers; h++) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        Work();
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) < _chunks) spin.SpinOnce();
        _pod = null;
        _error?.Throw();
    }

    void IThreadPoolWorkItem.Execute() => Work();

    private void Work()
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            int chunk = (int)(state & 0xFFFFFFFF);
            if (chunk >= Volatile.Read(ref _chunks)) return;
            if (Interlocked.CompareExchange(ref _state, state + 1, state) != state) continue;
            try
            {
                FilterChunk(chunk);
            }
            catch (Exception e)
            {
                _error ??= ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                Interlocked.Increment(ref _done);
            }
        }
    }

    private void FilterChunk(int chunk)
    {
        PodInfo pod = _pod!;
        NodeInfo[] nodes = _nodes!;
        NodeRow[] rows = _rows!;
        FilterResult[] failures = _failures!;
        int[] failedBy = _failedBy!;
        int c = _c;
        int from = _k0 + chunk * ChunkSize;
        int to = Math.Min(_k0 + _count, from + ChunkSize);
        int i = _start + from;
        if (i >= c) i -= c;
        for (int k = from; k < to; k++)
        {
            int f = _engine.FilterRow(pod, nodes[i], in rows[i], out FilterResult r);
            failedBy[i] = f;
            if (f >= 0) failures[i] = r;
            if (++i == c) i = 0;
        }
    }
}
