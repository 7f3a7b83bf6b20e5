using PackingScheduler.Soak;
using PackingScheduler.Tests.Live;
using Xunit.Abstractions;

namespace PackingScheduler.Tests.Reliability;

/// <summary>
/// A short run of the soak harness (benchmarks/PackingScheduler.Soak): sustained churn against the
/// live scheduler, then the invariants. No timing assertion; memory only against a generous bound.
/// </summary>
[Trait("Category", "Reliability")]
[Collection(LiveCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ten_seconds_of_churn_lose_nothing_overcommit_nothing_and_do_not_grow_memory_without_bound()
    {
        var writer = new StringWriter();
        SoakResult r = await SoakRun.RunAsync(new SoakOptions
        {
            Duration = TimeSpan.FromSeconds(10),
            Nodes = 20,
            Rate = 100,
            MinLifetime = TimeSpan.FromSeconds(1),
            MaxLifetime = TimeSpan.FromSeconds(4),
            // A quarter of the pods are cancelled 0-3 s after creation: many while queued or binding.
            CancelFraction = 0.25,
            Interval = TimeSpan.FromSeconds(1),
        }, writer);
        output.WriteLine(writer.ToString());

        Assert.True(r.Created > 0 && r.Bound > 0, "nothing was churned");
        Assert.Equal(0, r.Lost);
        Assert.True(r.Violations == 0, string.Join("\n", r.ViolationDetails));
        Assert.True(r.CacheDisagreement.Length == 0, r.CacheDisagreement);
        Assert.True(r.SchedulerAlive, "the scheduler stopped or is not ready");
        Assert.Equal(0, r.LeftoverFailureRecords);
        // The heap after a full collection, largest of each half: the second may not run away from the first.
        (long first, long second) = r.MaxHeapByHalf;
        Assert.True(second <= 2 * first + (64L << 20), $"heap grew from {first >> 20} MiB to {second >> 20} MiB");
    }
}
