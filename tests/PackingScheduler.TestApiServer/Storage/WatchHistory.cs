namespace PackingScheduler.TestApiServer;

/// <summary>
/// Bounded ring of the most recent store events, used to resume watches from a resourceVersion. A watch may resume
/// from any version at or after <see cref="Floor"/>; older versions have been compacted away (410 Expired).
/// Not thread-safe: guarded by the store's lock.
/// </summary>
internal sealed class WatchHistory
{
    private StoreEvent[] _ring;
    private int _start;
    private int _count;

    public WatchHistory(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _ring = new StoreEvent[capacity];
    }

    public int Capacity => _ring.Length;

    public int Count => _count;

    /// <summary>Every event with a resourceVersion greater than this is still held.</summary>
    public long Floor { get; private set; }

    public void Add(StoreEvent e)
    {
        if (_ring.Length == 0)
        {
            Floor = e.ResourceVersion;
            return;
        }

        if (_count == _ring.Length)
        {
            Floor = _ring[_start].ResourceVersion;
            _start = (_start + 1) % _ring.Length;
            _count--;
        }

        _ring[(_start + _count) % _ring.Length] = e;
        _count++;
    }

    /// <summary>Forgets everything: only watches from <paramref name="currentRv"/> onwards can resume.</summary>
    public void Clear(long currentRv)
    {
        Array.Clear(_ring);
        _start = 0;
        _count = 0;
        Floor = Math.Max(Floor, currentRv);
    }

    public void Resize(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        var kept = Enumerate().ToList();
        var drop = Math.Max(0, kept.Count - capacity);
        if (drop > 0)
        {
            Floor = Math.Max(Floor, kept[drop - 1].ResourceVersion);
        }

        _ring = new StoreEvent[capacity];
        _start = 0;
        _count = 0;
        foreach (var e in kept.Skip(drop))
        {
            _ring[_count++] = e;
        }
    }

    /// <summary>Events of <paramref name="resource"/> after <paramref name="rv"/>; false when <paramref name="rv"/> is older than the window.</summary>
    public bool TryGetSince(long rv, ResourceType resource, List<StoreEvent> into)
    {
        if (rv < Floor)
        {
            return false;
        }

        foreach (var e in Enumerate())
        {
            if (e.ResourceVersion > rv && e.Resource == resource)
            {
                into.Add(e);
            }
        }

        return true;
    }

    private IEnumerable<StoreEvent> Enumerate()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _ring[(_start + i) % _ring.Length];
        }
    }
}
