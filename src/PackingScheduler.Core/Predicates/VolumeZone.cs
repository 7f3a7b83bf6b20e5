using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>
/// A pod's bound PersistentVolumes carry zone/region labels; a node that has any topology label
/// must match every one of them (a multi-zone value lists zones joined by "__").
/// </summary>
public sealed class VolumeZone : IFilter, IFilterShortcut
{
    public const string Reason = "node(s) had no available volume zone";

    private const string BetaZone = "failure-domain.beta.kubernetes.io/zone";
    private const string BetaRegion = "failure-domain.beta.kubernetes.io/region";
    private const string Zone = "topology.kubernetes.io/zone";
    private const string Region = "topology.kubernetes.io/region";

    private static readonly string[] TopologyLabels = { BetaZone, BetaRegion, Zone, Region };

    private readonly int[] _topologyKeys;
    private readonly Interner _interner;
    private readonly List<(int Key, int GaKey, int[] Values)> _required = new();

    public VolumeZone(Interner interner)
    {
        _interner = interner;
        _topologyKeys = Array.ConvertAll(TopologyLabels, interner.Intern);
    }

    public FilterPlugin Plugin => FilterPlugin.VolumeZone;

    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        _required.Clear();
        foreach (string claimName in pod.ClaimNames)
        {
            ClaimInfo? claim = cluster.FindClaim(pod.NamespaceName, claimName);
            if (claim is null) return $"persistentvolumeclaim \"{claimName}\" not found";
            if (string.IsNullOrEmpty(claim.VolumeName))
            {
                if (string.IsNullOrEmpty(claim.StorageClassName)) return "PersistentVolumeClaim had no pv name and storageClass name";
                StorageClassInfo? sc = cluster.FindStorageClass(claim.StorageClassName);
                if (sc is null) return $"storageclass.storage.k8s.io \"{claim.StorageClassName}\" not found";
                if (sc.VolumeBindingMode is null) return $"VolumeBindingMode not set for StorageClass \"{claim.StorageClassName}\"";
                // Unbound claims that wait for the first consumer are bound after scheduling; nothing to check yet.
                if (sc.VolumeBindingMode == "WaitForFirstConsumer") continue;
                return "PersistentVolume had no name";
            }
            VolumeInfo? pv = cluster.FindVolume(claim.VolumeName);
            if (pv is null) return $"persistentvolume \"{claim.VolumeName}\" not found";
            foreach (string key in TopologyLabels)
            {
                if (!pv.Labels.TryGetValue(key, out string? value)) continue;
                string[] zones = value.Split("__", StringSplitOptions.TrimEntries);
                // Upstream ignores a label it cannot parse as a zone list: one with an empty zone ("", "a__").
                if (Array.IndexOf(zones, string.Empty) >= 0) continue;
                int ga = _interner.Intern(key switch { BetaZone => Zone, BetaRegion => Region, _ => key });
                _required.Add((_interner.Intern(key), ga, Array.ConvertAll(zones, _interner.Intern)));
            }
        }
        return null;
    }

    bool IFilterShortcut.PassesAll => _required.Count == 0;
    RowCondition? IFilterShortcut.RowCondition => null;

    public FilterResult Filter(PodInfo pod, NodeInfo node)
    {
        if (_required.Count == 0) return FilterResult.Success;
        bool constrained = false;
        foreach (int k in _topologyKeys)
        {
            if (node.Labels.ContainsKey(k))
            {
                constrained = true;
                break;
            }
        }
        // A node with no topology labels at all (a single-zone cluster) takes any volume.
        if (!constrained) return FilterResult.Success;
        foreach ((int key, int gaKey, int[] values) in _required)
        {
            if (!node.Labels.TryGetValue(key, out int v) && !node.Labels.TryGetValue(gaKey, out v))
                return FilterResult.Fail(Reason, unresolvable: true);
            if (Array.IndexOf(values, v) < 0) return FilterResult.Fail(Reason, unresolvable: true);
        }
        return FilterResult.Success;
    }
}
