using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Scores;

/// <summary>
/// NodeResourcesFit scoring: per configured resource, what the node would have requested with
/// the pod (cpu and memory with upstream's non-zero defaults) against its allocatable, turned into
/// a score by the strategy, then the weighted average, in integer arithmetic as upstream.
/// </summary>
public sealed class NodeResourcesFitScore : IScorer, IScoreShortcut
{
    private const long MaxUtilization = 100;

    private readonly ResourceKind[] _kinds;
    private readonly int[] _scalarIds;
    private readonly long[] _weights;
    private readonly ScoringStrategyType _type;
    private readonly long[] _shapeUtilization;
    private readonly long[] _shapeScore;

    // [cpu, memory]: the weight sum when both allocatables are non-zero, and its reciprocal.
    private readonly long _bothWeights;
    private readonly ulong _bothWeightsReciprocal;

    private enum ResourceKind : byte { Cpu, Memory, EphemeralStorage, Scalar }

    public NodeResourcesFitScore(ScoringStrategy strategy, Interner interner)
    {
        _type = strategy.Type;
        int n = strategy.Resources.Count;
        _kinds = new ResourceKind[n];
        _scalarIds = new int[n];
        _weights = new long[n];
        for (int i = 0; i < n; i++)
        {
            ResourceWeight r = strategy.Resources[i];
            _weights[i] = r.Weight;
            _kinds[i] = r.Name switch
            {
                ResourceNames.Cpu => ResourceKind.Cpu,
                ResourceNames.Memory => ResourceKind.Memory,
                ResourceNames.EphemeralStorage => ResourceKind.EphemeralStorage,
                _ => ResourceKind.Scalar,
            };
            _scalarIds[i] = _kinds[i] == ResourceKind.Scalar ? interner.Intern(r.Name) : Interner.None;
        }
        // Shape scores are 0..10 (MaxCustomPriorityScore) and scaled to 0..100.
        _cpuMemoryKinds = Array.TrueForAll(_kinds, k => k != ResourceKind.EphemeralStorage);
        _cpuMemoryPair = _kinds is [ResourceKind.Cpu, ResourceKind.Memory] &&
                         _type is ScoringStrategyType.MostAllocated or ScoringStrategyType.LeastAllocated;
        if (_cpuMemoryPair)
        {
            _bothWeights = _weights[0] + _weights[1];
            _bothWeightsReciprocal = ExactDivision.Reciprocal(_bothWeights);
        }
        _shapeUtilization = new long[strategy.Shape.Count];
        _shapeScore = new long[strategy.Shape.Count];
        for (int i = 0; i < strategy.Shape.Count; i++)
        {
            _shapeUtilization[i] = strategy.Shape[i].Utilization;
            _shapeScore[i] = strategy.Shape[i].Score * (ScoreNormalization.MaxNodeScore / 10);
        }
    }

    public ScorePlugin Plugin => ScorePlugin.NodeResourcesFit;

    private readonly bool _cpuMemoryKinds;

    // The common configuration: exactly cpu then memory, MostAllocated or LeastAllocated.
    private readonly bool _cpuMemoryPair;
    private bool _rows;
    private long _podMilliCpu, _podMemory;

    public void PreScore(PodInfo pod, ClusterState cluster, ReadOnlySpan<NodeInfo> feasible)
    {
        // Extended resources the pod does not request are left out, so a pod with none needs only cpu and memory.
        _rows = _cpuMemoryKinds && pod.Request.Scalars.Length == 0;
        _podMilliCpu = pod.NonZeroMilliCpu;
        _podMemory = pod.NonZeroMemory;
    }

    bool IScoreShortcut.AllZero => false;

    bool IScoreShortcut.TryScoreRows(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> nodeIndex, Span<long> into)
    {
        if (!_rows) return false;
        if (_cpuMemoryPair) return ScoreCpuMemoryRows(rows, nodeIndex, into);
        for (int j = 0; j < into.Length; j++)
        {
            ref readonly NodeRow row = ref rows[nodeIndex[j]];
            long nodeScore = 0, weightSum = 0;
            for (int i = 0; i < _kinds.Length; i++)
            {
                long allocatable, requested;
                switch (_kinds[i])
                {
                    case ResourceKind.Cpu:
                        allocatable = row.AllocatableMilliCpu;
                        requested = row.NonZeroRequestedMilliCpu + _podMilliCpu;
                        break;
                    case ResourceKind.Memory:
                        allocatable = row.AllocatableMemory;
                        requested = row.NonZeroRequestedMemory + _podMemory;
                        break;
                    default:
                        continue;
                }
                Accumulate(allocatable, requested, _weights[i], ref nodeScore, ref weightSum);
            }
            into[j] = Combine(nodeScore, weightSum);
        }
        return true;
    }

