using k8s.Models;

namespace PackingScheduler.Core.Simulation;

/// <summary>An object and where it came from ("scenario.yaml: document 4 (Pod default/job-a)"), for error messages.</summary>
public sealed record Sourced<T>(T Object, string Origin);

/// <summary>A cluster and its pending pods, as simulate schedules them. Pods with spec.nodeName are running.</summary>
public sealed class SimulationInput
{
    public List<Sourced<V1Node>> Nodes { get; } = new();
    public List<Sourced<V1Pod>> Pods { get; } = new();
    public List<Sourced<V1PriorityClass>> PriorityClasses { get; } = new();
    public List<Sourced<V1PersistentVolume>> PersistentVolumes { get; } = new();
    public List<Sourced<V1PersistentVolumeClaim>> PersistentVolumeClaims { get; } = new();
    public List<Sourced<V1StorageClass>> StorageClasses { get; } = new();
    public List<Sourced<V1Namespace>> Namespaces { get; } = new();
}

/// <summary>Input that cannot be simulated; the message names the object and the field.</summary>
public sealed class SimulationInputException : Exception
{
    public SimulationInputException(string message) : base(message) { }
}
