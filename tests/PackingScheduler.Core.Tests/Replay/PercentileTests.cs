using PackingScheduler.Core.Replay;

namespace PackingScheduler.Core.Tests.Replay;

public sealed class PercentileTests
{
    [Theory]
    [InlineData(new long[] { 10, 20, 30, 40 }, 0.50, 20L)]
    [InlineData(new long[] { 10, 20, 30, 40 }, 0.95, 40L)]
    [InlineData(new long[] { 10, 20, 30, 40 }, 0.75, 30L)]
    [InlineData(new long[] { 7 }, 0.95, 7L)]
    public void Nearest_rank_is_the_smallest_value_with_at_least_p_of_the_values_at_or_below_it(long[] sorted, double p, long expected)
    {
        Assert.Equal(expected, Percentile.NearestRank(sorted, p));
    }

    [Fact]
    public void Twenty_values_put_the_95th_percentile_at_the_19th()
    {
        long[] values = Enumerable.Range(1, 20).Select(i => (long)i).ToArray();
        Assert.Equal(19, Percentile.NearestRank(values, 0.95));
    }

    [Fact]
    public void No_values_have_no_percentile() => Assert.Null(Percentile.NearestRank(Array.Empty<long>(), 0.5));
}
