using System.Diagnostics;

namespace PackingScheduler.Core.Model;

public enum VolumeKind : byte { GcePersistentDisk, AwsElasticBlockStore, Iscsi, Rbd }

/// <summary>A directly attached disk, for VolumeRestrictions: GCE PD, AWS EBS, ISCSI or RBD.</summary>
public sealed record DiskVolume(VolumeKind Kind, string Id, bool ReadOnly, string Pool = "", string[]? Monitors = null);

/// <summary>A host port a container asks for. HostIp is interned ("0.0.0.0" when unset); Protocol "TCP" when unset.</summary>
public readonly record struct HostPort(int HostIp, int Protocol, int Port);

/// <summary>
/// A pod compiled once, on arrival, into what the engine reads: integer requests, interned labels,
/// compiled selectors, tolerations and affinity terms. Immutable except for the bound node.
/// </summary>
[DebuggerDisplay("{Key}")]
public sealed class PodInfo
{
    private static readonly AffinityTerm[] NoTerms = Array.Empty<AffinityTerm>();
    private static int s_serial;

    /// <summary>A process-unique number, the hash of this object in the cluster state's indexes (cheaper than the identity hash).</summary>
    internal int Serial { get; } = Interlocked.Increment(ref s_serial);

    public required string Name { get; init; }
    public required string NamespaceName { get; init; }
    public required int Namespace { get; init; }
    public string Key => NamespaceName + "/" + Name;
    public string? Uid { get; init; }
    public LabelSet Labels { get; init; } = LabelSet.Empty;
    public string SchedulerName { get; init; } = "default-scheduler";

    public int Priority { get; init; }
    public bool PreemptionNever { get; init; }

    /// <summary>Queue tie-break after priority: creation time ticks, else arrival sequence.</summary>
    public long Order { get; init; }

    /// <summary>spec.nodeName: where the pod runs, or null for a pending pod.</summary>
    public string? NodeName { get; set; }

    /// <summary>
    /// status.nominatedNodeName: the node a preemption freed for this pending pod. Set by this
    /// scheduler's preemption or read from the pod; the next cycle tries that node first.
    /// </summary>
    public string? NominatedNodeName { get; set; }

    /// <summary>status.startTime (UTC ticks), or null when the pod has not started (assumed, or bound but not yet running).</summary>
    public long? StartTimeTicks { get; init; }

    /// <summary>metadata.deletionTimestamp is set: the pod is terminating and still holds its node.</summary>
    public bool Terminating { get; set; }

    /// <summary>
    /// Terminating because a scheduler preempted it (the DisruptionTarget condition with reason
    /// PreemptionByScheduler): a preemptor waits for such pods on its nominated node instead of preempting more.
    /// </summary>
    public bool TerminatingByPreemption { get; set; }

    /// <summary>Requests as the fit check sees them: max(sum of containers, each init container) + overhead.</summary>
    public ResourceAmounts Request { get; init; }

    /// <summary>cpu and memory as scoring sees them: containers with no request count upstream's defaults.</summary>
    public long NonZeroMilliCpu { get; init; }
    public long NonZeroMemory { get; init; }

    public Toleration[] Tolerations { get; init; } = Array.Empty<Toleration>();
    public RequiredNodeAffinity RequiredNodeAffinity { get; init; } = RequiredNodeAffinity.None;
    public WeightedNodeSelectorTerm[] PreferredNodeAffinity { get; init; } = Array.Empty<WeightedNodeSelectorTerm>();
    public HostPort[] HostPorts { get; init; } = Array.Empty<HostPort>();
    public DiskVolume[] DiskVolumes { get; init; } = Array.Empty<DiskVolume>();

    /// <summary>persistentVolumeClaim.claimName of each PVC volume, for VolumeZone.</summary>
    public string[] ClaimNames { get; init; } = Array.Empty<string>();

    public AffinityTerm[] RequiredAffinityTerms { get; init; } = NoTerms;
    public AffinityTerm[] RequiredAntiAffinityTerms { get; init; } = NoTerms;
    public AffinityTerm[] PreferredAffinityTerms { get; init; } = NoTerms;
    public AffinityTerm[] PreferredAntiAffinityTerms { get; init; } = NoTerms;

    public bool HasPodAffinity =>
        RequiredAffinityTerms.Length + RequiredAntiAffinityTerms.Length + PreferredAffinityTerms.Length + PreferredAntiAffinityTerms.Length > 0;

    public bool HasRequiredAntiAffinity => RequiredAntiAffinityTerms.Length > 0;

    /// <summary>
    /// A copy placed on <paramref name="nodeName"/>: how a nominated (not yet bound) pod is
    /// counted on its node while other pods are filtered there.
    /// </summary>
    public PodInfo CopyOnNode(string nodeName)
    {
        var copy = (PodInfo)MemberwiseClone();
        copy.NodeName = nodeName;
        return copy;
    }
}
