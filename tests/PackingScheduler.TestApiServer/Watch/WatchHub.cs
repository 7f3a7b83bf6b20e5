namespace PackingScheduler.TestApiServer;

/// <summary>The set of open watches. Publishing happens under the store lock so every watch sees events in order.</summary>
internal sealed class WatchHub
{
    private readonly object _gate = new();
    private WatchSubscription[] _subscriptions = [];

    public int Count => Volatile.Read(ref _subscriptions).Length;

    public void Add(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }
    }

    public void Remove(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = _subscriptions.Where(s => s != subscription).ToArray();
        }
    }

    public void Publish(StoreEvent e)
    {
        foreach (var s in Volatile.Read(ref _subscriptions))
        {
            if (s.Filter.Resource == e.Resource)
            {
                s.Offer(new WatchItem(e, 0));
            }
        }
    }

    public void Bookmark(long rv)
    {
        foreach (var s in Volatile.Read(ref _subscriptions))
        {
            if (s.WantsBookmarks)
            {
                s.Offer(WatchItem.Bookmark(rv));
            }
        }
    }

    public bool AnyWantBookmarks() => Volatile.Read(ref _subscriptions).Any(s => s.WantsBookmarks);

    public void CutAll()
    {
        foreach (var s in Volatile.Read(ref _subscriptions))
        {
            s.Cut();
        }
    }
}
