using PackingScheduler.Core.Model;
using PackingScheduler.Core.Queue;

namespace PackingScheduler.Core.Tests.Queue;

/// <summary>Pods and queue helpers shared by the queue tests.</summary>
internal static class QueueTestSupport
{
    /// <summary>Generous bound on awaits that must complete; a hang fails the test instead of blocking the run.</summary>
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    public static PodInfo Pod(string name, int priority = 0, long order = 0, string ns = "default") => new()
    {
        Name = name,
        NamespaceName = ns,
        Namespace = 1,
        Priority = priority,
        Order = order,
    };

    public static (SchedulingQueue Queue, FakeClock Clock) NewQueue(SchedulingQueueOptions? options = null)
    {
        var clock = new FakeClock();
        return (new SchedulingQueue(clock, options), clock);
    }

    /// <summary>Pops a pod that is already in activeQ: the pop must complete synchronously.</summary>
    public static QueuedPodInfo PopNow(this SchedulingQueue queue)
    {
        ValueTask<QueuedPodInfo?> pop = queue.PopAsync();
        Assert.True(pop.IsCompletedSuccessfully, "activeQ was expected to have a pod");
        QueuedPodInfo? pod = pop.Result;
        Assert.NotNull(pod);
        return pod;
    }

    /// <summary>Adds a pod, pops it and reports it unschedulable: the pod ends in the unschedulable pool.</summary>
    public static QueuedPodInfo MakeUnschedulable(this SchedulingQueue queue, PodInfo pod)
    {
        queue.Add(pod);
        QueuedPodInfo popped = queue.PopNow();
        Assert.Equal(pod.Key, popped.Key);
        Assert.True(queue.AddUnschedulableIfNotPresent(popped, popped.SchedulingCycle, "0/3 nodes are available"));
        Assert.Equal(QueueLocation.Unschedulable, queue.GetLocation(pod.Key));
        return popped;
    }

    public static async Task<QueuedPodInfo?> PopWithin(this SchedulingQueue queue, TimeSpan bound)
    {
        using var cts = new CancellationTokenSource(bound);
        return await queue.PopAsync(cts.Token);
    }
}
