using System.Diagnostics;
using System.Threading.Channels;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Preemption;
using PackingScheduler.Core.Queue;

namespace PackingScheduler.Core.Scheduling;

/// <summary>
/// Upstream's scheduleOne, top to bottom: pop a pod, decide under the cache lock, assume it on
/// the chosen node (so the next decision already counts it), and hand the binding to a bounded
/// pipeline so the loop never waits for the API server. A failed binding forgets the assumption
/// and requeues with backoff; a 409 or 404 forgets and drops. Nothing pending is lost: every pod
/// popped ends bound, requeued or deleted.
/// <para>
/// A pod that fits nowhere may preempt (upstream's DefaultPreemption PostFilter, when the profile
/// has it and the loop was given an <see cref="IPreemptionExecutor"/>): under the cache lock the
/// dry run chooses a node and victims, the pod is nominated there (so smaller pods cannot take the
/// room while the victims terminate), lower-priority pods nominated there lose their nomination,
/// and the victims are marked terminating (they hold their node until the watch sees them go).
/// Outside the lock the victims are evicted; the pod is reported unschedulable with
/// status.nominatedNodeName set and waits in the unschedulable pool until the deletions move it
/// back, to try its nominated node first. A failed eviction drops the nomination and backs off.
/// </para>
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
    private readonly IPreemptionExecutor? _executor;
    private readonly DefaultPreemption? _preemption;
    private long _inFlightBindings;

    // Started: the Stopwatch timestamp of the scheduling attempt, for the attempt duration.
    private sealed record BindRequest(QueuedPodInfo Pod, string NodeName, long Started);

    // What the PostFilter decided under the lock, to be carried out after it. Evict: the victims
    // not already terminating (the others need no API call); Cleared: the pod had a nomination
    // the failed preemption cleared (its status is to be cleared too).
    private sealed record PostFilterOutcome(PreemptionResult Result, IReadOnlyList<PodInfo> Evict, bool Cleared);

    public SchedulerLoop(SchedulingQueue queue, SchedulerCache cache, SchedulingEngine engine, IBinder binder,
        ISchedulingReporter reporter, ISchedulerMetrics? metrics = null, IClock? clock = null,
        int bindConcurrency = 16, int bindQueueCapacity = 1024, IPreemptionExecutor? preemptionExecutor = null)
    {
        _queue = queue;
        _cache = cache;
        _engine = engine;
        _binder = binder;
        _reporter = reporter;
        _metrics = metrics ?? NoMetrics.Instance;
        _clock = clock ?? SystemClock.Instance;
        _bindConcurrency = bindConcurrency;
        // Without an executor the loop has no way to evict, so it does not preempt.
        _executor = preemptionExecutor;
        _preemption = preemptionExecutor is not null && engine.Profile.Preemption ? new DefaultPreemption(engine) : null;
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
        PostFilterOutcome? postFilter = null;
        try
        {
            result = _cache.Read(state =>
            {
                postFilter = null;
                ScheduleResult r = _engine.Schedule(queued.PodInfo, state);
                if (r.Node is not null)
                {
                    // Upstream assume: a nominated pod placed no longer holds room on its nominated node.
                    state.RemoveNomination(queued.Key);
                    _cache.AssumeLocked(state, queued.PodInfo, r.Node.Name);
                }
                else if (_preemption is not null)
                {
                    postFilter = PostFilterLocked(state, queued.PodInfo, r);
                }
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
            if (postFilter is not null)
            {
                await FinishPostFilterAsync(queued, cycle, started, result, postFilter, cancellationToken).ConfigureAwait(false);
                return;
            }
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
                // Upstream clears the nomination of a pod whose binding failed (NominatedNodeName "").
                string? hadNomination = queued.PodInfo.NominatedNodeName;
                queued.PodInfo.NominatedNodeName = null;
                // An aborted binding (the lease is lost) is not this replica's to report any more.
                if (!abort.IsCancellationRequested)
                    _reporter.FailedScheduling(queued.PodInfo, "SchedulerError", $"binding rejected: {error}", hadNomination is null ? null : "");
                _queue.AddBackoff(queued, error);
                break;
        }
    }
    // ---- Preemption (upstream DefaultPreemption's PostFilter and handleSchedulingFailure) ----

    /// <summary>
    /// Under the cache lock: the dry run, and on a candidate the state changes that must happen
    /// before anything else is decided: the pod nominated on the node, lower-priority nominations
    /// there dropped, the victims marked terminating. On no candidate the pod's nomination is
    /// cleared, unless the pod was merely not eligible (upstream leaves it then).
    /// </summary>
    private PostFilterOutcome PostFilterLocked(ClusterState state, PodInfo pod, ScheduleResult failed)
    {
        _metrics.PreemptionAttempt();
        PreemptionResult p = _preemption!.Preempt(pod, state, failed);
        if (p.Chosen is { } chosen)
        {
            string node = chosen.Node.Name;
            state.Nominate(pod, node);
            foreach (PodInfo lower in p.LowerPriorityNominated)
            {
                state.RemoveNomination(lower.Key);
                lower.NominatedNodeName = null;
            }
            var evict = new List<PodInfo>(chosen.Victims.Count);
            foreach (PodInfo victim in chosen.Victims)
            {
                // Upstream: graceful deletion already started, no API call needed.
                if (victim.Terminating) continue;
                victim.Terminating = true;
                victim.TerminatingByPreemption = true;
                evict.Add(victim);
            }
            return new PostFilterOutcome(p, evict, Cleared: false);
        }
        bool notEligible = !p.Eligible;
        bool cleared = false;
        if (!notEligible && pod.NominatedNodeName is not null)
        {
            state.RemoveNomination(pod.Key);
            pod.NominatedNodeName = null;
            cleared = true;
        }
        return new PostFilterOutcome(p, Array.Empty<PodInfo>(), cleared);
    }

    /// <summary>After the lock: evict the victims, report, and requeue the pod.</summary>
    private async Task FinishPostFilterAsync(QueuedPodInfo queued, long cycle, long started, ScheduleResult result,
        PostFilterOutcome postFilter, CancellationToken cancellationToken)
    {
        PodInfo pod = queued.PodInfo;
        string fitMessage = result.Message ?? "no node fits";
        PreemptionResult p = postFilter.Result;
        if (p.Chosen is not { } chosen)
        {
            string message = p.Message is null ? fitMessage : fitMessage + " " + p.Message;
            _metrics.Attempt("unschedulable", Stopwatch.GetElapsedTime(started));
            _reporter.FailedScheduling(pod, "Unschedulable", message, postFilter.Cleared ? "" : null);
            _queue.AddUnschedulableIfNotPresent(queued, cycle, message);
            SyncNomination(queued.Key);
            return;
        }

        string node = chosen.Node.Name;
        var evictions = new Task<(PreemptOutcome Outcome, string? Error)>[postFilter.Evict.Count];
        for (int i = 0; i < evictions.Length; i++) evictions[i] = EvictAsync(pod, postFilter.Evict[i], node, cancellationToken);
        (PreemptOutcome Outcome, string? Error)[] outcomes = await Task.WhenAll(evictions).ConfigureAwait(false);

        var failed = new List<(PodInfo Victim, string? Error)>();
        for (int i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i].Outcome == PreemptOutcome.Failed) failed.Add((postFilter.Evict[i], outcomes[i].Error));
        }
        if (failed.Count > 0)
        {
            // Upstream returns an error status: no nomination, and the pod retries after backoff.
            _cache.Write(state =>
            {
                state.RemoveNomination(queued.Key);
                pod.NominatedNodeName = null;
                foreach ((PodInfo victim, _) in failed)
                {
                    // Still running as far as anyone knows: it must not make a preemptor wait for it.
                    victim.Terminating = victim.TerminatingByPreemption = false;
                    if (state.FindPod(victim.Key) is { } current && current.Uid == victim.Uid)
                        current.Terminating = current.TerminatingByPreemption = false;
                }
            });
            string error = $"preemption: evicting {failed[0].Victim.Key} failed: {failed[0].Error}"
                           + (failed.Count > 1 ? $" (and {failed.Count - 1} more victims)" : "");
            _metrics.Attempt("error", Stopwatch.GetElapsedTime(started));
            if (!cancellationToken.IsCancellationRequested) _reporter.FailedScheduling(pod, "SchedulerError", fitMessage + " " + error);
            _queue.AddBackoff(queued, error);
            SyncNomination(queued.Key);
            return;
        }

        _metrics.PreemptionVictims(chosen.Victims.Count);
        foreach (PodInfo lower in p.LowerPriorityNominated) _reporter.ClearNomination(lower);
        // Upstream: the fit error without a PostFilter message, and the nomination in the same status patch.
        _metrics.Attempt("unschedulable", Stopwatch.GetElapsedTime(started));
        _reporter.FailedScheduling(pod, "Unschedulable", fitMessage, node);
        _queue.AddUnschedulableIfNotPresent(queued, cycle, fitMessage);
        SyncNomination(queued.Key);
    }

    private async Task<(PreemptOutcome Outcome, string? Error)> EvictAsync(PodInfo preemptor, PodInfo victim, string node, CancellationToken cancellationToken)
    {
        try
        {
            return await _executor!.PreemptAsync(preemptor, victim, node, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return (PreemptOutcome.Failed, e.Message);
        }
    }

    /// <summary>
    /// After a requeue: the nomination in the state must name the pod object the queue holds (an
    /// update that arrived in flight replaced it), and a pod the queue no longer holds (deleted or
    /// bound meanwhile) keeps no nomination.
    /// </summary>
    private void SyncNomination(string key)
    {
        _cache.Write(state =>
        {
            if (state.FindNominated(key) is not { } nominated) return;
            PodInfo? current = _queue.Get(key)?.PodInfo;
            if (current is null) state.RemoveNomination(key);
            else if (!ReferenceEquals(current, nominated)) state.Nominate(current, nominated.NominatedNodeName!);
        });
    }
}
