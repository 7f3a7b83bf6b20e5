using k8s;
using k8s.Models;

namespace PackingScheduler.Tests.Deployment;

/// <summary>The fields of a Prometheus-operator ServiceMonitor (monitoring.coreos.com/v1) the base uses; strict loading rejects others.</summary>
public sealed class ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public ServiceMonitorSpec Spec { get; set; } = new();
}

public sealed class ServiceMonitorSpec
{
    public V1LabelSelector? Selector { get; set; }
    public ServiceMonitorNamespaceSelector? NamespaceSelector { get; set; }
    public List<ServiceMonitorEndpoint> Endpoints { get; set; } = [];
}

public sealed class ServiceMonitorNamespaceSelector
{
    public List<string>? MatchNames { get; set; }
    public bool? Any { get; set; }
}

public sealed class ServiceMonitorEndpoint
{
    public string? Port { get; set; }
    public string? Path { get; set; }
    public string? Interval { get; set; }
    public string? Scheme { get; set; }
}
