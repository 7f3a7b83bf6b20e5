using System.Diagnostics;

namespace PackingScheduler.Core.Model;

/// <summary>An amount of one extended (scalar) resource, such as nvidia.com/gpu or hugepages-2Mi.</summary>
[DebuggerDisplay("{ResourceId}: {Amount}")]
public readonly record struct ScalarAmount(int ResourceId, long Amount);

/// <summary>
/// Resource amounts as integers: cpu in millicores, memory and ephemeral storage in bytes,
/// extended resources in their units, sorted by interned resource name id.
/// </summary>
public readonly struct ResourceAmounts
{
    public static readonly ScalarAmount[] NoScalars = Array.Empty<ScalarAmount>();

    public ResourceAmounts(long milliCpu, long memory, long ephemeralStorage, ScalarAmount[]? scalars = null)
    {
        MilliCpu = milliCpu;
        Memory = memory;
        EphemeralStorage = ephemeralStorage;
        _scalars = scalars ?? NoScalars;
        Debug.Assert(IsSorted(_scalars));
    }

    public long MilliCpu { get; }
    public long Memory { get; }
    public long EphemeralStorage { get; }
    private readonly ScalarAmount[]? _scalars;

    /// <summary>Never null, also for default(ResourceAmounts).</summary>
    public ScalarAmount[] Scalars => _scalars ?? NoScalars;

    public bool IsZero => MilliCpu == 0 && Memory == 0 && EphemeralStorage == 0 && Scalars.Length == 0;

    public long Scalar(int resourceId)
    {
        ScalarAmount[] s = Scalars;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i].ResourceId == resourceId) return s[i].Amount;
        }
        return 0;
    }

    /// <summary>Element-wise sum or difference (sign = -1); allocates only when scalars are involved.</summary>
    public ResourceAmounts Add(in ResourceAmounts other, int sign = 1)
    {
        ScalarAmount[] scalars = Scalars;
        if (other.Scalars.Length > 0)
        {
            var merged = new SortedDictionary<int, long>();
            foreach (ScalarAmount a in Scalars) merged[a.ResourceId] = a.Amount;
            foreach (ScalarAmount a in other.Scalars)
            {
                merged.TryGetValue(a.ResourceId, out long cur);
                merged[a.ResourceId] = cur + sign * a.Amount;
            }
            var list = new List<ScalarAmount>(merged.Count);
            foreach (KeyValuePair<int, long> kv in merged)
            {
                if (kv.Value != 0) list.Add(new ScalarAmount(kv.Key, kv.Value));
            }
            scalars = list.Count == 0 ? NoScalars : list.ToArray();
        }
        return new ResourceAmounts(MilliCpu + sign * other.MilliCpu, Memory + sign * other.Memory,
            EphemeralStorage + sign * other.EphemeralStorage, scalars);
    }

    /// <summary>Element-wise maximum, for init containers against the sum of app containers.</summary>
    public ResourceAmounts Max(in ResourceAmounts other)
    {
        ScalarAmount[] scalars = Scalars;
        if (other.Scalars.Length > 0)
        {
            var merged = new SortedDictionary<int, long>();
            foreach (ScalarAmount a in Scalars) merged[a.ResourceId] = a.Amount;
            foreach (ScalarAmount a in other.Scalars)
            {
                merged.TryGetValue(a.ResourceId, out long cur);
                merged[a.ResourceId] = Math.Max(cur, a.Amount);
            }
            var list = new List<ScalarAmount>(merged.Count);
            foreach (KeyValuePair<int, long> kv in merged) list.Add(new ScalarAmount(kv.Key, kv.Value));
            scalars = list.ToArray();
        }
        return new ResourceAmounts(Math.Max(MilliCpu, other.MilliCpu), Math.Max(Memory, other.Memory),
            Math.Max(EphemeralStorage, other.EphemeralStorage), scalars);
    }

    private static bool IsSorted(ScalarAmount[] s)
    {
        for (int i = 1; i < s.Length; i++)
        {
            if (s[i - 1].ResourceId >= s[i].ResourceId) return false;
        }
        return true;
    }
}

/// <summary>Well-known resource names and upstream's defaults for pods that request nothing.</summary>
public static class ResourceNames
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string EphemeralStorage = "ephemeral-storage";
    public const string Pods = "pods";

    /// <summary>Upstream DefaultMilliCPURequest: the cpu a container with no cpu request is scored as using.</summary>
    public const long DefaultMilliCpuRequest = 100;

    /// <summary>Upstream DefaultMemoryRequest: 200 MiB for a container with no memory request.</summary>
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;
}
