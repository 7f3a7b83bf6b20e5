using PackingScheduler.Core.Queue;
using static PackingScheduler.Core.Tests.Queue.QueueTestSupport;

namespace PackingScheduler.Core.Tests.Queue;

/// <summary>RunAsync's flush loops, ticked by the fake clock.</summary>
public sealed class SchedulingQueueRunTests
{
    [Fact]
    public async Task The_backoff_loop_moves_expired_pods_to_active()
    {
        var (q, clock) = NewQueue();
        q.Add(Pod("a"));
        q.AddBackoff(q.PopNow());
        using var stop = new CancellationTokenSource();

        Task run = q.RunAsync(stop.Token);
        Assert.Equal(2, clock.PendingDelays); // both loops flushed once and wait on the clock
        Assert.Equal(QueueLocation.Backoff, q.GetLocation("default/a"));

        clock.Advance(TimeSpan.FromSeconds(1));
        QueuedPodInfo? a = await q.PopWithin(Safety);

        Assert.Equal("default/a", a?.Key);
        stop.Cancel();
        await run.WaitAsync(Safety);
    }

    [Fact]
    public async Task The_leftover_loop_retries_pods_unschedulable_for_too_long()
    {
        var (q, clock) = NewQueue();
        q.MakeUnschedulable(Pod("a"));
        using var stop = new CancellationTokenSource();
        Task run = q.RunAsync(stop.Token);

        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        QueuedPodInfo? a = await q.PopWithin(Safety);

        Assert.Equal("default/a", a?.Key);
        stop.Cancel();
        await run.WaitAsync(Safety);
    }

    [Fact]
    public async Task Close_stops_the_loops()
    {
        var (q, _) = NewQueue();
        Task run = q.RunAsync(CancellationToken.None);
        q.Close();
        await run.WaitAsync(Safety);
        Assert.True(run.IsCompletedSuccessfully);
    }

    [Fact]
    public void The_system_clock_reads_utc()
    {
        Assert.Equal(DateTimeKind.Utc, SystemClock.Instance.UtcNow.Kind);
    }
}
