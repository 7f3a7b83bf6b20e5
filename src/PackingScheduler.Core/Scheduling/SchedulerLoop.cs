using System.Diagnostics;
using System.Threading.Channels;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Queue;

namespace PackingScheduler.Core.Scheduling;

/// <summary>
/// Upstream's scheduleOne, top to bottom: pop a pod, decide under the cache lock, assume it on
/// the chosen node (so the next decision already counts it), and hand the binding to a bounded
/// pipeline so the loop never waits for the API server. A failed binding forgets the assumption
/// and requeues with backoff; a 409 or 404 forgets and drops. Nothing pending is lost: every pod
/// popped ends bound, requeued or deleted.
/// </summary>
public sealed class SchedulerLoop
{
    private readonly SchedulingQueue _queue;
    private readonly SchedulerCache _cache;
    private readonly SchedulingEngine _engine;
    private readonly IBinder _binder;
    private readonly ISchedulingReporter _reporter;
    private readonly ISchedulerMetrics _metrics;
    private readonly IClock _clock;
    private readonly int _bindConcurrency;
    private readonly Channel<BindRequest> _bindings;
    private long _inFlightBindings;

    // Started: the Stopwatch timestamp of the scheduling attempt, for the attempt duration.
    private sealed record BindRequest(QueuedPodInfo Pod, string NodeName, long Started);

