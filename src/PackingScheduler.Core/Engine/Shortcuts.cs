using PackingScheduler.Core.Cache;

namespace PackingScheduler.Core.Engine;

/// <summary>
/// What a built-in filter tells the engine's node loop after its PreFilter, so that the loop
/// calls it only where it can fail. Answers must agree exactly with <see cref="IFilter.Filter"/>:
/// a shortcut only ever says "certainly passes"; everything else goes to Filter.
/// </summary>
internal interface IFilterShortcut
{
    /// <summary>Filter succeeds on every node for this cycle's pod (upstream: PreFilter returns Skip).</summary>
    bool PassesAll { get; }

    /// <summary>
    /// The row condition under which Filter certainly succeeds for this cycle's pod, or null when
    /// rows cannot tell (then Filter runs on every node). A node whose row fails it goes to Filter.
    /// </summary>
    RowCondition? RowCondition { get; }

    /// <summary>
    /// Filter's result on the node of <paramref name="row"/> when the row alone decides it (pass or
    /// fail, the same FilterResult); false when Filter must run.
    /// </summary>
    bool TryFilterRow(in NodeRow row, out FilterResult result)
    {
        result = default;
        return false;
    }
}

/// <summary>What a built-in scorer tells the engine after its PreScore (same contract: results equal Score's).</summary>
internal interface IScoreShortcut
{
    /// <summary>Score is 0 on every node for this cycle's pod (upstream: PreScore returns Skip).</summary>
    bool AllZero { get; }

    /// <summary>Raw scores of the nodes at <paramref name="nodeIndex"/> from their rows; false when this pod needs Score.</summary>
    bool TryScoreRows(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> nodeIndex, Span<long> into);
}

/// <summary>
/// A condition on a <see cref="NodeRow"/>: conditions of several filters AND together into one,
/// checked per node without a call.
/// </summary>
internal readonly record struct RowCondition(bool Schedulable, bool NoTaints, bool PodSlot, long MilliCpu, long Memory)
{
    public static readonly RowCondition Always = default;

    public RowCondition And(RowCondition other) => new(
        Schedulable || other.Schedulable, NoTaints || other.NoTaints, PodSlot || other.PodSlot,
        Math.Max(MilliCpu, other.MilliCpu), Math.Max(Memory, other.Memory));

    public bool Passes(in NodeRow row) =>
        (!Schedulable || !row.Unschedulable) &&
        (!NoTaints || !row.HasNoScheduleTaints) &&
        (!PodSlot || row.PodCount + 1 <= row.AllowedPodNumber) &&
        (MilliCpu <= 0 || MilliCpu <= row.FreeMilliCpu) &&
        (Memory <= 0 || Memory <= row.FreeMemory);
}
