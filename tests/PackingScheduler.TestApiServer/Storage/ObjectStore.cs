using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace PackingScheduler.TestApiServer;

/// <summary>
/// The etcd of the test server: objects per resource keyed by namespace/name, one global resourceVersion counter,
/// a bounded event history, fan-out to watches and mutation hooks. Every write and every watch registration takes
/// the single lock, so events are totally ordered; the lock is re-entrant, so hooks may read the store.
/// </summary>
internal sealed class ObjectStore
{
    private readonly object _gate = new();
    private readonly Dictionary<ResourceType, SortedDictionary<ObjectKey, StoredObject>> _tables = new();
    private readonly Dictionary<ObjectKey, int> _bindings = new();
    private readonly WatchHistory _history;
    private readonly WatchHub _hub;
    private readonly TestApiServerOptions _options;
    private readonly ConcurrentQueue<Exception> _hookErrors = new();
    private readonly CancellationToken _stopping;
    private Action<StoreChange>[] _hooks = [];
    private long _rv;

    public ObjectStore(TestApiServerOptions options, WatchHub hub, CancellationToken stopping = default)
    {
        _options = options;
        _hub = hub;
        _stopping = stopping;
        _history = new WatchHistory(options.HistorySize);
        foreach (var rt in ResourceRegistry.All)
        {
            _tables[rt] = new SortedDictionary<ObjectKey, StoredObject>();
        }
    }

