namespace PackingScheduler.Core.Replay;

/// <summary>
/// One kind of job in a generated trace: its cpu (cores; one of <see cref="CoreChoices"/>, chosen
/// uniformly per job, for whole-node jobs of several node sizes), memory per core, priority, share
/// of the offered core-hours, and run-time distribution. Jobs arrive in batches of
/// <see cref="Batch"/> on average (geometric; 1 means one at a time), as pilot factories submit
/// several pilots per cycle.
/// </summary>
public sealed record PodClassSpec(
    string Name,
    IReadOnlyList<int> CoreChoices,
    long MemoryPerCore,
    int Priority,
    double Share,
    DurationDistribution Duration,
    double Batch = 1)
{
    public double MeanCores
    {
        get
        {
            double sum = 0;
            foreach (int c in CoreChoices) sum += c;
            return sum / CoreChoices.Count;
        }
    }
}
