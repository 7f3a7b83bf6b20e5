using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PackingScheduler.TestApiServer;

/// <summary>
/// An in-process Kubernetes API server for tests: real REST and watch protocol over HTTP on 127.0.0.1, so the real
/// KubernetesClient works against it unchanged; plus fault injection, observation and direct store access.
/// All members are thread-safe.
/// </summary>
public sealed class TestApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private readonly WatchHub _hub;
    private readonly FaultRegistry _faults;
    private readonly RequestLog _log;
    private readonly Availability _availability;
    private readonly CancellationTokenSource _stopping;
    private readonly TestApiServerOptions _options;
    private Task _bookmarks = Task.CompletedTask;
    private int _disposed;

    private TestApiServer(
        WebApplication app,
        ObjectStore store,
        WatchHub hub,
        FaultRegistry faults,
        RequestLog log,
        Availability availability,
        CancellationTokenSource stopping,
        TestApiServerOptions options)
    {
        _app = app;
        _store = store;
        _hub = hub;
        _faults = faults;
        _log = log;
        _availability = availability;
        _stopping = stopping;
        _options = options;
    }

    /// <summary>http://127.0.0.1:PORT</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The latest resourceVersion handed out (global across all resources, like etcd's revision).</summary>
    public long CurrentResourceVersion => _store.ResourceVersion;

    /// <summary>Watches currently streaming.</summary>
    public int OpenWatchCount => _hub.Count;

    /// <summary>Events kept for resuming watches; shrinking it compacts the oldest away.</summary>
    public int HistorySize
    {
        get => _store.HistorySize;
        set => _store.HistorySize = value;
    }

    /// <summary>True while the server answers 503 to everything (see <see cref="Restart"/> and <see cref="GoDown"/>).</summary>
    public bool IsDown => _availability.IsDown;

    /// <summary>Every request handled so far (oldest first), with its status code.</summary>
    public IReadOnlyList<RequestRecord> Requests => _log.Snapshot();

    /// <summary>Exceptions thrown by <see cref="OnMutation"/> hooks (a failed invariant shows up here).</summary>
    public IReadOnlyCollection<Exception> MutationHookErrors => _store.HookErrors;

    public static async Task<TestApiServer> StartAsync(TestApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TestApiServerOptions();
        var hub = new WatchHub();
        var stopping = new CancellationTokenSource();
        var store = new ObjectStore(options, hub, stopping.Token);
        var faults = new FaultRegistry();
        var log = new RequestLog(options.RequestLogCapacity);
        var availability = new Availability();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(TestApiServer).Assembly.GetName().Name });
        builder.Services.AddLogging();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.AddServerHeader = false;
            k.Limits.MinResponseDataRate = null;
            k.Limits.MinRequestBodyDataRate = null;
        });
        var app = builder.Build();
        var watches = new WatchStreamer(store, hub, options, stopping.Token);
        var handler = new ApiRequestHandler(new ResourceEndpoints(store, watches), faults, log, availability, stopping.Token);
        app.Run(handler.HandleAsync);

        var server = new TestApiServer(app, store, hub, faults, log, availability, stopping, options);
        if (options.SeedDefaults)
        {
            server.Seed();
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        server.BaseUrl = addresses.First().TrimEnd('/');
        server._bookmarks = Task.Run(server.BookmarkLoopAsync, CancellationToken.None);
        return server;
    }

    /// <summary>A real KubernetesClient pointed at this server.</summary>
    public Kubernetes CreateClient(Action<KubernetesClientConfiguration>? configure = null)
    {
        var config = new KubernetesClientConfiguration { Host = BaseUrl };
        configure?.Invoke(config);
        return new Kubernetes(config);
    }

    // ---- control and fault injection ----

    /// <summary>Ends every open watch stream abruptly (the client sees the connection drop mid-stream).</summary>
    public void CutWatches() => _hub.CutAll();

    /// <summary>Compacts the watch history: resuming from any resourceVersion older than the current one gets 410 Expired.</summary>
    public void ExpireHistory() => _store.ExpireHistory();

    /// <summary>
    /// Simulates an API server restart: every watch is cut, the watch cache starts empty past a new resourceVersion (so
    /// every resume gets 410 Expired and clients must relist), and for <paramref name="downtime"/> every request gets 503.
    /// Objects are kept, as etcd keeps them.
    /// </summary>
    public void Restart(TimeSpan downtime = default)
    {
        _availability.GoDown(downtime);
        _store.Restart();
        _hub.CutAll();
    }

    /// <summary>Answer 503 ServiceUnavailable to every request for <paramref name="duration"/>.</summary>
    public void GoDown(TimeSpan duration) => _availability.GoDown(duration);

    /// <summary>End a down period early.</summary>
    public void ComeUp() => _availability.ComeUp();

    /// <summary>Applies <paramref name="action"/> to requests matching <paramref name="match"/>; the first matching fault wins.</summary>
    public FaultRegistration InjectFault(Func<RequestInfo, bool> match, FaultAction action) => _faults.Add(match, action);

    public void RemoveFault(FaultRegistration fault) => _faults.Remove(fault);

    public void ClearFaults() => _faults.Clear();

    public void ClearRequests() => _log.Clear();

    /// <summary>Successful bindings of the pod <paramref name="namespace"/>/<paramref name="name"/> (reset when it is deleted).</summary>
    public int BindingCount(string @namespace, string name) => _store.BindingCount(@namespace, name);

    /// <summary>
    /// Runs <paramref name="hook"/> synchronously after every committed mutation, inside the store lock, so the store it
    /// sees (through <see cref="Get{T}"/>/<see cref="List{T}"/>) is exactly the state after that mutation. Exceptions are
    /// collected in <see cref="MutationHookErrors"/>. Dispose the result to remove the hook.
    /// </summary>
    public IDisposable OnMutation(Action<StoreChange> hook) => _store.AddHook(hook);

    // ---- direct store access (no HTTP) ----

    /// <summary>Creates an object directly (uid, timestamps, resourceVersion and defaults set; watchers notified).</summary>
    public T Create<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var rt = ResourceRegistry.ForType(typeof(T));
        return FromStored<T>(_store.Create(rt, obj.Metadata?.NamespaceProperty, ToJson(obj), WriteOrigin.InProcess));
    }

    /// <summary>Reads an object; null if absent. For namespaced kinds a null namespace means "default".</summary>
    public T? Get<T>(string name, string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var stored = _store.Get(ResourceRegistry.ForType(typeof(T)), @namespace, name);
        return stored is null ? null : FromStored<T>(stored);
    }

    /// <summary>Lists objects (all namespaces when <paramref name="namespace"/> is null), with optional selectors.</summary>
    public IReadOnlyList<T> List<T>(string? @namespace = null, string? labelSelector = null, string? fieldSelector = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var rt = ResourceRegistry.ForType(typeof(T));
        var filter = new WatchFilter(rt, rt.Namespaced ? @namespace : null, null, LabelSelector.Parse(labelSelector), FieldSelector.Parse(fieldSelector, rt));
        return _store.List(filter).Items.Select(FromStored<T>).ToList();
    }

    /// <summary>Replaces an object (status included). A non-empty metadata.resourceVersion must be current, else 409.</summary>
    public T Update<T>(T obj) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var rt = ResourceRegistry.ForType(typeof(T));
        var name = obj.Metadata?.Name ?? throw new ArgumentException("metadata.name is required", nameof(obj));
        return FromStored<T>(_store.Update(rt, obj.Metadata.NamespaceProperty, name, ToJson(obj), UpdateScope.Full, WriteOrigin.InProcess));
    }

    /// <summary>Atomically reads, mutates and writes back an object (status included); throws <see cref="ApiStatusException"/> 404 if absent.</summary>
    public T Update<T>(string name, string? @namespace, Action<T> mutate) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var rt = ResourceRegistry.ForType(typeof(T));
        var stored = _store.Mutate(rt, @namespace, name, json =>
        {
            var obj = KubernetesJson.Deserialize<T>(json.ToJsonString());
            mutate(obj);
            return ToJson(obj);
        });
        return FromStored<T>(stored);
    }

    /// <summary>Deletes an object immediately (watchers see DELETED); false if it did not exist.</summary>
    public bool Delete<T>(string name, string? @namespace = null) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        try
        {
            _store.Delete(ResourceRegistry.ForType(typeof(T)), @namespace, name);
            return true;
        }
        catch (ApiStatusException e) when (e.Code == 404)
        {
            return false;
        }
    }

    /// <summary>Waits until the named object exists and satisfies <paramref name="predicate"/> (default timeout 10 s).</summary>
    public async Task<T> WaitForAsync<T>(
        string name,
        string? @namespace,
        Func<T, bool> predicate,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var rt = ResourceRegistry.ForType(typeof(T));
        var ns = rt.Namespaced ? @namespace ?? "default" : null;
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var hook = OnMutation(change =>
        {
            if (change.Is<T>() && change.Name == name && change.Namespace == ns && change.GetNew<T>() is { } obj)
            {
                try
                {
                    if (predicate(obj))
                    {
                        done.TrySetResult(obj);
                    }
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                }
            }
        });
        if (Get<T>(name, ns) is { } current && predicate(current))
        {
            return current;
        }

        var limit = timeout ?? TimeSpan.FromSeconds(10);
        try
        {
            return await done.Task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{rt.Plural} {ns}/{name} did not reach the expected state within {limit}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _hub.CutAll();
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that would not close in time are dropped.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        await _bookmarks.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task BookmarkLoopAsync()
    {
        if (_options.BookmarkInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.BookmarkInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                if (_hub.AnyWantBookmarks())
                {
                    _store.EmitBookmarks();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Seed()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Create(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }

        Create(new V1PriorityClass
        {
            Metadata = new V1ObjectMeta { Name = "system-cluster-critical" },
            Value = 2000000000,
            Description = "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        });
        Create(new V1PriorityClass
        {
            Metadata = new V1ObjectMeta { Name = "system-node-critical" },
            Value = 2000001000,
            Description = "Used for system critical pods that must not be moved from their current node.",
        });
    }

    private static System.Text.Json.Nodes.JsonObject ToJson<T>(T obj) =>
        ObjectJson.ParseObject(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(obj)));

    private static T FromStored<T>(StoredObject stored) => KubernetesJson.Deserialize<T>(Encoding.UTF8.GetString(stored.Json));
}
