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
        for (int i = 0; i < scores.Length; i++)
        {
            long s = MaxNodeScore * scores[i] / max;
            scores[i] = reverse ? MaxNodeScore - s : s;
        }
    }
}
