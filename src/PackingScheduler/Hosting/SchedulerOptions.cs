using PackingScheduler.Core.Policy;

namespace PackingScheduler.Hosting;

/// <summary>How `packing-scheduler run` is configured: kube-scheduler's flags, resolved.</summary>
public sealed class SchedulerOptions
{
    public string SchedulerName { get; set; } = SchedulerProfile.DefaultSchedulerName;
    public SchedulerProfile Profile { get; set; } = SchedulerProfile.NodePacking();
    public string? Kubeconfig { get; set; }

    /// <summary>API server URL; when set (tests), overrides kubeconfig and in-cluster config.</summary>
    public string? Master { get; set; }

    public bool LeaderElect { get; set; } = true;
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);
    public string LockNamespace { get; set; } = "kube-system";
    public string LockName { get; set; } = SchedulerProfile.DefaultSchedulerName;

    /// <summary>Identity in the lease; defaults to the host name plus a unique suffix.</summary>
    public string? Identity { get; set; }

    public float KubeApiQps { get; set; } = 50;
    public int KubeApiBurst { get; set; } = 100;

    /// <summary>Port for /healthz, /livez, /readyz and /metrics; 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 10251;
    public string BindAddress { get; set; } = "0.0.0.0";

    public int Verbosity { get; set; } = 2;
    public string LogFormat { get; set; } = "text";

    public TimeSpan PodInitialBackoff { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan PodMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);
    public int BindConcurrency { get; set; } = 16;

    /// <summary>How long one binding call may take before it counts as failed (forgotten and retried with backoff).</summary>
    public TimeSpan BindTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long shutdown waits for bindings already decided.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// For a scheduler pointed at a local API server (tests, benchmarks, soak): an ephemeral
    /// loopback port, no leader election, quiet logs, and client throttling effectively off so
    /// that the API server, not the client, sets the pace.
    /// </summary>
    public static SchedulerOptions ForLocalApiServer(string master) => new()
    {
        Master = master,
        Port = 0,
        BindAddress = "127.0.0.1",
        LeaderElect = false,
        Verbosity = 0,
        KubeApiQps = 1_000_000,
        KubeApiBurst = 1_000_000,
        DrainTimeout = TimeSpan.FromSeconds(5),
    };
}
