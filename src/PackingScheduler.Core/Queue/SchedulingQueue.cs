using System.Diagnostics;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Queue;

/// <summary>
/// The pending pods, as upstream's PriorityQueue (pkg/scheduler/backend/queue/scheduling_queue.go)
/// keeps them, in its behaviour without queueing hints:
/// <list type="bullet">
/// <item>activeQ: a heap of pods ready to be tried, highest priority first (PrioritySort);</item>
/// <item>backoffQ: a heap of pods waiting out their backoff, earliest expiry first;</item>
/// <item>unschedulable pool: pods whose last attempt failed, waiting for a cluster event or
/// for <see cref="SchedulingQueueOptions.PodMaxInUnschedulablePodsDuration"/>;</item>
/// <item>in flight: pods popped and being scheduled.</item>
/// </list>
/// Every pod added is in exactly one of those until <see cref="Delete"/> or <see cref="Done"/>,
/// so a pending pod is never forgotten. Thread-safe: one lock guards everything; waiting
/// poppers are parked outside it. Time comes only from the injected <see cref="IClock"/>.
/// </summary>
[DebuggerDisplay("active={_activeQ.Count} backoff={_backoffQ.Count} unschedulable={_unschedulable.Count} inFlight={_inFlight.Count}")]
public sealed class SchedulingQueue
{
    private readonly object _lock = new();
    private readonly IClock _clock;
    private readonly SchedulingQueueOptions _options;

    private readonly PodHeap _activeQ = new(CompareActive);
    private readonly PodHeap _backoffQ = new(CompareBackoff);
    private readonly Dictionary<string, QueuedPodInfo> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Every pod the queue is responsible for, wherever it is: the key index.</summary>
    private readonly Dictionary<string, QueuedPodInfo> _pods = new(StringComparer.Ordinal);

    /// <summary>Parked PopAsync calls, served first come first served.</summary>
    private readonly LinkedList<TaskCompletionSource<QueuedPodInfo?>> _waiters = new();

    /// <summary>Cancelled by Close so that RunAsync's loops stop, as upstream's stop channel does.</summary>
    private readonly CancellationTokenSource _closing = new();

    /// <summary>Incremented by each pop: the number of the cycle that tries the popped pod.</summary>
    private long _schedulingCycle;

    /// <summary>
    /// The scheduling cycle current when the last move request (cluster event) arrived. A pod
    /// whose attempt started at or before it may have missed that event, so it goes to backoff
    /// instead of the unschedulable pool. -1: no request yet (upstream's initial value).
    /// </summary>
    private long _moveRequestCycle = -1;

    private bool _closed;

    public SchedulingQueue(IClock? clock = null, SchedulingQueueOptions? options = null)
    {
        _clock = clock ?? SystemClock.Instance;
        _options = options ?? new SchedulingQueueOptions();
        _options.Validate();
    }

    public SchedulingQueueOptions Options => _options;

    /// <summary>All pods the queue holds: active + backoff + unschedulable + in flight.</summary>
    public int Count
    {
        get { lock (_lock) return _pods.Count; }
    }

    /// <summary>Sizes of the three queues, for scheduler_pending_pods{queue}.</summary>
    public (int Active, int Backoff, int Unschedulable) PendingCounts
    {
        get { lock (_lock) return (_activeQ.Count, _backoffQ.Count, _unschedulable.Count); }
    }

    /// <summary>Pods popped and not yet requeued or done.</summary>
    public int InFlightCount
    {
        get { lock (_lock) return _inFlight.Count; }
    }

    /// <summary>The number of the latest scheduling cycle (upstream SchedulingCycle()).</summary>
    public long SchedulingCycle
    {
        get { lock (_lock) return _schedulingCycle; }
    }

    public bool IsClosed
    {
        get { lock (_lock) return _closed; }
    }

    /// <summary>Whether the queue holds the pod, in any queue or in flight.</summary>
    public bool Contains(string key)
    {
        lock (_lock) return _pods.ContainsKey(key);
    }

    public QueueLocation GetLocation(string key)
    {
        lock (_lock) return _pods.TryGetValue(key, out QueuedPodInfo? p) ? p.Location : QueueLocation.None;
    }

    /// <summary>The queued pod with that key, for debugging and the cache dumper (upstream GetPod).</summary>
    public QueuedPodInfo? Get(string key)
    {
        lock (_lock) return _pods.GetValueOrDefault(key);
    }

