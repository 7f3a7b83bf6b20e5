using PackingScheduler.Core.Scores;

namespace PackingScheduler.Core.Tests.Scores;

/// <summary>Upstream's DefaultNormalizeScore, including the per-value table used for small scores on many nodes.</summary>
public sealed class ScoreNormalizationTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Equals_the_formula_for_small_and_large_scores(int seed, bool reverse)
    {
        var random = new Random(seed);
        foreach (int maxValue in new[] { 0, 1, 2, 7, 64, 65, 1000 })
        {
            foreach (int length in new[] { 1, 3, 50, 500 })
            {
                long[] scores = Enumerable.Range(0, length).Select(_ => (long)random.Next(maxValue + 1)).ToArray();
                long max = scores.Max();
                long[] expected = scores.Select(s => max == 0 ? (reverse ? 100 : 0) : (reverse ? 100 - 100 * s / max : 100 * s / max)).ToArray();
                ScoreNormalization.Default(scores, reverse);
                Assert.Equal(expected, scores);
            }
        }
    }
}
