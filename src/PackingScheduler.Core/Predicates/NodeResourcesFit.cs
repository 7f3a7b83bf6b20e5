using System.Collections.Concurrent;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>
/// The pod's requests must fit in what the node's allocatable has left after the requests of
/// the pods on it, and one more pod must be allowed. Every short resource is reported.
/// </summary>
public sealed class NodeResourcesFit : IFilter, IFilterShortcut
{
    public const string TooManyPods = "Too many pods";
    public const string InsufficientCpu = "Insufficient cpu";
    public const string InsufficientMemory = "Insufficient memory";
    public const string InsufficientEphemeralStorage = "Insufficient ephemeral-storage";

    private static readonly string[] CpuOnly = { InsufficientCpu };
    private static readonly string[] MemoryOnly = { InsufficientMemory };

    private readonly Interner _interner;
    private readonly IReadOnlySet<string> _ignored;
    private readonly IReadOnlySet<string> _ignoredGroups;
    private readonly ConcurrentDictionary<int, string> _scalarReasons = new();
    private readonly ConcurrentDictionary<int, bool> _scalarIgnored = new();

    public NodeResourcesFit(Interner interner, IReadOnlySet<string>? ignoredResources = null, IReadOnlySet<string>? ignoredGroups = null)
    {
        _interner = interner;
        _ignored = ignoredResources ?? new HashSet<string>();
        _ignoredGroups = ignoredGroups ?? new HashSet<string>();
    }

    public FilterPlugin Plugin => FilterPlugin.NodeResourcesFit;

    private bool _cpuMemoryOnly;
    private long _milliCpu, _memory;

    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        ResourceAmounts want = pod.Request;
        // Rows carry cpu, memory and the pod count; ephemeral storage and extended resources go to Filter.
        _cpuMemoryOnly = want.EphemeralStorage == 0 && want.Scalars.Length == 0;
        _milliCpu = want.MilliCpu;
        _memory = want.Memory;
        return null;
    }

    bool IFilterShortcut.PassesAll => false;

    // Filter's results for a cpu/memory pod, by (too many pods, cpu short, memory short) as bits 4, 2, 1.
    private static readonly FilterResult[] ByShortage =
    {
        FilterResult.Success,
        FilterResult.Fail(MemoryOnly),
        FilterResult.Fail(CpuOnly),
        FilterResult.Fail(new[] { InsufficientCpu, InsufficientMemory }),
        FilterResult.Fail(TooManyPods),
        FilterResult.Fail(new[] { TooManyPods, InsufficientMemory }),
        FilterResult.Fail(new[] { TooManyPods, InsufficientCpu }),
        FilterResult.Fail(new[] { TooManyPods, InsufficientCpu, InsufficientMemory }),
    };

    /// <summary>A cpu/memory pod is judged from the row alone, with Filter's comparisons and reasons.</summary>
    bool IFilterShortcut.TryFilterRow(in NodeRow row, out FilterResult result)
    {
        if (!_cpuMemoryOnly)
        {
            result = default;
            return false;
        }
        int shortage = row.PodCount + 1 > row.AllowedPodNumber ? 4 : 0;
        if (_milliCpu > 0 && _milliCpu > row.FreeMilliCpu) shortage |= 2;
        if (_memory > 0 && _memory > row.FreeMemory) shortage |= 1;
        result = ByShortage[shortage];
        return true;
    }
    // A pod slot free and the cpu and memory asked for free (the same comparisons as Filter).
    RowCondition? IFilterShortcut.RowCondition =>
        _cpuMemoryOnly ? new RowCondition(false, false, PodSlot: true, _milliCpu, _memory) : null;

    public FilterResult Filter(PodInfo pod, NodeInfo node)
    {
        bool tooMany = node.Pods.Count + 1 > node.AllowedPodNumber;
        ResourceAmounts want = pod.Request;
        if (want.IsZero) return tooMany ? FilterResult.Fail(TooManyPods) : FilterResult.Success;

        ResourceAmounts alloc = node.Allocatable;
        ResourceAmounts used = node.Requested;
        bool cpu = want.MilliCpu > 0 && want.MilliCpu > alloc.MilliCpu - used.MilliCpu;
        bool mem = want.Memory > 0 && want.Memory > alloc.Memory - used.Memory;
        bool eph = want.EphemeralStorage > 0 && want.EphemeralStorage > alloc.EphemeralStorage - used.EphemeralStorage;
        int scalarShort = 0;
        ScalarAmount[] scalars = want.Scalars;
        for (int i = 0; i < scalars.Length; i++)
        {
            if (IsShort(scalars[i], alloc, used)) scalarShort++;
        }
        if (!tooMany && !cpu && !mem && !eph && scalarShort == 0) return FilterResult.Success;

        // Common single-reason cases without allocating.
        if (!tooMany && !eph && scalarShort == 0 && cpu != mem) return FilterResult.Fail(cpu ? CpuOnly : MemoryOnly);

        var reasons = new List<string>(4);
        if (tooMany) reasons.Add(TooManyPods);
        if (cpu) reasons.Add(InsufficientCpu);
        if (mem) reasons.Add(InsufficientMemory);
        if (eph) reasons.Add(InsufficientEphemeralStorage);
        for (int i = 0; i < scalars.Length; i++)
        {
            if (IsShort(scalars[i], alloc, used)) reasons.Add(ScalarReason(scalars[i].ResourceId));
        }
        return FilterResult.Fail(reasons.ToArray());
    }

    private bool IsShort(ScalarAmount want, in ResourceAmounts alloc, in ResourceAmounts used)
    {
        if (want.Amount == 0 || IsIgnored(want.ResourceId)) return false;
        return want.Amount > alloc.Scalar(want.ResourceId) - used.Scalar(want.ResourceId);
    }

    private bool IsIgnored(int resourceId)
    {
        if (_ignored.Count == 0 && _ignoredGroups.Count == 0) return false;
        return _scalarIgnored.GetOrAdd(resourceId, id =>
        {
            string name = _interner[id];
            // Only extended resources may be ignored: not hugepages (no slash), nor kubernetes.io/ names, which are native.
            int slash = name.IndexOf('/');
            if (slash < 0 || name.Contains("kubernetes.io/", StringComparison.Ordinal)) return false;
            return _ignored.Contains(name) || _ignoredGroups.Contains(name[..slash]);
        });
    }

    private string ScalarReason(int resourceId) =>
        _scalarReasons.GetOrAdd(resourceId, static (id, interner) => "Insufficient " + interner[id], _interner);
}
