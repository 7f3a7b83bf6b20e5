using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>
/// Disk conflicts (the legacy NoDiskConflict): a GCE PD, ISCSI or RBD image may be shared on a
/// node only if every pod mounts it read-only; an AWS EBS volume may not be shared at all.
/// </summary>
public sealed class VolumeRestrictions : IFilter, IFilterShortcut
{
    public const string Reason = "node(s) had no available disk";

    public FilterPlugin Plugin => FilterPlugin.VolumeRestrictions;

    private bool _noDisks;

    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        _noDisks = pod.DiskVolumes.Length == 0;
        return null;
    }

    bool IFilterShortcut.PassesAll => _noDisks;
    RowCondition? IFilterShortcut.RowCondition => null;

    public FilterResult Filter(PodInfo pod, NodeInfo node)
    {
        DiskVolume[] mine = pod.DiskVolumes;
        if (mine.Length == 0) return FilterResult.Success;
        IReadOnlyList<PodInfo> pods = node.Pods;
        for (int i = 0; i < mine.Length; i++)
        {
            for (int p = 0; p < pods.Count; p++)
            {
                DiskVolume[] theirs = pods[p].DiskVolumes;
                for (int j = 0; j < theirs.Length; j++)
                {
                    if (Conflicts(mine[i], theirs[j])) return FilterResult.Fail(Reason);
                }
            }
        }
        return FilterResult.Success;
    }

    public static bool Conflicts(DiskVolume a, DiskVolume b)
    {
        if (a.Kind != b.Kind || !string.Equals(a.Id, b.Id, StringComparison.Ordinal)) return false;
        bool bothReadOnly = a.ReadOnly && b.ReadOnly;
        return a.Kind switch
        {
            VolumeKind.GcePersistentDisk or VolumeKind.Iscsi => !bothReadOnly,
            VolumeKind.AwsElasticBlockStore => true,
            // Same image: same pool and at least one Ceph monitor in common.
            VolumeKind.Rbd => a.Pool == b.Pool && MonitorsOverlap(a.Monitors, b.Monitors) && !bothReadOnly,
            _ => false,
        };
    }

    private static bool MonitorsOverlap(string[]? a, string[]? b)
    {
        if (a is null || b is null) return false;
        foreach (string m in a)
        {
            if (Array.IndexOf(b, m) >= 0) return true;
        }
        return false;
    }
}