    public long Score(PodInfo pod, NodeInfo node)
    {
        long nodeScore = 0, weightSum = 0;
        for (int i = 0; i < _kinds.Length; i++)
        {
            (long allocatable, long requested) = Amounts(i, pod, node);
            Accumulate(allocatable, requested, _weights[i], ref nodeScore, ref weightSum);
        }
        return Combine(nodeScore, weightSum);
    }

    /// <summary>
    /// Score's arithmetic for [cpu, memory] with MostAllocated or LeastAllocated, without the
    /// per-resource dispatch, dividing by the rows' reciprocals (<see cref="ExactDivision"/>).
    /// </summary>
    private bool ScoreCpuMemoryRows(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> nodeIndex, Span<long> into)
    {
        CpuMemoryFit fit = CpuMemoryFitOfCycle;
        for (int j = 0; j < into.Length; j++) into[j] = fit.Score(in rows[nodeIndex[j]]);
        return true;
    }

    /// <summary>For the engine's fused scoring: rows score this cycle's pod with <see cref="CpuMemoryFit"/>.</summary>
    internal bool ScoresCpuMemoryRows => _rows && _cpuMemoryPair;

    /// <summary>This cycle's [cpu, memory] score as a value the engine's loop keeps in registers (when <see cref="ScoresCpuMemoryRows"/>).</summary>
    internal CpuMemoryFit CpuMemoryFitOfCycle =>
        new(_podMilliCpu, _podMemory, _weights[0], _weights[1], _bothWeights, _bothWeightsReciprocal, _type == ScoringStrategyType.MostAllocated);

    /// <summary>
    /// The <see cref="CpuMemoryFitOfCycle"/> that <see cref="PreScore"/> will give <paramref name="pod"/>
    /// when rows will score it (<see cref="ScoresCpuMemoryRows"/>), without changing this cycle's state.
    /// </summary>
    internal bool TryCpuMemoryFitFor(PodInfo pod, out CpuMemoryFit fit)
    {
        bool rows = _cpuMemoryKinds && _cpuMemoryPair && pod.Request.Scalars.Length == 0;
        fit = rows
            ? new(pod.NonZeroMilliCpu, pod.NonZeroMemory, _weights[0], _weights[1], _bothWeights, _bothWeightsReciprocal, _type == ScoringStrategyType.MostAllocated)
            : default;
        return rows;
    }

    private void Accumulate(long allocatable, long requested, long weight, ref long nodeScore, ref long weightSum)
    {
        if (allocatable == 0) return;
        long s;
        switch (_type)
        {
            case ScoringStrategyType.MostAllocated:
                s = MostRequested(requested, allocatable);
                break;
            case ScoringStrategyType.LeastAllocated:
                s = LeastRequested(requested, allocatable);
                break;
            default:
                s = RequestedToCapacityRatio(requested, allocatable);
                // Upstream leaves resources that score 0 out of the average for this strategy.
                if (s <= 0) return;
                break;
        }
        nodeScore += s * weight;
        weightSum += weight;
    }

    private long Combine(long nodeScore, long weightSum)
    {
        if (weightSum == 0) return 0;
        if (_type == ScoringStrategyType.RequestedToCapacityRatio)
            return (long)Math.Round((double)nodeScore / weightSum, MidpointRounding.AwayFromZero);
        return nodeScore / weightSum;
    }

    public void Normalize(Span<long> scores) { }

    private (long Allocatable, long Requested) Amounts(int i, PodInfo pod, NodeInfo node)
    {
        switch (_kinds[i])
        {
            case ResourceKind.Cpu:
                return (node.Allocatable.MilliCpu, node.NonZeroRequestedMilliCpu + pod.NonZeroMilliCpu);
            case ResourceKind.Memory:
                return (node.Allocatable.Memory, node.NonZeroRequestedMemory + pod.NonZeroMemory);
            case ResourceKind.EphemeralStorage:
                return (node.Allocatable.EphemeralStorage, node.Requested.EphemeralStorage + pod.Request.EphemeralStorage);
            default:
                int id = _scalarIds[i];
                long podRequest = pod.Request.Scalar(id);
                // An extended resource the pod does not request is left out of its score.
                if (podRequest == 0) return (0, 0);
                return (node.Allocatable.Scalar(id), node.Requested.Scalar(id) + podRequest);
        }
    }

    public static long MostRequested(long requested, long capacity)
    {
        if (capacity == 0) return 0;
        // Pods with no requests get default minimums, so requested may exceed capacity.
        if (requested > capacity) requested = capacity;
        return requested * ScoreNormalization.MaxNodeScore / capacity;
    }

