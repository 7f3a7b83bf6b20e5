namespace PackingScheduler.Core.Replay;

/// <summary>
/// A generated grid-site workload. Jobs of each class arrive as a Poisson process whose rate
/// makes the offered load (cores × run time demanded per unit time, over the cluster's cores)
/// equal to <see cref="Load"/> × the class's share. Arrivals run over warmup + measure + cooldown;
/// metrics count the jobs that arrive in the measured window and integrate over it, so that the
/// cluster is filled before measuring starts and the last measured jobs still see later arrivals.
/// </summary>
public sealed record GeneratorSpec(
    ulong Seed,
    double Load,
    TimeSpan Warmup,
    TimeSpan Measure,
    TimeSpan Cooldown,
    IReadOnlyList<PodClassSpec> Classes);
