using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Scores;

/// <summary>
/// NodeResourcesFit scoring with <see cref="ScoringStrategyType.SlotBestFit"/>: packing by whole
/// 8-core slots, for sites whose multicore pilots ask for 8 cores.
/// </summary>
/// <remarks>
/// <para>
/// MostAllocated ranks nodes by the share of their capacity in use, so on a mixed cluster a
/// 1-core pilot goes to the 64-core node with 8 free cores (89% used after it) rather than to the
/// 16-core node with 3 (87.5%), and breaks the only place an 8-core pilot could start. What an 8-core
/// pilot needs is 8 free cores on one node; what matters is how many free cores a node has
/// modulo 8, not its ratio. With f the node's free cpu before the pod and f' = f − request after,
/// in slots of 8 cores, the score is lexicographic in three parts, highest first:
/// </para>
/// <list type="number">
/// <item>Keeps slots (50 or 0): the pod takes no more whole slots than it must, i.e.
/// ⌊f/8⌋ − ⌊f'/8⌋ = ⌊request/8⌋. A 1-core pilot keeps slots on a node with 9 free cores
/// (or 3) and breaks one on a node with 8 (or 16).</item>
/// <item>Smallest leftover fragment (0..42): 6 × (7 − whole cores of f' mod 8 cores), the cores
/// left on the node that no 8-core pilot can use, fewest first. A 1-core pilot completes the node
/// with 1 spare core before it touches the one with 5. An 8-core pilot does not change a node's
/// fragment, so this sends it to a node whose free cores are a multiple of 8 and keeps it off
/// fragmented nodes, whose odd cores are left to the 1-core pilots that can use them: the two
/// kinds of pilot drift apart onto different nodes, and fragments stay where they get filled.</item>
/// <item>Most allocated (0..7): MostAllocated over the strategy's resources, scaled to 0..7, so
/// that among equal fragments the pod goes to the fuller node, as MostAllocated would send it.</item>
/// </list>
/// <para>
/// The total is at most 99, within upstream's MaxNodeScore; the engine's tie rule (node name)
/// settles the rest. Free cpu is what the fit check sees: allocatable minus the requests of the
/// pods on the node. Replays of grid workloads (docs/packing.md) show what it buys and costs:
/// more 8-core pilots started on arrival than with MostAllocated, and whole-node jobs waiting
/// longer, since 8-core pilots also take empty nodes whose free cores are whole slots.
/// </para>
/// </remarks>
public sealed class SlotBestFitScore : IScorer
{
    /// <summary>The multicore pilot's size: 8 cores, the grid's standard multicore slot.</summary>
    public const long SlotMilliCpu = 8000;

    public const long KeepsSlotsScore = 50;
    public const long FragmentStep = 6;
    public const long PackingRange = 7;

    private readonly NodeResourcesFitScore _mostAllocated;

    public SlotBestFitScore(ScoringStrategy strategy, Interner interner)
    {
        // The packing tie-break is MostAllocated over the resources (and weights) the strategy names.
        _mostAllocated = new NodeResourcesFitScore(strategy with { Type = ScoringStrategyType.MostAllocated }, interner);
    }

    public ScorePlugin Plugin => ScorePlugin.NodeResourcesFit;

    public void PreScore(PodInfo pod, ClusterState cluster, ReadOnlySpan<NodeInfo> feasible) { }

    public long Score(PodInfo pod, NodeInfo node)
    {
        long free = node.Allocatable.MilliCpu - node.Requested.MilliCpu;
        long packing = _mostAllocated.Score(pod, node) * PackingRange / ScoreNormalization.MaxNodeScore;
        return SlotScore(free, pod.Request.MilliCpu) + packing;
    }

    /// <summary>The first two parts (0..92) for a node with <paramref name="freeMilliCpu"/> free and a pod requesting <paramref name="requestMilliCpu"/>.</summary>
    public static long SlotScore(long freeMilliCpu, long requestMilliCpu)
    {
        if (freeMilliCpu < 0) freeMilliCpu = 0;
        long after = freeMilliCpu - requestMilliCpu;
        // Only feasible nodes are scored, so this is for safety: a node the pod overfills keeps nothing.
        if (after < 0) return 0;
        long slotsTaken = freeMilliCpu / SlotMilliCpu - after / SlotMilliCpu;
        bool keepsSlots = slotsTaken <= requestMilliCpu / SlotMilliCpu;
        long fragmentEighths = after % SlotMilliCpu * 8 / SlotMilliCpu;
        return (keepsSlots ? KeepsSlotsScore : 0) + FragmentStep * (7 - fragmentEighths);
    }

    public void Normalize(Span<long> scores) { }
}
