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

    /// <summary>Whether this cycle's pod can be judged from the node rows at all.</summary>
    bool UsesRows { get; }

    /// <summary>True when Filter certainly succeeds on the node of <paramref name="row"/>; false means "call Filter".</summary>
    bool PassesRow(in NodeRow row);
}

/// <summary>What a built-in scorer tells the engine after its PreScore (same contract: results equal Score's).</summary>
internal interface IScoreShortcut
{
    /// <summary>Score is 0 on every node for this cycle's pod (upstream: PreScore returns Skip).</summary>
    bool AllZero { get; }

    /// <summary>Raw scores of the nodes at <paramref name="nodeIndex"/> from their rows; false when this pod needs Score.</summary>
    bool TryScoreRows(ReadOnlySpan<NodeRow> rows, ReadOnlySpan<int> nodeIndex, Span<long> into);
}