    public long ResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _rv;
            }
        }
    }

    public IReadOnlyCollection<Exception> HookErrors => _hookErrors.ToArray();

    public int HistorySize
    {
        get
        {
            lock (_gate)
            {
                return _history.Capacity;
            }
        }

        set
        {
            lock (_gate)
            {
                _history.Resize(value);
            }
        }
    }

    public StoredObject? Get(ResourceType rt, string? ns, string name)
    {
        lock (_gate)
        {
            return _tables[rt].GetValueOrDefault(Key(rt, ns, name));
        }
    }

    public (List<StoredObject> Items, long ResourceVersion) List(WatchFilter filter)
    {
        lock (_gate)
        {
            return (Select(filter).ToList(), _rv);
        }
    }

    public StoredObject Create(ResourceType rt, string? ns, JsonObject body, WriteOrigin origin)
    {
        lock (_gate)
        {
            var meta = ObjectJson.Metadata(body);
            var nsKey = "";
            if (rt.Namespaced)
            {
                var bodyNs = ObjectJson.GetString(meta, "namespace");
                if (!string.IsNullOrEmpty(ns) && !string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
                {
                    throw ApiStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
                }

                nsKey = !string.IsNullOrEmpty(ns) ? ns : !string.IsNullOrEmpty(bodyNs) ? bodyNs : "default";
                meta["namespace"] = nsKey;
                if (origin == WriteOrigin.Http && _options.RequireNamespaceExists &&
                    !_tables[ResourceRegistry.Namespaces].ContainsKey(new ObjectKey("", nsKey)))
                {
                    throw ApiStatusException.NotFound(ResourceRegistry.Namespaces, nsKey);
                }
            }
            else
            {
                meta.Remove("namespace");
            }

            var name = ObjectJson.GetString(meta, "name");
            if (string.IsNullOrEmpty(name))
            {
                var prefix = ObjectJson.GetString(meta, "generateName");
                if (string.IsNullOrEmpty(prefix))
                {
                    throw ApiStatusException.Invalid(rt, "", "metadata.name: Required value: name or generateName is required");
                }

                var attempts = 0;
                do
                {
                    name = ObjectNames.Generate(prefix);
                }
                while (_tables[rt].ContainsKey(new ObjectKey(nsKey, name)) && ++attempts < 100);

                meta["name"] = name;
            }

            if (ObjectNames.Validate(rt, name) is { } invalid)
            {
                throw ApiStatusException.Invalid(rt, name, $"metadata.name: Invalid value: \"{name}\": {invalid}");
            }

            var key = new ObjectKey(nsKey, name);
            if (_tables[rt].ContainsKey(key))
            {
                throw ApiStatusException.AlreadyExists(rt, name);
            }

            body["apiVersion"] = rt.ApiVersion;
            body["kind"] = rt.Kind;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = ObjectJson.Timestamp(DateTimeOffset.UtcNow);
            meta.Remove("deletionTimestamp");
            if (rt == ResourceRegistry.Pods)
            {
                PodRules.AdmitCreate(body, name, origin, FindPriorityClass);
            }
            else if (rt == ResourceRegistry.Namespaces)
            {
                DefaultNamespace(body, name);
            }

            return Commit(rt, null, body, ChangeType.Added);
        }
    }

    public StoredObject Update(ResourceType rt, string? ns, string name, JsonObject body, UpdateScope scope, WriteOrigin origin)
    {
        lock (_gate)
        {
            var meta = ObjectJson.Metadata(body);
            var bodyName = ObjectJson.GetString(meta, "name");
            if (!string.IsNullOrEmpty(bodyName) && bodyName != name)
            {
                throw ApiStatusException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            var bodyNs = ObjectJson.GetString(meta, "namespace");
            if (rt.Namespaced && !string.IsNullOrEmpty(bodyNs) && !string.IsNullOrEmpty(ns) && bodyNs != ns)
            {
                throw ApiStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            var old = Require(rt, ns ?? bodyNs, name);
            var rv = ObjectJson.GetString(meta, "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != Rv(old))
            {
                throw ApiStatusException.StaleObject(rt, name);
            }

            return CommitUpdate(rt, old, body, scope, origin);
        }
    }

    public StoredObject Patch(ResourceType rt, string? ns, string name, PatchKind kind, JsonNode patch, UpdateScope scope)
    {
        lock (_gate)
        {
            var old = Require(rt, ns, name);
            var working = old.ToMutable();
            var patched = (kind, patch) switch
            {
                (PatchKind.Json, JsonArray ops) => JsonPatch.Apply(working, ops),
                (PatchKind.Merge, JsonObject merge) => JsonMergePatch.Apply(working, merge),
                (PatchKind.StrategicMerge, JsonObject strategic) => StrategicMergePatch.Apply(working, strategic),
                _ => throw ApiStatusException.BadRequest($"the patch body does not suit the {kind} patch type"),
            };
            var rv = ObjectJson.MetaString(patched, "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != Rv(old))
            {
                throw ApiStatusException.StaleObject(rt, name);
            }

            return CommitUpdate(rt, old, patched, scope, WriteOrigin.Http);
        }
    }

    /// <summary>Atomic read-modify-write for in-process callers.</summary>
    public StoredObject Mutate(ResourceType rt, string? ns, string name, Func<JsonObject, JsonObject> mutate)
    {
        lock (_gate)
        {
            var old = Require(rt, ns, name);
            return CommitUpdate(rt, old, mutate(old.ToMutable()), UpdateScope.Full, WriteOrigin.InProcess);
        }
    }

    public StoredObject Delete(ResourceType rt, string? ns, string name, string? uidPrecondition = null, string? rvPrecondition = null)
    {
        lock (_gate)
        {
            var old = Require(rt, ns, name);
            CheckPreconditions(rt, old, name, uidPrecondition, rvPrecondition);

            if (rt == ResourceRegistry.Namespaces)
            {
                foreach (var nsType in ResourceRegistry.All.Where(r => r.Namespaced))
                {
                    foreach (var child in _tables[nsType].Values.Where(o => o.Namespace == name).ToList())
                    {
                        Commit(nsType, child, null, ChangeType.Deleted);
                    }
                }
            }

            return Commit(rt, old, null, ChangeType.Deleted);
        }
    }

    /// <summary>
    /// A pod DELETE as the API server handles it (pod strategy CheckGracefulDelete, then
    /// BeforeDelete): the grace period is <paramref name="gracePeriodSeconds"/> when given, else
    /// spec.terminationGracePeriodSeconds (defaulted to 30 as at creation); 0 for a pod not bound
    /// or already finished; a negative one counts as 1. Grace 0 removes the pod at once. Otherwise
    /// it gets metadata.deletionTimestamp (now + grace) and deletionGracePeriodSeconds, watchers see
    /// MODIFIED, and it stays until the kubelet (see <see cref="TestApiServerOptions.Kubelet"/>) or a
    /// later delete removes it. A pod already terminating may only have its grace period shortened;
    /// otherwise the call changes nothing and returns it as it is.
    /// </summary>
    public StoredObject DeletePod(string? ns, string name, string? uidPrecondition, string? rvPrecondition, long? gracePeriodSeconds)
    {
        lock (_gate)
        {
            var rt = ResourceRegistry.Pods;
            var old = Require(rt, ns, name);
            CheckPreconditions(rt, old, name, uidPrecondition, rvPrecondition);
            var pod = old.ToMutable();
            var meta = ObjectJson.Metadata(pod);
            var spec = pod["spec"] as JsonObject;
            var status = pod["status"] as JsonObject;
            if (meta["deletionTimestamp"] is not null)
            {
                var current = meta["deletionGracePeriodSeconds"] is JsonValue c && c.TryGetValue<long>(out var cv) ? cv : 0;
                if (current == 0)
                {
                    return Commit(rt, old, null, ChangeType.Deleted);
                }

                if (gracePeriodSeconds is not { } shorter || Math.Max(shorter, 0) >= current)
                {
                    return old;
                }

                if (shorter <= 0)
                {
                    return Commit(rt, old, null, ChangeType.Deleted);
                }

                var started = DateTimeOffset.Parse(ObjectJson.GetString(meta, "deletionTimestamp")!, CultureInfo.InvariantCulture).AddSeconds(-current);
                meta["deletionTimestamp"] = ObjectJson.Timestamp(started.AddSeconds(shorter));
                meta["deletionGracePeriodSeconds"] = shorter;
                var shortened = Commit(rt, old, pod, ChangeType.Modified);
                ScheduleKubelet(shortened, shorter);
                return shortened;
            }

            var grace = gracePeriodSeconds
                ?? (spec?["terminationGracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var gv) ? gv : 30);
            if (string.IsNullOrEmpty(ObjectJson.GetString(spec, "nodeName")) || ObjectJson.GetString(status, "phase") is "Succeeded" or "Failed")
            {
                grace = 0;
            }

            if (grace < 0)
            {
                grace = 1;
            }

            if (grace == 0)
            {
                return Commit(rt, old, null, ChangeType.Deleted);
            }

            meta["deletionTimestamp"] = ObjectJson.Timestamp(DateTimeOffset.UtcNow.AddSeconds(grace));
            meta["deletionGracePeriodSeconds"] = grace;
            var terminating = Commit(rt, old, pod, ChangeType.Modified);
            ScheduleKubelet(terminating, grace);
            return terminating;
        }
    }

    /// <summary>The kubelet's part: once the pod has terminated, it is removed (if it is still that pod and still terminating).</summary>
    private void ScheduleKubelet(StoredObject pod, long graceSeconds)
    {
        TimeSpan delay;
        switch (_options.Kubelet)
        {
            case KubeletMode.GracePeriod:
                delay = TimeSpan.FromSeconds(graceSeconds);
                break;
            case KubeletMode.FixedDelay:
                delay = _options.KubeletDelay;
                break;
            default:
                return;
        }

        var (ns, name, uid) = (pod.Namespace, pod.Name, pod.Uid);
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, _stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_gate)
            {
                var current = _tables[ResourceRegistry.Pods].GetValueOrDefault(new ObjectKey(ns, name));
                if (current is null || current.Uid != uid || ObjectJson.Metadata(current.ToMutable())["deletionTimestamp"] is null)
                {
                    return;
                }

                Commit(ResourceRegistry.Pods, current, null, ChangeType.Deleted);
            }
        });
    }

    public List<StoredObject> DeleteCollection(WatchFilter filter)
    {
        lock (_gate)
        {
            return Select(filter).ToList().Select(o => Delete(filter.Resource, o.Namespace, o.Name)).ToList();
        }
    }

    public StoredObject Bind(string ns, string podName, JsonObject binding)
    {
        lock (_gate)
        {
            var old = Require(ResourceRegistry.Pods, ns, podName);
            var pod = old.ToMutable();
            PodRules.Bind(pod, old, binding, DateTimeOffset.UtcNow);
            var bound = Commit(ResourceRegistry.Pods, old, pod, ChangeType.Modified);
            _bindings[old.Key] = _bindings.GetValueOrDefault(old.Key) + 1;
            return bound;
        }
    }

    public int BindingCount(string ns, string name)
    {
        lock (_gate)
        {
            return _bindings.GetValueOrDefault(new ObjectKey(ns, name));
        }
    }

    public WatchStart OpenWatch(WatchFilter filter, string? resourceVersion, bool bookmarks, int bufferSize, Action abortConnection)
    {
        lock (_gate)
        {
            var initial = new List<StoreEvent>();
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                initial.AddRange(Select(filter).Select(o => new StoreEvent(filter.Resource, ChangeType.Added, o, null, o.ResourceVersion)));
            }
            else
            {
                if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                {
                    throw ApiStatusException.BadRequest($"invalid resource version \"{resourceVersion}\"");
                }

                if (!_history.TryGetSince(from, filter.Resource, initial))
                {
                    throw ApiStatusException.Expired(from, _history.Floor + 1);
                }
            }

            var subscription = new WatchSubscription(filter, bookmarks, bufferSize, abortConnection);
            _hub.Add(subscription);
            return new WatchStart(subscription, initial, _rv);
        }
    }

    public void EmitBookmarks()
    {
        lock (_gate)
        {
            _hub.Bookmark(_rv);
        }
    }

    /// <summary>Compacts the history: watches can only resume from the current resourceVersion on.</summary>
    public void ExpireHistory()
    {
        lock (_gate)
        {
            _history.Clear(_rv);
        }
    }

    /// <summary>What an API server restart looks like to clients: the resourceVersion moves on and the watch cache starts empty.</summary>
    public void Restart()
    {
        lock (_gate)
        {
            _rv++;
            _history.Clear(_rv);
        }
    }

    public IDisposable AddHook(Action<StoreChange> hook)
    {
        lock (_gate)
        {
            _hooks = [.. _hooks, hook];
        }

        return new Unsubscriber(() =>
        {
            lock (_gate)
            {
                _hooks = _hooks.Where(h => h != hook).ToArray();
            }
        });
    }

    private StoredObject CommitUpdate(ResourceType rt, StoredObject old, JsonObject next, UpdateScope scope, WriteOrigin origin)
    {
        var oldObject = old.ToMutable();
        if (scope == UpdateScope.Status)
        {
            var merged = old.ToMutable();
            if (next["status"] is { } status)
            {
                merged["status"] = status.DeepClone();
            }
            else
            {
                merged.Remove("status");
            }

            next = merged;
        }
        else if (scope == UpdateScope.Main && rt.HasStatus)
        {
            if (oldObject["status"] is { } status)
            {
                next["status"] = status.DeepClone();
            }
            else
            {
                next.Remove("status");
            }
        }

        var meta = ObjectJson.Metadata(next);
        var oldMeta = ObjectJson.Metadata(oldObject);
        next["apiVersion"] = rt.ApiVersion;
        next["kind"] = rt.Kind;
        meta["name"] = old.Name;
        if (rt.Namespaced)
        {
            meta["namespace"] = old.Namespace;
        }
        else
        {
            meta.Remove("namespace");
        }

        meta["uid"] = old.Uid;
        meta["creationTimestamp"] = oldMeta["creationTimestamp"]?.DeepClone();
        meta["resourceVersion"] = Rv(old);
        if (rt == ResourceRegistry.Pods && scope == UpdateScope.Main && origin == WriteOrigin.Http)
        {
            PodRules.ValidateUpdate(oldObject, next, old.Name);
        }

        if (JsonNode.DeepEquals(next, oldObject))
        {
            return old;
        }

        return Commit(rt, old, next, ChangeType.Modified);
    }

    private StoredObject Commit(ResourceType rt, StoredObject? old, JsonObject? next, ChangeType type)
    {
        var table = _tables[rt];
        var rv = ++_rv;
        StoredObject stored;
        if (type == ChangeType.Deleted)
        {
            stored = old!.WithResourceVersion(rv);
            table.Remove(old.Key);
            _bindings.Remove(old.Key);
        }
        else
        {
            ObjectJson.SetResourceVersion(next!, rv);
            stored = new StoredObject(ObjectJson.ToBytes(next!));
            table[stored.Key] = stored;
        }

        var e = new StoreEvent(rt, type, stored, old, rv);
        _history.Add(e);
        _hub.Publish(e);
        RunHooks(e);
        return stored;
    }

    private void RunHooks(StoreEvent e)
    {
        var hooks = _hooks;
        if (hooks.Length == 0)
        {
            return;
        }

        var change = new StoreChange(e);
        foreach (var hook in hooks)
        {
            try
            {
                hook(change);
            }
            catch (Exception ex)
            {
                _hookErrors.Enqueue(ex);
            }
        }
    }

    private IEnumerable<StoredObject> Select(WatchFilter filter)
    {
        var table = _tables[filter.Resource];
        if (filter.Name is not null)
        {
            var key = new ObjectKey(filter.Namespace ?? "", filter.Name);
            return table.TryGetValue(key, out var one) && filter.Matches(one) ? [one] : [];
        }

        return table.Values.Where(filter.Matches);
    }

    private JsonObject? FindPriorityClass(string? name)
    {
        var table = _tables[ResourceRegistry.PriorityClasses];
        if (name is not null)
        {
            return table.TryGetValue(new ObjectKey("", name), out var pc) ? pc.ToMutable() : null;
        }

        return table.Values.Select(p => p.ToMutable()).FirstOrDefault(p => p["globalDefault"] is JsonValue v && v.TryGetValue<bool>(out var d) && d);
    }

    private static void DefaultNamespace(JsonObject ns, string name)
    {
        var meta = ObjectJson.Metadata(ns);
        if (meta["labels"] is not JsonObject labels)
        {
            labels = new JsonObject();
            meta["labels"] = labels;
        }

        labels["kubernetes.io/metadata.name"] = name;
        if (ns["status"] is not JsonObject status)
        {
            status = new JsonObject();
            ns["status"] = status;
        }

        if (string.IsNullOrEmpty(ObjectJson.GetString(status, "phase")))
        {
            status["phase"] = "Active";
        }
    }

    private static void CheckPreconditions(ResourceType rt, StoredObject old, string name, string? uidPrecondition, string? rvPrecondition)
    {
        if (!string.IsNullOrEmpty(uidPrecondition) && uidPrecondition != old.Uid)
        {
            throw ApiStatusException.Conflict(rt, name,
                $"Precondition failed: UID in precondition: {uidPrecondition}, UID in object meta: {old.Uid}");
        }

        if (!string.IsNullOrEmpty(rvPrecondition) && rvPrecondition != Rv(old))
        {
            throw ApiStatusException.Conflict(rt, name,
                $"Precondition failed: ResourceVersion in precondition: {rvPrecondition}, ResourceVersion in object meta: {Rv(old)}");
        }
    }

    private StoredObject Require(ResourceType rt, string? ns, string name) =>
        _tables[rt].GetValueOrDefault(Key(rt, ns, name)) ?? throw ApiStatusException.NotFound(rt, name);

    private static ObjectKey Key(ResourceType rt, string? ns, string name) =>
        new(rt.Namespaced ? (string.IsNullOrEmpty(ns) ? "default" : ns) : "", name);

    private static string Rv(StoredObject o) => o.ResourceVersion.ToString(CultureInfo.InvariantCulture);
}