    /// <summary>
    /// Upstream calculateBackoffDuration: no backoff before the first attempt, then the initial
    /// backoff doubled per further attempt, capped at the maximum.
    /// </summary>
    public TimeSpan GetBackoffDuration(int attempts)
    {
        if (attempts <= 0) return TimeSpan.Zero;
        long duration = _options.PodInitialBackoff.Ticks;
        long max = _options.PodMaxBackoff.Ticks;
        for (int i = 1; i < attempts; i++)
        {
            // Compare by subtraction so the doubling cannot overflow (as upstream does).
            if (duration > max - duration) return _options.PodMaxBackoff;
            duration += duration;
        }
        return TimeSpan.FromTicks(duration);
    }

    /// <summary>
    /// A new pending pod: straight to activeQ. A pod the queue already holds (a re-listed add) is
    /// treated as an update, so it keeps its attempts and is never duplicated.
    /// </summary>
    public void Add(PodInfo pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        lock (_lock)
        {
            if (_pods.ContainsKey(pod.Key))
            {
                UpdateLocked(pod, podUpdated: true);
                return;
            }
            var queued = new QueuedPodInfo(pod, _clock.UtcNow);
            _pods.Add(queued.Key, queued);
            PushActive(queued, QueueEvents.PodAdd);
            ServeWaiters();
            AssertCounts();
        }
    }

    /// <summary>
    /// A pending pod changed. In activeQ or backoffQ it is replaced in place (its priority may
    /// have changed, so the heap is re-ordered). In the unschedulable pool it moves to backoffQ
    /// (still backing off) or activeQ when <paramref name="podUpdated"/> says the change may make
    /// it schedulable (compute it with <see cref="PodUpdates.IsPodUpdated"/>); otherwise it is
    /// replaced and stays. In flight, the new version is applied when the pod comes back. Unknown
    /// pods are added to activeQ.
    /// </summary>
    public void Update(PodInfo? oldPod, PodInfo newPod, bool podUpdated = true)
    {
        ArgumentNullException.ThrowIfNull(newPod);
        if (oldPod is not null && !string.Equals(oldPod.Key, newPod.Key, StringComparison.Ordinal))
            throw new ArgumentException($"update changes the pod's key from {oldPod.Key} to {newPod.Key}", nameof(newPod));
        lock (_lock)
        {
            UpdateLocked(newPod, podUpdated);
        }
    }

    private void UpdateLocked(PodInfo newPod, bool podUpdated)
    {
        if (!_pods.TryGetValue(newPod.Key, out QueuedPodInfo? queued))
        {
            queued = new QueuedPodInfo(newPod, _clock.UtcNow);
            _pods.Add(queued.Key, queued);
            PushActive(queued, QueueEvents.PodUpdate);
            ServeWaiters();
            AssertCounts();
            return;
        }

        switch (queued.Location)
        {
            case QueueLocation.Active:
                queued.PodInfo = newPod;
                _activeQ.Fix(queued);
                break;
            case QueueLocation.Backoff:
                queued.PodInfo = newPod;
                _backoffQ.Fix(queued);
                break;
            case QueueLocation.Unschedulable:
                queued.PodInfo = newPod;
                if (podUpdated)
                {
                    _unschedulable.Remove(queued.Key);
                    queued.Location = QueueLocation.None;
                    // The pod may have finished its backoff while unschedulable: check before
                    // choosing backoffQ (upstream does the same).
                    if (IsBackingOff(queued)) PushBackoff(queued, QueueEvents.PodUpdate);
                    else PushActive(queued, QueueEvents.PodUpdate);
                    ServeWaiters();
                }
                break;
            case QueueLocation.InFlight:
                // The running attempt keeps the version it started with; the new one is applied
                // when the pod is requeued, and a real change sends it to backoff, not the pool.
                queued.PendingUpdate = newPod;
                queued.UpdatedWhileInFlight |= podUpdated;
                break;
            default:
                Debug.Fail($"indexed pod {queued.Key} has no location");
                break;
        }
        AssertCounts();
    }