    public SchedulerLoop(SchedulingQueue queue, SchedulerCache cache, SchedulingEngine engine, IBinder binder,
        ISchedulingReporter reporter, ISchedulerMetrics? metrics = null, IClock? clock = null,
        int bindConcurrency = 16, int bindQueueCapacity = 1024)
    {
        _queue = queue;
        _cache = cache;
        _engine = engine;
        _binder = binder;
        _reporter = reporter;
        _metrics = metrics ?? NoMetrics.Instance;
        _clock = clock ?? SystemClock.Instance;
        _bindConcurrency = bindConcurrency;
        // Bounded: when the API server is slow, the loop waits here rather than assuming without limit.
        _bindings = Channel.CreateBounded<BindRequest>(new BoundedChannelOptions(bindQueueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public long InFlightBindings => Interlocked.Read(ref _inFlightBindings);

    /// <summary>
    /// Schedules until <paramref name="stopScheduling"/> fires, then lets the bindings already
    /// decided finish (graceful drain) unless <paramref name="abortBindings"/> fires too.
    /// </summary>
    public async Task RunAsync(CancellationToken stopScheduling, CancellationToken abortBindings = default)
    {
        var workers = new Task[_bindConcurrency];
        for (int i = 0; i < workers.Length; i++) workers[i] = Task.Run(() => BindWorkerAsync(abortBindings), CancellationToken.None);
        try
        {
            while (!stopScheduling.IsCancellationRequested)
            {
                QueuedPodInfo? pod;
                try
                {
                    pod = await _queue.PopAsync(stopScheduling).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                if (pod is null) break; // queue closed
                await ScheduleOneAsync(pod, stopScheduling).ConfigureAwait(false);
            }
        }
        finally
        {
            _bindings.Writer.TryComplete();
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
    }

    /// <summary>One scheduling cycle for one popped pod.</summary>
    public async Task ScheduleOneAsync(QueuedPodInfo queued, CancellationToken cancellationToken)
    {
        long cycle = _queue.SchedulingCycle;
        long started = Stopwatch.GetTimestamp();
        // Upstream skipPodSchedule: an assumed pod can come back through an update event that
        // arrived during its previous cycle; its binding is under way or done.
        if (_cache.IsAssumed(queued.Key))
        {
            _queue.Done(queued.Key);
            return;
        }
        ScheduleResult result;
        try
        {
            result = _cache.Read(state =>
            {
                ScheduleResult r = _engine.Schedule(queued.PodInfo, state);
                if (r.Node is not null) _cache.AssumeLocked(state, queued.PodInfo, r.Node.Name);
                return r;
            });
        }
        catch (Exception e)
        {
            // An engine bug must not stop the scheduler, nor lose the pod.
            _metrics.Attempt("error", Stopwatch.GetElapsedTime(started));
            _reporter.FailedScheduling(queued.PodInfo, "SchedulerError", $"scheduling failed: {e.Message}");
            _queue.AddBackoff(queued, e.Message);
            return;
        }

        if (result.Node is null)
        {
            _metrics.Attempt("unschedulable", Stopwatch.GetElapsedTime(started));
            _reporter.FailedScheduling(queued.PodInfo, "Unschedulable", result.Message ?? "no node fits");
            _queue.AddUnschedulableIfNotPresent(queued, cycle, result.Message ?? string.Empty);
            return;
        }
        Interlocked.Increment(ref _inFlightBindings);
        try
        {
            await _bindings.Writer.WriteAsync(new BindRequest(queued, result.Node.Name, started), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // Shutting down before the binding was queued: undo the assumption, keep the pod pending.
            Interlocked.Decrement(ref _inFlightBindings);
            _cache.Forget(queued.Key);
            _queue.AddBackoff(queued, "scheduler stopping");
        }
    }

    private async Task BindWorkerAsync(CancellationToken abort)
    {
        await foreach (BindRequest req in _bindings.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                await BindOneAsync(req, abort).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlightBindings);
            }
        }
    }

    private async Task BindOneAsync(BindRequest req, CancellationToken abort)
    {
        QueuedPodInfo queued = req.Pod;
        if (!_cache.Read(state => state.FindNode(req.NodeName) is not null))
        {
            // The node was deleted while the binding waited here: the API server would still accept
            // it and leave the pod on a node that does not exist. Decide again instead.
            _metrics.Attempt("error", Stopwatch.GetElapsedTime(req.Started));
            _cache.Forget(queued.Key);
            _queue.AddBackoff(queued, $"node {req.NodeName} was deleted before the binding was sent");
            return;
        }
        long started = Stopwatch.GetTimestamp();
        BindOutcome outcome;
        string? error;
        try
        {
            (outcome, error) = await _binder.BindAsync(queued.PodInfo, req.NodeName, abort).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            (outcome, error) = (BindOutcome.Failed, e.Message);
        }
        _metrics.Binding(outcome.ToString(), Stopwatch.GetElapsedTime(started));
        switch (outcome)
        {
            case BindOutcome.Bound:
                // As upstream, an attempt counts as scheduled once bound; its duration includes the binding.
                _metrics.Attempt("scheduled", Stopwatch.GetElapsedTime(req.Started));
                _cache.FinishBinding(queued.Key, _clock.UtcNow);
                _queue.Done(queued.Key);
                _metrics.PodScheduled(queued.Attempts, _clock.UtcNow - queued.InitialAttemptTimestamp);
                _reporter.Scheduled(queued.PodInfo, req.NodeName);
                break;
            case BindOutcome.AlreadyBound:
            case BindOutcome.Gone:
                // Someone else bound it, or it was deleted: the watch brings the truth; nothing to retry.
                _metrics.Attempt("error", Stopwatch.GetElapsedTime(req.Started));
                _cache.Forget(queued.Key);
                _queue.Done(queued.Key);
                // What the assumption held is free again, as after a pod deletion: pods it kept out may fit now.
                _queue.MoveAllToActiveOrBackoff("AssignedPodDelete");
                break;
            default:
                _metrics.Attempt("error", Stopwatch.GetElapsedTime(req.Started));
                _cache.Forget(queued.Key);
                // An aborted binding (the lease is lost) is not this replica's to report any more.
                if (!abort.IsCancellationRequested) _reporter.FailedScheduling(queued.PodInfo, "SchedulerError", $"binding rejected: {error}");
                _queue.AddBackoff(queued, error);
                break;
        }
    }
}
