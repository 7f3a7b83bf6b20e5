using System.Diagnostics;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Cache;

/// <summary>
/// The live scheduler's view of the cluster: the <see cref="ClusterState"/> fed by the watches,
/// plus the pods this scheduler has assumed onto a node and not yet seen bound by the watch.
/// Upstream's cache rules: an assumed pod counts on its node at once; the watch's bound pod
/// confirms it; a failed binding forgets it; an assumed pod whose binding finished but never
/// showed up in the watch expires after <see cref="AssumedPodTtl"/>.
/// Every method takes the cache's lock; <see cref="Read"/> runs a scheduling cycle under it.
/// </summary>
[DebuggerDisplay("{_state.Nodes.Count} nodes, {_state.PodCount} pods, {_assumed.Count} assumed")]
public sealed class SchedulerCache
{
    private readonly object _lock = new();
    private readonly ClusterState _state;
    private readonly Dictionary<string, AssumedPod> _assumed = new(StringComparer.Ordinal);

    private sealed class AssumedPod
    {
        public required PodInfo Pod { get; init; }
        public bool BindingFinished { get; set; }
        public DateTime Deadline { get; set; } = DateTime.MaxValue;
    }

    public SchedulerCache(Interner interner) => _state = new ClusterState(interner);

    /// <summary>How long an assumed pod whose binding succeeded may wait for the watch to confirm it.</summary>
    public TimeSpan AssumedPodTtl { get; init; } = TimeSpan.FromMinutes(2);

    public Interner Interner => _state.Interner;

    public int NodeCount { get { lock (_lock) return _state.Nodes.Count; } }
    public int PodCount { get { lock (_lock) return _state.PodCount; } }
    public int AssumedCount { get { lock (_lock) return _assumed.Count; } }

    /// <summary>Runs <paramref name="read"/> (a scheduling cycle, a metric) with the state held still.</summary>
    public T Read<T>(Func<ClusterState, T> read)
    {
        lock (_lock) return read(_state);
    }

    /// <summary>Applies a change (an informer event) to the state.</summary>
    public void Write(Action<ClusterState> write)
    {
        lock (_lock) write(_state);
    }

    public bool IsAssumed(string key)
    {
        lock (_lock) return _assumed.ContainsKey(key);
    }

    /// <summary>Counts <paramref name="pod"/> on <paramref name="nodeName"/> before it is bound, so the next cycle sees it.</summary>
    public void Assume(PodInfo pod, string nodeName)
    {
        lock (_lock) AssumeCore(pod, nodeName);
    }

    /// <summary>As <see cref="Assume"/>, from inside <see cref="Read{T}"/> (the lock is already held).</summary>
    public void AssumeLocked(ClusterState state, PodInfo pod, string nodeName)
    {
        Debug.Assert(ReferenceEquals(state, _state) && Monitor.IsEntered(_lock));
        AssumeCore(pod, nodeName);
    }

    private void AssumeCore(PodInfo pod, string nodeName)
    {
        // Upstream AssumePod: a pod the cache already holds (bound and seen by the watch, or
        // assumed) cannot be assumed. Replacing it would drop the bound pod from its node when
        // this assumption is forgotten.
        if (_state.FindPod(pod.Key) is not null)
            throw new InvalidOperationException($"pod {pod.Key} is in the cache, so can't be assumed");
        pod.NodeName = nodeName;
        _state.AddPod(pod);
        _assumed[pod.Key] = new AssumedPod { Pod = pod };
    }

    /// <summary>The binding call succeeded: start the clock on the watch confirming it.</summary>
    public void FinishBinding(string key, DateTime now)
    {
        lock (_lock)
        {
            if (_assumed.TryGetValue(key, out AssumedPod? a))
            {
                a.BindingFinished = true;
                a.Deadline = now + AssumedPodTtl;
            }
        }
    }

    /// <summary>The binding failed: the pod no longer counts on the node.</summary>
    public void Forget(string key)
    {
        lock (_lock)
        {
            if (!_assumed.Remove(key, out AssumedPod? a)) return;
            if (ReferenceEquals(_state.FindPod(key), a.Pod)) _state.RemovePod(key);
            // The pod goes back to the queue: it must not stay pinned to the node it was assumed on.
            a.Pod.NodeName = null;
        }
    }

    /// <summary>A bound pod seen by the watch (ours confirmed, or any scheduler's): it replaces any assumption.</summary>
    public void AddOrUpdateBoundPod(PodInfo pod)
    {
        Debug.Assert(pod.NodeName is not null);
        lock (_lock)
        {
            _assumed.Remove(pod.Key);
            _state.AddPod(pod);
        }
    }

    /// <summary>A pod deleted or finished: it frees its node. Returns whether it was counted anywhere.</summary>
    public bool RemovePod(string key)
    {
        lock (_lock)
        {
            _assumed.Remove(key);
            return _state.RemovePod(key) is not null;
        }
    }

    /// <summary>Drops assumed pods the watch never confirmed within the TTL after their binding finished.</summary>
    public int CleanupExpired(DateTime now)
    {
        lock (_lock)
        {
            List<string>? expired = null;
            foreach (KeyValuePair<string, AssumedPod> kv in _assumed)
            {
                if (kv.Value.BindingFinished && kv.Value.Deadline <= now) (expired ??= new List<string>()).Add(kv.Key);
            }
            if (expired is null) return 0;
            foreach (string key in expired)
            {
                AssumedPod a = _assumed[key];
                _assumed.Remove(key);
                if (ReferenceEquals(_state.FindPod(key), a.Pod)) _state.RemovePod(key);
            }
            return expired.Count;
        }
    }

    /// <summary>
    /// After a re-list: removes bound pods the list no longer has (assumed ones stay: their bindings may be in flight).
    /// </summary>
    public int RemoveBoundPodsNotIn(IReadOnlySet<string> listedKeys)
    {
        lock (_lock)
        {
            var stale = new List<string>();
            foreach (PodInfo p in _state.Pods)
            {
                if (!listedKeys.Contains(p.Key) && !_assumed.ContainsKey(p.Key)) stale.Add(p.Key);
            }
            foreach (string key in stale) _state.RemovePod(key);
            return stale.Count;
        }
    }
}