    public static long LeastRequested(long requested, long capacity)
    {
        if (capacity == 0 || requested > capacity) return 0;
        return (capacity - requested) * ScoreNormalization.MaxNodeScore / capacity;
    }

    private long RequestedToCapacityRatio(long requested, long capacity)
    {
        if (capacity == 0 || requested > capacity) return BrokenLinear(MaxUtilization);
        return BrokenLinear(requested * MaxUtilization / capacity);
    }

    private long BrokenLinear(long p)
    {
        long[] u = _shapeUtilization, s = _shapeScore;
        for (int i = 0; i < u.Length; i++)
        {
            if (p <= u[i])
            {
                if (i == 0) return s[0];
                return s[i - 1] + (s[i] - s[i - 1]) * (p - u[i - 1]) / (u[i] - u[i - 1]);
            }
        }
        return s.Length == 0 ? 0 : s[^1];
    }
}

/// <summary>
/// The [cpu, memory] MostAllocated/LeastAllocated score of one pod from node rows: Score's
/// integer arithmetic, with the divisions by the rows' and the weight sum's reciprocals.
/// </summary>
internal readonly struct CpuMemoryFit(long podMilliCpu, long podMemory, long cpuWeight, long memoryWeight, long bothWeights, ulong bothWeightsReciprocal, bool most)
{
    public long PodMilliCpu => podMilliCpu;
    public long PodMemory => podMemory;
    public long CpuWeight => cpuWeight;
    public long MemoryWeight => memoryWeight;
    public long BothWeights => bothWeights;
    public ulong BothWeightsReciprocal => bothWeightsReciprocal;
    public bool Most => most;

    /// <summary>The same score for every row.</summary>
    public bool SameAs(in CpuMemoryFit other) =>
        podMilliCpu == other.PodMilliCpu && podMemory == other.PodMemory && cpuWeight == other.CpuWeight && memoryWeight == other.MemoryWeight
        && bothWeights == other.BothWeights && bothWeightsReciprocal == other.BothWeightsReciprocal && most == other.Most;

    /// <summary>
    /// Both weights in 1..2^32: two scores of 0..100 weigh at most 2^39 together (no overflow,
    /// never negative) and their sum has a reciprocal.
    /// </summary>
    public bool HasSmallWeights => cpuWeight is >= 1 and <= 1L << 32 && memoryWeight is >= 1 and <= 1L << 32 && bothWeightsReciprocal != 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public long Score(in NodeRow row)
    {
        long allocatable = row.AllocatableMilliCpu;
        long requested = row.NonZeroRequestedMilliCpu + podMilliCpu;
        long memoryAllocatable = row.AllocatableMemory;
        long memoryRequested = row.NonZeroRequestedMemory + podMemory;
        long nodeScore;
        if (allocatable != 0 && memoryAllocatable != 0)
        {
            nodeScore = (most ? ExactDivision.MostRequested(requested, allocatable, row.CpuReciprocal) : ExactDivision.LeastRequested(requested, allocatable, row.CpuReciprocal)) * cpuWeight
                + (most ? ExactDivision.MostRequested(memoryRequested, memoryAllocatable, row.MemoryReciprocal) : ExactDivision.LeastRequested(memoryRequested, memoryAllocatable, row.MemoryReciprocal)) * memoryWeight;
            if (nodeScore >= 0 && bothWeightsReciprocal != 0) return ExactDivision.Divide((ulong)nodeScore, bothWeights, bothWeightsReciprocal);
            return bothWeights == 0 ? 0 : nodeScore / bothWeights;
        }
        return Partial(allocatable, requested, memoryAllocatable, memoryRequested);
    }

    /// <summary>A node with zero allocatable cpu or memory: the resources it has, averaged by their weights.</summary>
    private long Partial(long allocatable, long requested, long memoryAllocatable, long memoryRequested)
    {
        long nodeScore = 0, weightSum = 0;
        if (allocatable != 0)
        {
            nodeScore += (most ? NodeResourcesFitScore.MostRequested(requested, allocatable) : NodeResourcesFitScore.LeastRequested(requested, allocatable)) * cpuWeight;
            weightSum += cpuWeight;
        }
        if (memoryAllocatable != 0)
        {
            nodeScore += (most ? NodeResourcesFitScore.MostRequested(memoryRequested, memoryAllocatable) : NodeResourcesFitScore.LeastRequested(memoryRequested, memoryAllocatable)) * memoryWeight;
            weightSum += memoryWeight;
        }
        return weightSum == 0 ? 0 : nodeScore / weightSum;
    }
}
