namespace PackingScheduler.Core.Replay;

/// <summary>
/// A job's run time: log-normal with the given median and σ (of the log), clamped to
/// [<see cref="Min"/>, <see cref="Max"/>], in whole seconds. Grid pilots run from minutes (a
/// pilot that finds no payload) to a day (the batch system's wall-time limit); a log-normal has
/// that long right tail, and the clamp is the limit.
/// </summary>
public sealed record DurationDistribution(TimeSpan Median, double Sigma, TimeSpan Min, TimeSpan Max)
{
    /// <summary>A sample in whole seconds (at least 1).</summary>
    public long Sample(IRandomSource random)
    {
        double z = StandardNormal(random);
        double seconds = Median.TotalSeconds * Math.Exp(Sigma * z);
        seconds = Math.Clamp(seconds, Min.TotalSeconds, Max.TotalSeconds);
        return Math.Max(1, (long)Math.Round(seconds, MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// The mean of the clamped distribution, which sets the arrival rate for an offered load:
    /// E[min(max(X, a), b)] = a·P(X &lt; a) + E[X; a ≤ X ≤ b] + b·P(X &gt; b) for X log-normal(μ, σ).
    /// </summary>
    public double MeanSeconds()
    {
        double a = Min.TotalSeconds, b = Max.TotalSeconds, mu = Math.Log(Median.TotalSeconds), s = Sigma;
        if (s == 0) return Math.Clamp(Median.TotalSeconds, a, b);
        double la = Math.Log(Math.Max(a, double.Epsilon)), lb = Math.Log(b);
        double middle = Math.Exp(mu + s * s / 2) * (Phi((lb - mu - s * s) / s) - Phi((la - mu - s * s) / s));
        return a * Phi((la - mu) / s) + middle + b * (1 - Phi((lb - mu) / s));
    }

    /// <summary>Box–Muller, one of the pair (the other is dropped: simpler state, same distribution).</summary>
    private static double StandardNormal(IRandomSource random)
    {
        double u1 = 1.0 - random.NextDouble(); // (0, 1]: the log is finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>The standard normal CDF, through erf (Abramowitz and Stegun 7.1.26, error below 1.5e-7).</summary>
    private static double Phi(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    private static double Erf(double x)
    {
        double sign = Math.Sign(x);
        x = Math.Abs(x);
        double t = 1 / (1 + 0.3275911 * x);
        double y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return sign * y;
    }
}
