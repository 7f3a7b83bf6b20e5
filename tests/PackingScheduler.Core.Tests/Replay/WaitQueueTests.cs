using PackingScheduler.Core.Replay;

namespace PackingScheduler.Core.Tests.Replay;

public sealed class WaitQueueTests
{
    [Fact]
    public void Higher_priority_goes_first_and_equal_priorities_keep_arrival_order()
    {
        int[] priorities = [0, 10, 0, 10, 5];
        var pods = priorities.Select((p, i) => new TracePod($"p{i}", 0, i, 60, 1000, 0, p)).ToArray();
        var queue = new WaitQueue(pods);
        for (int i = 0; i < pods.Length; i++) queue.Add(i);
        Assert.Equal([1, 3, 4, 0, 2], Enumerable.Range(0, queue.Count).Select(i => queue[i]));

        queue.RemoveWhere(p => p is 3 or 0);
        Assert.Equal([1, 4, 2], Enumerable.Range(0, queue.Count).Select(i => queue[i]));
    }
}