    /// <summary>
    /// Removes the pod from whichever queue holds it and forgets it. A deleted pod is not requeued
    /// when a scheduling cycle holding it reports back. Returns whether the pod was held.
    /// </summary>
    public bool Delete(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (!_pods.Remove(key, out QueuedPodInfo? queued)) return false;
            switch (queued.Location)
            {
                case QueueLocation.Active: _activeQ.Remove(queued); break;
                case QueueLocation.Backoff: _backoffQ.Remove(queued); break;
                case QueueLocation.Unschedulable: _unschedulable.Remove(key); break;
                case QueueLocation.InFlight: _inFlight.Remove(key); break;
            }
            queued.Location = QueueLocation.None;
            // Whoever still holds this instance (a scheduling cycle, a binding) must not requeue it.
            queued.Deleted = true;
            AssertCounts();
            return true;
        }
    }

    /// <summary>
    /// Takes the head of activeQ, waiting until there is one. The pod goes in flight, its
    /// attempts are incremented and its <see cref="QueuedPodInfo.SchedulingCycle"/> records the
    /// new cycle. Returns null once the queue is closed (unlike upstream, which still drains a
    /// non-empty activeQ after Close: a closed queue here means the scheduler is stopping).
    /// </summary>
    public ValueTask<QueuedPodInfo?> PopAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<QueuedPodInfo?>(cancellationToken);
        TaskCompletionSource<QueuedPodInfo?> waiter;
        LinkedListNode<TaskCompletionSource<QueuedPodInfo?>> node;
        lock (_lock)
        {
            if (_closed) return new ValueTask<QueuedPodInfo?>((QueuedPodInfo?)null);
            if (_activeQ.Count > 0)
            {
                // Waiters are only parked while activeQ is empty, so nobody is ahead of us.
                Debug.Assert(_waiters.Count == 0, "a popper waits while activeQ has pods");
                return new ValueTask<QueuedPodInfo?>(PopLocked());
            }
            // Continuations run asynchronously: results are set under the lock, and the popper's
            // code must not run there.
            waiter = new TaskCompletionSource<QueuedPodInfo?>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }
        return WaitForPodAsync(node, cancellationToken);
    }

    private async ValueTask<QueuedPodInfo?> WaitForPodAsync(
        LinkedListNode<TaskCompletionSource<QueuedPodInfo?>> node, CancellationToken cancellationToken)
    {
        // Registered outside the lock (the callback takes it). Disposed after the wait, so a
        // long-lived token does not accumulate registrations.
        using CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(() => CancelWaiter(node, cancellationToken))
            : default;
        return await node.Value.Task.ConfigureAwait(false);
    }

    private void CancelWaiter(LinkedListNode<TaskCompletionSource<QueuedPodInfo?>> node, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Already served (a pod was handed over) or released by Close: the result stands, so
            // a pod handed to a waiter is never lost to a late cancellation.
            if (node.List is null) return;
            _waiters.Remove(node);
            node.Value.TrySetCanceled(cancellationToken);
        }
    }

    /// <summary>
    /// A scheduling attempt found the pod unschedulable. It goes to backoffQ when a move request
    /// (cluster event) arrived since <paramref name="podSchedulingCycle"/> began, since the
    /// attempt may have missed that change, or when the pod changed while in flight; otherwise
    /// to the unschedulable pool. Also ends the pod's flight (upstream calls Done here).
    /// Returns false, and does nothing, when the pod is already queued or was deleted in flight.
    /// A pod that is no longer held at all (Done was called, then binding failed) is taken back.
    /// </summary>
    public bool AddUnschedulableIfNotPresent(
        QueuedPodInfo pod, long podSchedulingCycle, string message, IReadOnlyCollection<string>? unschedulablePlugins = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        lock (_lock)
        {
            if (!TakeBack(pod)) return false;
            pod.LastFailureMessage = message;
            pod.UnschedulablePlugins = unschedulablePlugins is null ? Array.Empty<string>() : unschedulablePlugins.ToArray();
            bool missedChange = _moveRequestCycle >= podSchedulingCycle || pod.UpdatedWhileInFlight;
            pod.UpdatedWhileInFlight = false;
            if (missedChange) PushBackoff(pod, QueueEvents.ScheduleAttemptFailure);
            else PushUnschedulable(pod, QueueEvents.ScheduleAttemptFailure);
            AssertCounts();
            return true;
        }
    }

    /// <summary>
    /// A scheduling attempt failed with an error rather than a verdict (binding failed, API
    /// error...): nothing says the pod is unschedulable, so it retries after backoff (upstream:
    /// a pod with no rejecting plugins always goes to backoffQ). Same ownership rules as
    /// <see cref="AddUnschedulableIfNotPresent"/>.
    /// </summary>
    public bool AddBackoff(QueuedPodInfo pod, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(pod);
        lock (_lock)
        {
            if (!TakeBack(pod)) return false;
            pod.LastFailureMessage = message;
            pod.UnschedulablePlugins = Array.Empty<string>();
            pod.UpdatedWhileInFlight = false;
            PushBackoff(pod, QueueEvents.ScheduleAttemptFailure);
            AssertCounts();
            return true;
        }
    }

    /// <summary>
    /// Takes a pod back from flight (or re-adopts a forgotten one) before requeueing it: applies
    /// the update that arrived meanwhile and refreshes the timestamp, from which the backoff and
    /// the leftover timeout run. False when the requeue must be dropped.
    /// </summary>
    private bool TakeBack(QueuedPodInfo pod)
    {
        if (pod.Deleted) return false;
        if (_pods.TryGetValue(pod.Key, out QueuedPodInfo? held))
        {
            // Already queued, or a newer incarnation of the same key is in flight.
            if (!ReferenceEquals(held, pod) || pod.Location != QueueLocation.InFlight) return false;
            _inFlight.Remove(pod.Key);
        }
        else
        {
            Debug.Assert(pod.Location == QueueLocation.None, "a pod outside the index has no location");
            _pods.Add(pod.Key, pod);
        }
        pod.Location = QueueLocation.None;
        if (pod.PendingUpdate is not null)
        {
            pod.PodInfo = pod.PendingUpdate;
            pod.PendingUpdate = null;
        }
        pod.Timestamp = _clock.UtcNow;
        return true;
    }

    /// <summary>
    /// A cluster event that may make pods schedulable (node added or updated, pod deleted, ...):
    /// every unschedulable pod passing <paramref name="preCheck"/> moves to backoffQ if still
    /// backing off, else to activeQ. Records the move request so that pods in flight now go to
    /// backoff if they fail. Returns the number of pods moved.
    /// </summary>
    public int MoveAllToActiveOrBackoff(string eventName, Func<PodInfo, bool>? preCheck = null)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        lock (_lock)
        {
            var toMove = new List<QueuedPodInfo>(_unschedulable.Count);
            foreach (QueuedPodInfo pod in _unschedulable.Values)
            {
                if (preCheck is null || preCheck(pod.PodInfo)) toMove.Add(pod);
            }
            MovePodsLocked(toMove, eventName);
            AssertCounts();
            return toMove.Count;
        }
    }

    /// <summary>
    /// Moves every pod whose backoff has expired from backoffQ to activeQ (upstream
    /// flushBackoffQCompleted, every 1 s). Returns the number moved.
    /// </summary>
    public int FlushBackoffCompleted()
    {
        lock (_lock)
        {
            DateTime now = _clock.UtcNow;
            int moved = 0;
            // Expiry equal to now counts as completed: upstream stops only when expiry is after now.
            while (_backoffQ.Count > 0 && _backoffQ.Peek().BackoffExpiration <= now)
            {
                QueuedPodInfo pod = _backoffQ.Pop();
                pod.Location = QueueLocation.None;
                PushActive(pod, QueueEvents.BackoffComplete);
                moved++;
            }
            if (moved > 0) ServeWaiters();
            AssertCounts();
            return moved;
        }
    }

    /// <summary>
    /// Retries pods unschedulable for longer than PodMaxInUnschedulablePodsDuration (upstream
    /// flushUnschedulablePodsLeftover, every 30 s): a safety net for events nobody reported.
    /// Returns the number moved.
    /// </summary>
    public int FlushUnschedulableLeftover()
    {
        lock (_lock)
        {
            DateTime now = _clock.UtcNow;
            var toMove = new List<QueuedPodInfo>();
            foreach (QueuedPodInfo pod in _unschedulable.Values)
            {
                // Strictly longer than the limit, as upstream compares.
                if (now - pod.Timestamp > _options.PodMaxInUnschedulablePodsDuration) toMove.Add(pod);
            }
            // Upstream moves (and records a move request) only when there is something to move.
            if (toMove.Count > 0) MovePodsLocked(toMove, QueueEvents.UnschedulableTimeout);
            AssertCounts();
            return toMove.Count;
        }
    }

    private void MovePodsLocked(List<QueuedPodInfo> pods, string eventName)
    {
        foreach (QueuedPodInfo pod in pods)
        {
            _unschedulable.Remove(pod.Key);
            pod.Location = QueueLocation.None;
            if (IsBackingOff(pod)) PushBackoff(pod, eventName);
            else PushActive(pod, eventName);
        }
        _moveRequestCycle = _schedulingCycle;
        ServeWaiters();
    }

    /// <summary>
    /// The pod's scheduling cycle ended with the pod placed (assumed): the queue forgets it.
    /// A no-op for pods not in flight (already requeued by a failure, or deleted).
    /// </summary>
    public bool Done(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (!_inFlight.Remove(key, out QueuedPodInfo? pod)) return false;
            _pods.Remove(key);
            pod.Location = QueueLocation.None;
            pod.PendingUpdate = null;
            pod.UpdatedWhileInFlight = false;
            AssertCounts();
            return true;
        }
    }

    /// <summary>
    /// Closes the queue: waiting and later PopAsync calls return null and RunAsync stops. The
    /// pods stay, and adds, updates and requeues are still accepted.
    /// </summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
            while (_waiters.First is { } node)
            {
                _waiters.RemoveFirst();
                node.Value.TrySetResult(null);
            }
        }
        // Outside the lock: cancellation runs RunAsync's continuations, which may flush.
        _closing.Cancel();
    }

    /// <summary>
    /// Runs upstream's two background loops until cancelled or closed: FlushBackoffCompleted every
    /// BackoffFlushInterval and FlushUnschedulableLeftover every UnschedulableFlushInterval, each
    /// flushing first and then waiting on the injected clock. Completes normally when stopped.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        await Task.WhenAll(
            LoopAsync(() => FlushBackoffCompleted(), _options.BackoffFlushInterval, stop.Token),
            LoopAsync(() => FlushUnschedulableLeftover(), _options.UnschedulableFlushInterval, stop.Token)).ConfigureAwait(false);
    }

    private async Task LoopAsync(Action flush, TimeSpan period, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                flush();
                await _clock.Delay(period, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping is the normal end of the loop.
        }
    }

    // --- Internals; all called under the lock. ---

    private QueuedPodInfo PopLocked()
    {
        QueuedPodInfo pod = _activeQ.Pop();
        pod.Attempts++;
        pod.SchedulingCycle = ++_schedulingCycle;
        pod.Location = QueueLocation.InFlight;
        _inFlight.Add(pod.Key, pod);
        AssertCounts();
        return pod;
    }

    /// <summary>Hands activeQ's head to each parked popper while both exist.</summary>
    private void ServeWaiters()
    {
        while (_waiters.First is { } node && _activeQ.Count > 0)
        {
            _waiters.RemoveFirst();
            // Cannot fail: waiters are completed only here, in CancelWaiter and in Close, each
            // after unlinking the node under the lock.
            bool handed = node.Value.TrySetResult(PopLocked());
            Debug.Assert(handed, "a parked popper was completed twice");
        }
    }

    private bool IsBackingOff(QueuedPodInfo pod) => BackoffExpiration(pod) > _clock.UtcNow;

    private DateTime BackoffExpiration(QueuedPodInfo pod) => pod.Timestamp + GetBackoffDuration(pod.Attempts);

    private void PushActive(QueuedPodInfo pod, string eventName)
    {
        Debug.Assert(pod.Location == QueueLocation.None, "pushing a pod that is still somewhere");
        pod.Location = QueueLocation.Active;
        _activeQ.Add(pod);
        _options.IncomingPodObserver?.Invoke(QueueEvents.ActiveQueue, eventName);
    }

    private void PushBackoff(QueuedPodInfo pod, string eventName)
    {
        Debug.Assert(pod.Location == QueueLocation.None, "pushing a pod that is still somewhere");
        // Fixed while the pod is in backoffQ: Timestamp and Attempts change only outside it.
        pod.BackoffExpiration = BackoffExpiration(pod);
        pod.Location = QueueLocation.Backoff;
        _backoffQ.Add(pod);
        _options.IncomingPodObserver?.Invoke(QueueEvents.BackoffQueue, eventName);
    }

    private void PushUnschedulable(QueuedPodInfo pod, string eventName)
    {
        Debug.Assert(pod.Location == QueueLocation.None, "pushing a pod that is still somewhere");
        pod.Location = QueueLocation.Unschedulable;
        _unschedulable.Add(pod.Key, pod);
        _options.IncomingPodObserver?.Invoke(QueueEvents.UnschedulableQueue, eventName);
    }

    /// <summary>
    /// upstream PrioritySort.Less: higher priority first, then earlier Timestamp (so a pod that
    /// just failed goes behind its equal-priority peers). Then the pod's creation order and its
    /// key, so that pods queued at the same instant pop in a deterministic order.
    /// </summary>
    internal static int CompareActive(QueuedPodInfo a, QueuedPodInfo b)
    {
        int c = b.PodInfo.Priority.CompareTo(a.PodInfo.Priority);
        if (c != 0) return c;
        c = a.Timestamp.CompareTo(b.Timestamp);
        if (c != 0) return c;
        c = a.PodInfo.Order.CompareTo(b.PodInfo.Order);
        if (c != 0) return c;
        return string.CompareOrdinal(a.Key, b.Key);
    }

    /// <summary>Earliest backoff expiry first; ties in activeQ's order, for determinism.</summary>
    internal static int CompareBackoff(QueuedPodInfo a, QueuedPodInfo b)
    {
        int c = a.BackoffExpiration.CompareTo(b.BackoffExpiration);
        return c != 0 ? c : CompareActive(a, b);
    }

    /// <summary>The cheap invariant, checked after every change: the index and the queues agree in size.</summary>
    [Conditional("DEBUG")]
    private void AssertCounts() =>
        Debug.Assert(_pods.Count == _activeQ.Count + _backoffQ.Count + _unschedulable.Count + _inFlight.Count,
            "every held pod is in exactly one of activeQ, backoffQ, unschedulable, in flight");

    /// <summary>
    /// Where each container says each pod is, read from the containers themselves rather than the
    /// index, so tests can check that no pod is lost or duplicated.
    /// </summary>
    internal List<(string Key, QueueLocation Location)> ScanContainers()
    {
        lock (_lock)
        {
            var result = new List<(string, QueueLocation)>(_pods.Count);
            foreach (QueuedPodInfo p in _activeQ.Items) result.Add((p.Key, QueueLocation.Active));
            foreach (QueuedPodInfo p in _backoffQ.Items) result.Add((p.Key, QueueLocation.Backoff));
            foreach (string key in _unschedulable.Keys) result.Add((key, QueueLocation.Unschedulable));
            foreach (string key in _inFlight.Keys) result.Add((key, QueueLocation.InFlight));
            return result;
        }
    }

    /// <summary>
    /// The full invariant, O(n): heaps well ordered, each container's pods indexed under their
    /// key with a matching location, and nobody waiting while activeQ has pods. For tests.
    /// </summary>
    internal void CheckInvariants()
    {
        lock (_lock)
        {
            if (!_activeQ.IsValid()) throw new InvalidOperationException("activeQ heap is corrupt");
            if (!_backoffQ.IsValid()) throw new InvalidOperationException("backoffQ heap is corrupt");
            if (_activeQ.Count > 0 && _waiters.Count > 0) throw new InvalidOperationException("a popper waits while activeQ has pods");
            int total = 0;
            void Check(QueuedPodInfo p, QueueLocation where)
            {
                total++;
                if (p.Location != where) throw new InvalidOperationException($"{p.Key} is in {where} but marked {p.Location}");
                if (!_pods.TryGetValue(p.Key, out QueuedPodInfo? indexed) || !ReferenceEquals(indexed, p))
                    throw new InvalidOperationException($"{p.Key} in {where} is not indexed");
            }
            foreach (QueuedPodInfo p in _activeQ.Items) Check(p, QueueLocation.Active);
            foreach (QueuedPodInfo p in _backoffQ.Items) Check(p, QueueLocation.Backoff);
            foreach (QueuedPodInfo p in _unschedulable.Values) Check(p, QueueLocation.Unschedulable);
            foreach (QueuedPodInfo p in _inFlight.Values) Check(p, QueueLocation.InFlight);
            if (total != _pods.Count) throw new InvalidOperationException($"{_pods.Count} pods indexed, {total} held");
        }
    }
}
