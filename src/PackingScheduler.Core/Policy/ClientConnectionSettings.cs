namespace PackingScheduler.Core.Policy;

/// <summary>clientConnection of a KubeSchedulerConfiguration, with the scheduler's own defaults (qps 50, burst 100).</summary>
public sealed record ClientConnectionSettings
{
    /// <summary>Path of a kubeconfig file; empty means in-cluster or the command line's.</summary>
    public string Kubeconfig { get; init; } = "";
    public string AcceptContentTypes { get; init; } = "";
    public string ContentType { get; init; } = "application/vnd.kubernetes.protobuf";
    public double Qps { get; init; } = 50;
    public int Burst { get; init; } = 100;
}
