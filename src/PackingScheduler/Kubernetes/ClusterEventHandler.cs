using k8s.Models;
using Microsoft.Extensions.Logging;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Queue;
using PackingScheduler.Core.Scheduling;
using PackingScheduler.Core.Translation;

namespace PackingScheduler.Kubernetes;

/// <summary>
/// Applies what the informers see: bound, non-terminal pods of any scheduler go to the cache (the
/// nodes are shared); unbound pods with our schedulerName go to the queue; nodes, volumes,
/// namespaces and priority classes go to the cluster state. Events that could make a waiting
/// pod fit move the unschedulable pods back. A pod that cannot be translated is reported
/// unschedulable with the reason, never dropped silently and never allowed to crash the loop.
/// <para>
/// Preemption: PodDisruptionBudgets go to the cluster state; a pending pod of ours carrying
/// status.nominatedNodeName (a restart, a new leader) is nominated there, and its nomination
/// follows the pod as upstream's nominator does (kept across updates that carry none, dropped
/// when the field is cleared or the pod is bound or deleted). A bound pod being deleted keeps
/// holding its node, marked terminating, until the watch delivers its deletion.
/// </para>
/// </summary>
public sealed partial class ClusterEventHandler
{
    private readonly object _lock = new();
    private readonly string _schedulerName;
    private readonly SchedulerCache _cache;
    private readonly SchedulingQueue _queue;
    private readonly ObjectTranslator _translator;
    private readonly PriorityResolver _priorities = new();
    private readonly ISchedulingReporter _reporter;
    private readonly ILogger _log;
    private readonly Dictionary<string, V1Pod> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _invalid = new(StringComparer.Ordinal);
    private long _arrivals;

    public ClusterEventHandler(string schedulerName, SchedulerCache cache, SchedulingQueue queue, ISchedulingReporter reporter, ILogger log)
    {
        _schedulerName = schedulerName;
        _cache = cache;
        _queue = queue;
        _reporter = reporter;
        _log = log;
        _translator = new ObjectTranslator(cache.Interner);
    }

    /// <summary>Pending pods of ours that could not be translated, with the reason.</summary>
    public IReadOnlyDictionary<string, string> InvalidPods
    {
        get { lock (_lock) return new Dictionary<string, string>(_invalid); }
    }

    public IInformerHandler<V1Pod> Pods => new Handler<V1Pod>(ReplacePods, AddOrUpdatePod, DeletePod);
    public IInformerHandler<V1Node> Nodes => new Handler<V1Node>(ReplaceNodes, AddOrUpdateNode, DeleteNode);
    public IInformerHandler<V1Namespace> Namespaces => new Handler<V1Namespace>(
        items => ReplaceAll(items, ns => _cache.Write(s => s.SetNamespace(ns.Metadata.Name, ns.Metadata.Labels))),
        ns => { _cache.Write(s => s.SetNamespace(ns.Metadata.Name, ns.Metadata.Labels)); _queue.MoveAllToActiveOrBackoff("NamespaceUpdate"); },
        ns => _cache.Write(s => s.RemoveNamespace(ns.Metadata.Name)));
    public IInformerHandler<V1PersistentVolume> Volumes => new Handler<V1PersistentVolume>(
        items => ReplaceAll(items, SetVolume),
        pv => { SetVolume(pv); _queue.MoveAllToActiveOrBackoff("PvAddOrUpdate"); },
        pv => _cache.Write(s => s.RemoveVolume(pv.Metadata.Name)));
    public IInformerHandler<V1PersistentVolumeClaim> Claims => new Handler<V1PersistentVolumeClaim>(
        items => ReplaceAll(items, SetClaim),
        pvc => { SetClaim(pvc); _queue.MoveAllToActiveOrBackoff("PvcAddOrUpdate"); },
        pvc => _cache.Write(s => s.RemoveClaim(pvc.Metadata.NamespaceProperty ?? "default", pvc.Metadata.Name)));
    public IInformerHandler<V1StorageClass> StorageClasses => new Handler<V1StorageClass>(
        items => ReplaceAll(items, SetStorageClass),
        sc => { SetStorageClass(sc); _queue.MoveAllToActiveOrBackoff("StorageClassAdd"); },
        sc => _cache.Write(s => s.RemoveStorageClass(sc.Metadata.Name)));
    public IInformerHandler<V1PodDisruptionBudget> DisruptionBudgets => new Handler<V1PodDisruptionBudget>(
        ReplaceDisruptionBudgets,
        pdb => SetDisruptionBudget(pdb),
        pdb => _cache.Write(s => s.RemoveDisruptionBudget(BudgetKey(pdb))));
    public IInformerHandler<V1PriorityClass> PriorityClasses => new Handler<V1PriorityClass>(
        items => { lock (_lock) foreach (V1PriorityClass pc in items) _priorities.AddOrUpdate(pc); },
        pc => { lock (_lock) _priorities.AddOrUpdate(pc); },
        pc => { lock (_lock) _priorities.Remove(pc.Metadata.Name); });

