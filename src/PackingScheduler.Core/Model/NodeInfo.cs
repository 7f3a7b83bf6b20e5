using System.Diagnostics;

namespace PackingScheduler.Core.Model;

/// <summary>
/// A node and what runs on it: its compiled spec (labels, taints, allocatable) and the running
/// totals the filters and scores read, kept up to date as pods are added and removed.
/// </summary>
[DebuggerDisplay("{Name}: {Pods.Count} pods, cpu {Requested.MilliCpu}/{Allocatable.MilliCpu}m")]
public sealed class NodeInfo
{
    private readonly List<PodInfo> _pods = new();
    private readonly List<PodInfo> _podsWithAffinity = new();
    private readonly List<PodInfo> _podsWithRequiredAntiAffinity = new();
    private readonly List<HostPort> _usedPorts = new();

    public NodeInfo(string name, int nameId)
    {
        Name = name;
        NameId = nameId;
    }

    public string Name { get; }
    public int NameId { get; }

    public LabelSet Labels { get; set; } = LabelSet.Empty;
    public bool Unschedulable { get; set; }
    public Taint[] Taints { get; set; } = Array.Empty<Taint>();

    /// <summary>status.allocatable, else status.capacity.</summary>
    public ResourceAmounts Allocatable { get; set; }
    public long AllowedPodNumber { get; set; }

    public ResourceAmounts Requested { get; private set; }
    public long NonZeroRequestedMilliCpu { get; private set; }
    public long NonZeroRequestedMemory { get; private set; }

    public IReadOnlyList<PodInfo> Pods => _pods;
    public IReadOnlyList<PodInfo> PodsWithAffinity => _podsWithAffinity;
    public IReadOnlyList<PodInfo> PodsWithRequiredAntiAffinity => _podsWithRequiredAntiAffinity;
    public IReadOnlyList<HostPort> UsedPorts => _usedPorts;

    /// <summary>Bumped on every change, so that per-node derived data can be cached safely.</summary>
    public long Generation { get; private set; }

    public void CopySpecFrom(NodeInfo other)
    {
        Labels = other.Labels;
        Unschedulable = other.Unschedulable;
        Taints = other.Taints;
        Allocatable = other.Allocatable;
        AllowedPodNumber = other.AllowedPodNumber;
        Generation++;
    }

    public void AddPod(PodInfo pod)
    {
        _pods.Add(pod);
        if (pod.HasPodAffinity) _podsWithAffinity.Add(pod);
        if (pod.HasRequiredAntiAffinity) _podsWithRequiredAntiAffinity.Add(pod);
        _usedPorts.AddRange(pod.HostPorts);
        Requested = Requested.Add(pod.Request);
        NonZeroRequestedMilliCpu += pod.NonZeroMilliCpu;
        NonZeroRequestedMemory += pod.NonZeroMemory;
        Generation++;
    }

    public bool RemovePod(PodInfo pod)
    {
        if (!_pods.Remove(pod)) return false;
        _podsWithAffinity.Remove(pod);
        _podsWithRequiredAntiAffinity.Remove(pod);
        foreach (HostPort p in pod.HostPorts) _usedPorts.Remove(p);
        Requested = Requested.Add(pod.Request, sign: -1);
        NonZeroRequestedMilliCpu -= pod.NonZeroMilliCpu;
        NonZeroRequestedMemory -= pod.NonZeroMemory;
        Generation++;
        return true;
    }
}
