using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Queue;
using PackingScheduler.Core.Scheduling;
using PackingScheduler.Kubernetes;

namespace PackingScheduler.Hosting;

/// <summary>
/// The live scheduler: informers fill the cache and the queue on every replica (a standby is
/// warm); only the leader runs the scheduling loop. Losing the lease stops scheduling at once
/// and ends the process, as kube-scheduler does, so that a restart rejoins cleanly. Shutdown
/// stops taking pods and lets bindings already decided finish, up to the drain timeout.
/// </summary>
public sealed partial class SchedulerService : BackgroundService
{
    private readonly SchedulerOptions _options;
    private readonly IKubernetes _client;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<SchedulerService> _log;
    private readonly ILoggerFactory _loggers;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _leading;

    public SchedulerService(IOptions<SchedulerOptions> optionsAccessor, IKubernetes client, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    {
        SchedulerOptions options = optionsAccessor.Value;
        _options = options;
        _client = client;
        _lifetime = lifetime;
        _loggers = loggers;
        _log = loggers.CreateLogger<SchedulerService>();
        var interner = new Interner();
        Cache = new SchedulerCache(interner);
        Queue = new SchedulingQueue(SystemClock.Instance, SchedulingQueueOptions.FromSeconds(
            (long)options.PodInitialBackoff.TotalSeconds, (long)options.PodMaxBackoff.TotalSeconds));
        Metrics = new PrometheusMetrics(options.SchedulerName);
        Metrics.ObserveOnScrape(Queue, Cache);
        Reporter = new EventReporter(client, options.SchedulerName, SystemClock.Instance, loggers.CreateLogger<EventReporter>());
        Events = new ClusterEventHandler(options.SchedulerName, Cache, Queue, Reporter, loggers.CreateLogger<ClusterEventHandler>());
    }

    public SchedulerCache Cache { get; }
    public SchedulingQueue Queue { get; }
    public PrometheusMetrics Metrics { get; }
    public EventReporter Reporter { get; }
    public ClusterEventHandler Events { get; }
    public SchedulerLoop? Loop { get; private set; }

    public bool IsReady => _synced.Task.IsCompleted;
    public bool IsLeading => _leading;
    public Task Synced => _synced.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var background = new List<Task>();
        ILogger informerLog = _loggers.CreateLogger("PackingScheduler.Informer");
        const string notTerminal = "status.phase!=Succeeded,status.phase!=Failed";
        var informers = new List<Task>
        {
            Start(new Informer<V1Pod, V1PodList>("pods",
                ct => _client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: notTerminal, cancellationToken: ct),
                (rv, err, ct) => _client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: notTerminal, resourceVersion: rv, onError: err, cancellationToken: ct),
                Events.Pods, informerLog)),
            Start(new Informer<V1Node, V1NodeList>("nodes",
                ct => _client.CoreV1.ListNodeAsync(cancellationToken: ct),
                (rv, err, ct) => _client.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: rv, onError: err, cancellationToken: ct),
                Events.Nodes, informerLog)),
            Start(new Informer<V1Namespace, V1NamespaceList>("namespaces",
                ct => _client.CoreV1.ListNamespaceAsync(cancellationToken: ct),
                (rv, err, ct) => _client.CoreV1.WatchListNamespaceAsync(allowWatchBookmarks: true, resourceVersion: rv, onError: err, cancellationToken: ct),
                Events.Namespaces, informerLog)),
            Start(new Informer<V1PersistentVolume, V1PersistentVolumeList>("persistentvolumes",
                ct => _client.CoreV1.ListPersistentVolumeAsync(cancellationToken: ct),
                (rv, err, ct) => _client.CoreV1.WatchListPersistentVolumeAsync(allowWatchBookmarks: true, resourceVersion: rv, onError: err, cancellationToken: ct),
                Events.Volumes, informerLog)),
            Start(new Informer<V1PersistentVolumeClaim, V1PersistentVolumeClaimList>("persistentvolumeclaims",
                ct => _client.CoreV1.ListPersistentVolumeClaimForAllNamespacesAsync(cancellationToken: ct),
                (rv, err, ct) => _client.CoreV1.WatchListPersistentVolumeClaimForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, onError: err, cancellationToken: ct),
                Events.Claims, informerLog)),
            Start(new Informer<V1StorageClass, V1StorageClassList>("storageclasses",
                ct => _client.StorageV1.ListStorageClassAsync(cancellationToken: ct),
                (rv, err, ct) => _client.StorageV1.WatchListStorageClassAsync(allowWatchBookmarks: true, resourceVersion: rv, onError: err, cancellationToken: ct),
                Events.StorageClasses, informerLog)),
            Start(new Informer<V1PriorityClass, V1PriorityClassList>("priorityclasses",
                ct => _client.SchedulingV1.ListPriorityClassAsync(cancellationToken: ct),
                (rv, err, ct) => _client.SchedulingV1.WatchListPriorityClassAsync(allowWatchBookmarks: true, resourceVersion: rv, onError: err, cancellationToken: ct),
                Events.PriorityClasses, informerLog)),
            Start(new Informer<V1PodDisruptionBudget, V1PodDisruptionBudgetList>("poddisruptionbudgets",
                ct => _client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(cancellationToken: ct),
                (rv, err, ct) => _client.PolicyV1.WatchListPodDisruptionBudgetForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, onError: err, cancellationToken: ct),
                Events.DisruptionBudgets, informerLog)),
        };
        background.Add(Reporter.RunAsync(stoppingToken));
        background.Add(Queue.RunAsync(stoppingToken));
        background.Add(CleanupAssumedAsync(stoppingToken));

        Task Start<T, TList>(Informer<T, TList> informer)
            where T : IKubernetesObject<V1ObjectMeta>
            where TList : IKubernetesObject<V1ListMeta>, IItems<T>
        {
            background.Add(Task.Run(() => informer.RunAsync(stoppingToken), CancellationToken.None));
            return informer.Synced;
        }

        try
        {
            await Task.WhenAll(informers).WaitAsync(stoppingToken).ConfigureAwait(false);
            _synced.TrySetResult();
            LogSynced(Cache.NodeCount, Cache.PodCount, Queue.Count);

            if (_options.LeaderElect) await RunWithLeaderElectionAsync(stoppingToken).ConfigureAwait(false);
            else await RunSchedulingAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Queue.Close();
            await Task.WhenAll(background.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        }
    }

    private async Task RunSchedulingAsync(CancellationToken stopScheduling, CancellationToken abortBindings = default)
    {
        IBinder binder = new ApiBinder(_client, _options.BindTimeout);
        var engine = new SchedulingEngine(_options.Profile, Cache.Interner);
        var preemption = new ApiPreemptionExecutor(_client, _options.SchedulerName, Reporter, _loggers.CreateLogger<ApiPreemptionExecutor>(), _options.BindTimeout);
        Loop = new SchedulerLoop(Queue, Cache, engine, binder, Reporter, Metrics, SystemClock.Instance, _options.BindConcurrency,
            preemptionExecutor: preemption);
        // Bindings already decided get the drain timeout after the stop, unless aborted first.
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(abortBindings);
        using CancellationTokenRegistration reg = stopScheduling.Register(() => drain.CancelAfter(_options.DrainTimeout));
        LogSchedulingStarted(_options.SchedulerName);
        await Loop.RunAsync(stopScheduling, drain.Token).ConfigureAwait(false);
        LogSchedulingStopped(Loop.InFlightBindings);
    }

    private async Task RunWithLeaderElectionAsync(CancellationToken stoppingToken)
    {
        string identity = _options.Identity ?? $"{Environment.MachineName}_{Guid.NewGuid():N}";
        var leaseLock = new LeaseLock(_client, _options.LockNamespace, _options.LockName, identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        });
        using var lost = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        elector.OnStartedLeading += () => started.TrySetResult();
        elector.OnStoppedLeading += () =>
        {
            _leading = false;
            // Stop at once: no new decisions and no bindings after the lease is gone.
            lost.Cancel();
        };
        elector.OnNewLeader += leader => LogNewLeader(leader);

        Task electing = elector.RunUntilLeadershipLostAsync(stoppingToken);
        Task first = await Task.WhenAny(started.Task, electing).ConfigureAwait(false);
        if (first != started.Task)
        {
            await electing.ConfigureAwait(false);
            return;
        }
        _leading = true;
        LogLeading(identity);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lost.Token);
        await RunSchedulingAsync(stop.Token, lost.Token).ConfigureAwait(false);
        if (lost.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            LogLeaseLost(identity);
            _lifetime.StopApplication();
        }
        await electing.ConfigureAwait(false);
    }

    private async Task CleanupAssumedAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
                Cache.CleanupExpired(DateTime.UtcNow);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "caches synced: {Nodes} nodes, {Pods} pods, {Pending} pending pods")]
    private partial void LogSynced(int nodes, int pods, int pending);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "scheduling pods with schedulerName {SchedulerName}")]
    private partial void LogSchedulingStarted(string schedulerName);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "scheduling stopped; {InFlight} bindings still in flight")]
    private partial void LogSchedulingStopped(long inFlight);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "became leader as {Identity}")]
    private partial void LogLeading(string identity);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "leader election lost by {Identity}; stopping")]
    private partial void LogLeaseLost(string identity);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "the leader is {Leader}")]
    private partial void LogNewLeader(string leader);
}
