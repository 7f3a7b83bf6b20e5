using PackingScheduler.Core.Queue;
using static PackingScheduler.Core.Tests.Queue.QueueTestSupport;

namespace PackingScheduler.Core.Tests.Queue;

/// <summary>
/// Random operation sequences (seeded, so reproducible) against a model of which pods the queue
/// must hold: no pod is ever lost or held twice, whatever the interleaving of adds, updates,
/// deletes, pops, requeues, events, flushes and clock steps.
/// </summary>
public sealed class SchedulingQueuePropertyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2024)]
    [InlineData(99991)]
    public void Random_operations_never_lose_or_duplicate_a_pod(int seed)
    {
        var rng = new Random(seed);
        var (q, clock) = NewQueue();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var inFlight = new List<QueuedPodInfo>();   // what the "scheduler" holds from pops
        var placed = new List<QueuedPodInfo>();     // popped and Done: may fail binding later
        var deleted = new HashSet<QueuedPodInfo>(ReferenceEqualityComparer.Instance);
        string[] names = Enumerable.Range(0, 25).Select(i => "p" + i).ToArray();
        long order = 0;

        for (int step = 0; step < 4000; step++)
        {
            string name = names[rng.Next(names.Length)];
            string key = "default/" + name;
            switch (rng.Next(12))
            {
                case 0:
                case 1:
                    q.Add(Pod(name, priority: rng.Next(-2, 3), order: ++order));
                    expected.Add(key);
                    break;
                case 2:
                    q.Update(rng.Next(2) == 0 ? null : Pod(name), Pod(name, priority: rng.Next(-2, 3), order: ++order), podUpdated: rng.Next(2) == 0);
                    expected.Add(key);
                    break;
                case 3:
                {
                    QueuedPodInfo? victim = q.Get(key);
                    bool removed = q.Delete(key);
                    Assert.Equal(expected.Remove(key), removed);
                    if (victim is not null) deleted.Add(victim);
                    break;
                }
                case 4:
                case 5:
                    if (q.PendingCounts.Active > 0) inFlight.Add(q.PopNow());
                    break;
                case 6:
                case 7:
                    if (inFlight.Count > 0)
                    {
                        QueuedPodInfo pod = TakeRandom(inFlight, rng);
                        bool requeued = rng.Next(3) switch
                        {
                            0 => q.AddBackoff(pod, "error"),
                            _ => q.AddUnschedulableIfNotPresent(pod, pod.SchedulingCycle, "no fit"),
                        };
                        if (deleted.Contains(pod)) Assert.False(requeued);
                        if (requeued) expected.Add(pod.Key);
                    }
                    break;
                case 8:
                    if (inFlight.Count > 0)
                    {
                        QueuedPodInfo pod = TakeRandom(inFlight, rng);
                        if (q.Done(pod.Key)) expected.Remove(pod.Key);
                        placed.Add(pod);
                    }
                    else if (placed.Count > 0 && rng.Next(2) == 0)
                    {
                        // Binding failed after Done.
                        QueuedPodInfo pod = TakeRandom(placed, rng);
                        if (q.AddBackoff(pod, "binding failed")) expected.Add(pod.Key);
                    }
                    break;
                case 9:
                    q.MoveAllToActiveOrBackoff("NodeAdd", rng.Next(2) == 0 ? null : p => p.Priority >= 0);
                    break;
                case 10:
                    if (rng.Next(2) == 0) q.FlushBackoffCompleted();
                    else q.FlushUnschedulableLeftover();
                    break;
                case 11:
                    clock.Advance(rng.Next(10) == 0 ? TimeSpan.FromMinutes(6) : TimeSpan.FromMilliseconds(rng.Next(0, 12_000)));
                    break;
            }

            q.CheckInvariants();
            List<(string Key, QueueLocation Location)> held = q.ScanContainers();
            Assert.Equal(held.Count, held.Select(h => h.Key).Distinct(StringComparer.Ordinal).Count());
            Assert.True(expected.SetEquals(held.Select(h => h.Key)), $"seed {seed} step {step}: queue and model disagree");
            Assert.Equal(expected.Count, q.Count);
        }
    }

    [Fact]
    public async Task Concurrent_adders_and_poppers_each_pod_is_handed_out_exactly_once()
    {
        var (q, _) = NewQueue();
        const int producers = 4, perProducer = 500, consumers = 4;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        using var safety = new CancellationTokenSource(Safety);
        int remaining = producers * perProducer;

        Task[] consumerTasks = Enumerable.Range(0, consumers).Select(_ => Task.Run(async () =>
        {
            while (await q.PopAsync(safety.Token) is { } pod)
            {
                seen.AddOrUpdate(pod.Key, 1, (_, n) => n + 1);
                Assert.True(q.Done(pod.Key));
                if (Interlocked.Decrement(ref remaining) == 0) q.Close();
            }
        })).ToArray();
        Task[] producerTasks = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (int i = 0; i < perProducer; i++) q.Add(Pod($"p{p}-{i}", priority: i % 3));
        })).ToArray();

        await Task.WhenAll(producerTasks.Concat(consumerTasks)).WaitAsync(Safety);

        Assert.Equal(producers * perProducer, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.Equal(0, q.Count);
        q.CheckInvariants();
    }

    private static T TakeRandom<T>(List<T> list, Random rng)
    {
        int i = rng.Next(list.Count);
        T item = list[i];
        list[i] = list[^1];
        list.RemoveAt(list.Count - 1);
        return item;
    }
}