    private static void ReplaceAll<T>(IReadOnlyList<T> items, Action<T> set)
    {
        // Volume objects are few and rarely deleted; a re-list re-sets the ones that exist.
        foreach (T item in items) set(item);
    }

    private void SetVolume(V1PersistentVolume pv) => _cache.Write(s => s.SetVolume(ObjectTranslator.TranslateVolume(pv)));

    private void SetClaim(V1PersistentVolumeClaim pvc) => _cache.Write(s => s.SetClaim(ObjectTranslator.TranslateClaim(pvc)));

    private void SetStorageClass(V1StorageClass sc) => _cache.Write(s => s.SetStorageClass(ObjectTranslator.TranslateStorageClass(sc)));

    // ---- PodDisruptionBudgets ----

    private static string BudgetKey(V1PodDisruptionBudget pdb) => $"{pdb.Metadata.NamespaceProperty ?? "default"}/{pdb.Metadata.Name}";

    private void ReplaceDisruptionBudgets(IReadOnlyList<V1PodDisruptionBudget> budgets)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (V1PodDisruptionBudget pdb in budgets)
        {
            if (SetDisruptionBudget(pdb)) keys.Add(BudgetKey(pdb));
        }
        _cache.Write(s =>
        {
            foreach (DisruptionBudget b in s.DisruptionBudgets.ToList())
            {
                if (!keys.Contains(b.Key)) s.RemoveDisruptionBudget(b.Key);
            }
        });
    }

    private bool SetDisruptionBudget(V1PodDisruptionBudget pdb)
    {
        DisruptionBudget budget;
        try
        {
            // Upstream reads status.disruptionsAllowed: a budget the disruption controller has not
            // processed yet allows no disruption.
            pdb.Status ??= new V1PodDisruptionBudgetStatus();
            budget = _translator.TranslateDisruptionBudget(pdb, Array.Empty<V1Pod>());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not a budget preemption can read; it protects nothing, as upstream's would not select.
            LogInvalidBudget(pdb.Metadata?.NamespaceProperty + "/" + pdb.Metadata?.Name, Problem(pdb, e));
            if (pdb.Metadata?.Name is not null) _cache.Write(s => s.RemoveDisruptionBudget(BudgetKey(pdb)));
            return false;
        }
        _cache.Write(s => s.SetDisruptionBudget(budget));
        return true;
    }

    // ---- Nodes ----

    private void ReplaceNodes(IReadOnlyList<V1Node> nodes)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (V1Node n in nodes)
        {
            names.Add(n.Metadata.Name);
            AddOrUpdateNodeQuiet(n);
        }
        _cache.Write(s =>
        {
            var gone = new List<string>();
            foreach (NodeInfo n in s.Nodes)
            {
                if (!names.Contains(n.Name)) gone.Add(n.Name);
            }
            foreach (string name in gone) s.RemoveNode(name);
        });
        _queue.MoveAllToActiveOrBackoff("NodeAdd");
    }

    private void AddOrUpdateNode(V1Node node)
    {
        if (AddOrUpdateNodeQuiet(node)) _queue.MoveAllToActiveOrBackoff("NodeUpdate");
    }

    private bool AddOrUpdateNodeQuiet(V1Node node)
    {
        NodeInfo info;
        try
        {
            info = _translator.TranslateNode(node);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogInvalidNode(node.Metadata.Name, Problem(node, e));
            _cache.Write(s => s.RemoveNode(node.Metadata.Name));
            return false;
        }
        _cache.Write(s => s.AddOrUpdateNode(info));
        return true;
    }

    private void DeleteNode(V1Node node) => _cache.Write(s => s.RemoveNode(node.Metadata.Name));

    // ---- Pods ----

    private static string KeyOf(V1Pod pod) => $"{pod.Metadata.NamespaceProperty ?? "default"}/{pod.Metadata.Name}";

    private static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    private void ReplacePods(IReadOnlyList<V1Pod> pods)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (V1Pod p in pods)
        {
            keys.Add(KeyOf(p));
            AddOrUpdatePod(p);
        }
        _cache.RemoveBoundPodsNotIn(keys);
        List<string> vanished;
        lock (_lock)
        {
            vanished = _pending.Keys.Where(k => !keys.Contains(k)).ToList();
            foreach (string k in _invalid.Keys.Where(k => !keys.Contains(k)).ToList()) _invalid.Remove(k);
        }
        foreach (string k in vanished) ForgetPending(k);
        _queue.MoveAllToActiveOrBackoff("AssignedPodDelete");
    }

    private void AddOrUpdatePod(V1Pod pod)
    {
        string key = KeyOf(pod);
        if (IsTerminal(pod))
        {
            // A finished pod frees its node.
            DeletePod(pod);
            return;
        }
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            ForgetPending(key);
            PodInfo? bound = Translate(pod, reportIfOurs: false);
            if (bound is null) return;
            if (!bound.Terminating && HasPreemptionCondition(pod))
            {
                // Our own DisruptionTarget patch, seen before the DELETE's deletionTimestamp: the
                // victim stays marked as the preemption marked it, so the preemptor waits for it.
                PodInfo? cached = _cache.Read(s => s.FindPod(key));
                if (cached is { TerminatingByPreemption: true } && cached.Uid == bound.Uid)
                {
                    bound.Terminating = true;
                    bound.TerminatingByPreemption = true;
                }
            }
            _cache.AddOrUpdateBoundPod(bound);
            return;
        }
        if (pod.Spec?.SchedulerName != _schedulerName) return;
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            ForgetPending(key);
            return;
        }
        V1Pod? previous;
        lock (_lock)
        {
            _pending.TryGetValue(key, out previous);
            _pending[key] = pod;
        }
        PodInfo? info = Translate(pod, reportIfOurs: true);
        if (info is null)
        {
            _queue.Delete(key);
            _cache.Write(s => s.RemoveNomination(key));
            return;
        }
        FollowNomination(key, info, previous, pod);
        if (previous is null) _queue.Add(info);
        else _queue.Update(null, info, PodUpdates.IsPodUpdated(previous, pod));
    }

    /// <summary>
    /// Upstream's nominator on a pending pod's add or update: status.nominatedNodeName, when set,
    /// nominates the pod there; when neither the previous nor this version has it, a nomination
    /// made in memory (by a preemption whose status patch has not arrived yet) is kept, now for
    /// the new pod object; when it was cleared, the nomination goes.
    /// </summary>
    private void FollowNomination(string key, PodInfo info, V1Pod? previous, V1Pod pod)
    {
        string? now = string.IsNullOrEmpty(pod.Status?.NominatedNodeName) ? null : pod.Status.NominatedNodeName;
        bool before = !string.IsNullOrEmpty(previous?.Status?.NominatedNodeName);
        _cache.Write(s =>
        {
            if (now is not null) s.Nominate(info, now);
            else if (!before && s.FindNominated(key) is { NominatedNodeName: { } kept }) s.Nominate(info, kept);
            else s.RemoveNomination(key);
        });
    }

    private static bool HasPreemptionCondition(V1Pod pod)
    {
        if (pod.Status?.Conditions is null) return false;
        foreach (V1PodCondition c in pod.Status.Conditions)
        {
            if (c?.Type == "DisruptionTarget") return c.Status == "True" && c.Reason == "PreemptionByScheduler";
        }
        return false;
    }

    private void DeletePod(V1Pod pod)
    {
        string key = KeyOf(pod);
        ForgetPending(key);
        if (_cache.RemovePod(key)) _queue.MoveAllToActiveOrBackoff("AssignedPodDelete");
    }

    private void ForgetPending(string key)
    {
        bool was;
        lock (_lock)
        {
            was = _pending.Remove(key);
            _invalid.Remove(key);
        }
        if (was) _queue.Delete(key);
        // A pod bound or deleted holds no room as a nominee any more (only pending pods of ours are nominated).
        if (was) _cache.Write(s => s.RemoveNomination(key));
        // Its failure record (kept to count repeated FailedScheduling events) would otherwise stay forever.
        _reporter.Forget(key);
    }

    private PodInfo? Translate(V1Pod pod, bool reportIfOurs)
    {
        try
        {
            int priority;
            bool never;
            lock (_lock) (priority, never) = _priorities.Resolve(pod);
            return _translator.TranslatePod(pod, priority, never, Interlocked.Increment(ref _arrivals));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the translator throws is the pod's problem: escaping to the informer, it would
            // make the informer retry this one event forever and see no other pod.
            string key = KeyOf(pod);
            string problem = Problem(pod, e);
            LogInvalidPod(key, problem);
            if (!reportIfOurs) return null;
            bool first;
            lock (_lock)
            {
                first = !_invalid.TryGetValue(key, out string? before) || before != problem;
                _invalid[key] = problem;
            }
            // Reported once per distinct problem; the pod stays known and is retried when it changes.
            if (first)
            {
                var stub = new PodInfo { Name = pod.Metadata.Name, NamespaceName = pod.Metadata.NamespaceProperty ?? "default", Namespace = 0, Uid = pod.Metadata.Uid };
                _reporter.FailedScheduling(stub, "Unschedulable", $"pod spec cannot be scheduled: {problem}");
            }
            return null;
        }
    }

    /// <summary>The translator's message; for anything unexpected, the null list entry that caused it if there is one.</summary>
    private static string Problem(object obj, Exception e) => e switch
    {
        InvalidObjectException => e.Message,
        _ when NullEntries.Find(obj) is { } at => $"{at}: null where an object is required",
        _ => $"cannot be read: {e.GetType().Name}: {e.Message}",
    };

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "pod {Pod} cannot be scheduled as it is: {Problem}")]
    private partial void LogInvalidPod(string pod, string problem);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "node {Node} is ignored: {Problem}")]
    private partial void LogInvalidNode(string node, string problem);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "PodDisruptionBudget {Budget} is ignored: {Problem}")]
    private partial void LogInvalidBudget(string budget, string problem);

    private sealed class Handler<T> : IInformerHandler<T>
    {
        private readonly Action<IReadOnlyList<T>> _replace;
        private readonly Action<T> _addOrUpdate;
        private readonly Action<T> _delete;

        public Handler(Action<IReadOnlyList<T>> replace, Action<T> addOrUpdate, Action<T> delete)
        {
            _replace = replace;
            _addOrUpdate = addOrUpdate;
            _delete = delete;
        }

        public void OnReplace(IReadOnlyList<T> items) => _replace(items);
        public void OnAddOrUpdate(T item) => _addOrUpdate(item);
        public void OnDelete(T item) => _delete(item);
    }
}
