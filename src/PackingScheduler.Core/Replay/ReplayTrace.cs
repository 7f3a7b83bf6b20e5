using k8s.Models;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// A workload to replay: the cluster (Kubernetes Nodes, translated afresh for every run), the
/// jobs in arrival order (ties keep trace order), the class names, and the measured window
/// [<see cref="MeasureFrom"/>, <see cref="MeasureUntil"/>) in seconds: jobs arriving in it are
/// counted, and time-integrated metrics cover it. A null MeasureUntil means until the replay ends.
/// </summary>
public sealed class ReplayTrace
{
    public ReplayTrace(IReadOnlyList<V1Node> nodes, IReadOnlyList<TracePod> pods, IReadOnlyList<string> classes,
        long measureFrom = 0, long? measureUntil = null, GeneratorSpec? generator = null)
    {
        for (int i = 1; i < pods.Count; i++)
        {
            if (pods[i].Arrival < pods[i - 1].Arrival)
                throw new ArgumentException($"pods must be in arrival order: {pods[i].Name} arrives before {pods[i - 1].Name}", nameof(pods));
        }
        Nodes = nodes;
        Pods = pods;
        Classes = classes;
        MeasureFrom = measureFrom;
        MeasureUntil = measureUntil;
        Generator = generator;
    }

    public IReadOnlyList<V1Node> Nodes { get; }
    public IReadOnlyList<TracePod> Pods { get; }
    public IReadOnlyList<string> Classes { get; }
    public long MeasureFrom { get; }
    public long? MeasureUntil { get; }

    /// <summary>The spec the trace was generated from, if it was.</summary>
    public GeneratorSpec? Generator { get; }

    /// <summary>Whether a job arriving at <paramref name="arrival"/> counts in the metrics.</summary>
    public bool IsMeasured(long arrival) => arrival >= MeasureFrom && (MeasureUntil is not { } until || arrival < until);
}
