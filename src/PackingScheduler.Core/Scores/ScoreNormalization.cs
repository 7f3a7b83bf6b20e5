namespace PackingScheduler.Core.Scores;

/// <summary>Upstream's helper.DefaultNormalizeScore: scale to 0..max by the largest score, optionally reversed.</summary>
public static class ScoreNormalization
{
    public const long MaxNodeScore = 100;

    public static void Default(Span<long> scores, bool reverse)
    {
        long max = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (scores[i] > max) max = scores[i];
        }
        if (max == 0)
        {
            if (reverse) scores.Fill(MaxNodeScore);
            return;
        }
        long min = long.MaxValue;
        for (int i = 0; i < scores.Length; i++)
        {
            if (scores[i] < min) min = scores[i];
        }
        // Small non-negative scores (taint counts, few weights): one division per distinct value.
        if (min >= 0 && max <= 64 && scores.Length > 2 * max)
        {
            Span<long> byValue = stackalloc long[65];
            for (long v = 0; v <= max; v++)
            {
                long s = MaxNodeScore * v / max;
                byValue[(int)v] = reverse ? MaxNodeScore - s : s;
            }
            for (int i = 0; i < scores.Length; i++) scores[i] = byValue[(int)scores[i]];
            return;
        }
        for (int i = 0; i < scores.Length; i++)
        {
            long s = MaxNodeScore * scores[i] / max;
            scores[i] = reverse ? MaxNodeScore - s : s;
        }
    }
}
