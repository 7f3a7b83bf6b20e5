namespace PackingScheduler.TestApiServer;

/// <summary>Start-up settings of a <see cref="TestApiServer"/>.</summary>
public sealed class TestApiServerOptions
{
    /// <summary>How many recent events (all resources together) a watch can resume from; older versions get 410 Expired.</summary>
    public int HistorySize { get; set; } = 1000;

    /// <summary>How often watches that asked for bookmarks (allowWatchBookmarks=true) get one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events buffered per watch; a watcher further behind is disconnected, as the real server does.</summary>
    public int WatchBufferSize { get; set; } = 10_000;

    /// <summary>Server-side end of watches that give no timeoutSeconds (null: never).</summary>
    public TimeSpan? DefaultWatchTimeout { get; set; }

    /// <summary>Create what a fresh cluster has: namespaces default, kube-system, kube-public, kube-node-lease and the
    /// system-cluster-critical / system-node-critical PriorityClasses.</summary>
    public bool SeedDefaults { get; set; } = true;

    /// <summary>Reject creating namespaced objects (over HTTP) in a namespace that does not exist (404), as the real server does.</summary>
    public bool RequireNamespaceExists { get; set; }

    /// <summary>
    /// Who finishes a pod deleted gracefully over HTTP (bound, grace period above 0, so it got
    /// metadata.deletionTimestamp and stays): <see cref="KubeletMode.None"/> (the default) nobody, as
    /// on a node without a kubelet: it stays terminating until deleted again with gracePeriodSeconds 0
    /// or in-process; <see cref="KubeletMode.GracePeriod"/> removes it when its grace period is over;
    /// <see cref="KubeletMode.FixedDelay"/> removes it <see cref="KubeletDelay"/> after the deletion started.
    /// </summary>
    public KubeletMode Kubelet { get; set; } = KubeletMode.None;

    /// <summary>With <see cref="KubeletMode.FixedDelay"/>: how long a gracefully deleted pod stays terminating.</summary>
    public TimeSpan KubeletDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Requests kept in <see cref="TestApiServer.Requests"/>; the oldest are dropped past this.</summary>
    public int RequestLogCapacity { get; set; } = 100_000;
}

/// <summary>How the test server plays the kubelet for gracefully deleted pods (see <see cref="TestApiServerOptions.Kubelet"/>).</summary>
public enum KubeletMode
{
    /// <summary>Terminating pods stay until deleted again (grace 0, or in-process).</summary>
    None,

    /// <summary>A terminating pod is removed when its deletionGracePeriodSeconds has passed.</summary>
    GracePeriod,

    /// <summary>A terminating pod is removed <see cref="TestApiServerOptions.KubeletDelay"/> after its deletion started.</summary>
    FixedDelay,
}
