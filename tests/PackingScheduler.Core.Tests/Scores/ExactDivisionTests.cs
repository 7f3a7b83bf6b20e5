using PackingScheduler.Core.Scores;

namespace PackingScheduler.Core.Tests.Scores;

/// <summary>Division by a precomputed reciprocal equals the integer division, and the fit score helpers built on it equal the originals.</summary>
public sealed class ExactDivisionTests
{
    private static readonly long[] Boundaries = BuildBoundaries();

    private static long[] BuildBoundaries()
    {
        var list = new List<long> { 0, 1, 2, 3, 5, 7, 10, 99, 100, 101, 999, 1000, 1001, 4000, 16000, 64000, 1L << 32, (1L << 32) - 1, (1L << 32) + 1,
            4L << 30, 64L << 30, 256L << 30, (256L << 30) + 1, long.MaxValue / 100, long.MaxValue / 100 + 1, long.MaxValue / 100 - 1,
            long.MaxValue / 2, long.MaxValue - 1, long.MaxValue, 3037000499, 3037000500, 6074001000 };
        for (int b = 1; b < 63; b++)
        {
            list.Add(1L << b);
            list.Add((1L << b) - 1);
            list.Add((1L << b) + 1);
        }
        var all = new List<long>(list);
        foreach (long v in list)
        {
            all.Add(-v);
            if (v > 0) all.Add(-v - 1);
        }
        all.Add(long.MinValue);
        all.Add(long.MinValue + 1);
        return all.Distinct().ToArray();
    }

    private static long RandomLong(Random rng)
    {
        // Magnitudes spread over every bit length, with either sign now and then.
        int bits = rng.Next(0, 64);
        long v = bits == 0 ? 0 : rng.NextInt64() >> (63 - bits);
        return rng.Next(8) == 0 ? -v : v;
    }

    [Fact]
    public void Divide_equals_division_on_boundaries()
    {
        foreach (long d in Boundaries)
        {
            if (d < 1) continue;
            ulong r = ExactDivision.Reciprocal(d);
            foreach (long b in Boundaries)
            {
                foreach (long x in new[] { b, b - 1, b + 1, unchecked(b * d), unchecked(b * d - 1), unchecked(b * d + 1) })
                {
                    if (x < 0) continue;
                    Assert.Equal(x / d, ExactDivision.Divide((ulong)x, d, r));
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Divide_equals_division_on_random_values(int seed)
    {
        var rng = new Random(seed);
        for (int k = 0; k < 2_000_000; k++)
        {
            long d = Math.Abs(RandomLong(rng));
            if (d < 1) d = 1;
            long x = Math.Abs(RandomLong(rng));
            if (x < 0) x = long.MaxValue;
            if (k % 3 == 0) x = unchecked(d * (x % 1000) - (k % 2)); // near multiples
            if (x < 0) continue;
            Assert.Equal(x / d, ExactDivision.Divide((ulong)x, d, ExactDivision.Reciprocal(d)));
        }
    }

    [Fact]
    public void Reciprocal_is_zero_below_one()
    {
        Assert.Equal(0UL, ExactDivision.Reciprocal(0));
        Assert.Equal(0UL, ExactDivision.Reciprocal(-1));
        Assert.Equal(0UL, ExactDivision.Reciprocal(long.MinValue));
    }

    /// <summary>The value, or the exception (long.MinValue / -1 overflows in both).</summary>
    private static string Outcome(Func<long> f)
    {
        try
        {
            return f().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (ArithmeticException e)
        {
            return e.GetType().Name;
        }
    }

    [Fact]
    public void Fit_helpers_equal_the_originals_on_boundaries()
    {
        foreach (long capacity in Boundaries)
        {
            ulong r = ExactDivision.Reciprocal(capacity);
            foreach (long requested in Boundaries)
            {
                foreach (long q in new[] { requested, unchecked(capacity - requested), unchecked(capacity + requested), capacity })
                {
                    Assert.Equal(Outcome(() => NodeResourcesFitScore.MostRequested(q, capacity)), Outcome(() => ExactDivision.MostRequested(q, capacity, r)));
                    Assert.Equal(Outcome(() => NodeResourcesFitScore.LeastRequested(q, capacity)), Outcome(() => ExactDivision.LeastRequested(q, capacity, r)));
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Fit_helpers_equal_the_originals_on_random_values(int seed)
    {
        var rng = new Random(seed);
        for (int k = 0; k < 1_000_000; k++)
        {
            long capacity = RandomLong(rng);
            long requested = k % 2 == 0 ? RandomLong(rng) : (long)(capacity * rng.NextDouble() * 1.2);
            ulong r = ExactDivision.Reciprocal(capacity);
            Assert.Equal(Outcome(() => NodeResourcesFitScore.MostRequested(requested, capacity)), Outcome(() => ExactDivision.MostRequested(requested, capacity, r)));
            Assert.Equal(Outcome(() => NodeResourcesFitScore.LeastRequested(requested, capacity)), Outcome(() => ExactDivision.LeastRequested(requested, capacity, r)));
        }
    }
}
