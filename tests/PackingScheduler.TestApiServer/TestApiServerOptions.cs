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

    /// <summary>Requests kept in <see cref="TestApiServer.Requests"/>; the oldest are dropped past this.</summary>
    public int RequestLogCapacity { get; set; } = 100_000;
}
