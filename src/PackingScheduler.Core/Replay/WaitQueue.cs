namespace PackingScheduler.Core.Replay;

/// <summary>
/// Jobs that did not fit, in the scheduling queue's order: higher priority first, then earlier
/// arrival (trace index). A job that arrives is later than every waiting job, so it goes after
/// the last one of at least its priority.
/// </summary>
public sealed class WaitQueue
{
    private readonly List<int> _items = new();
    private readonly IReadOnlyList<TracePod> _pods;

    public WaitQueue(IReadOnlyList<TracePod> pods) => _pods = pods;

    public int Count => _items.Count;

    public int this[int position] => _items[position];

    public void Add(int pod)
    {
        int priority = _pods[pod].Priority;
        int lo = 0, hi = _items.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            TracePod other = _pods[_items[mid]];
            if (other.Priority > priority || (other.Priority == priority && _items[mid] < pod)) lo = mid + 1;
            else hi = mid;
        }
        _items.Insert(lo, pod);
    }

    /// <summary>Drops the jobs <paramref name="remove"/> picks, keeping the order of the rest; one pass.</summary>
    public void RemoveWhere(Func<int, bool> remove)
    {
        int w = 0;
        for (int r = 0; r < _items.Count; r++)
        {
            if (!remove(_items[r])) _items[w++] = _items[r];
        }
        _items.RemoveRange(w, _items.Count - w);
    }
}
