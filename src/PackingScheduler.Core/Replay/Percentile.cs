namespace PackingScheduler.Core.Replay;

/// <summary>Nearest-rank percentiles: the smallest value with at least p of the values at or below it.</summary>
public static class Percentile
{
    /// <summary>The p-quantile (0 &lt; p ≤ 1) of <paramref name="sorted"/> (ascending), or null when it is empty.</summary>
    public static long? NearestRank(IReadOnlyList<long> sorted, double p)
    {
        if (sorted.Count == 0) return null;
        int rank = (int)Math.Ceiling(p * sorted.Count - 1e-9);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
