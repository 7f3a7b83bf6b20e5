namespace PackingScheduler.TestApiServer;

/// <summary>What flows through a watch's channel: a store event, or a bookmark at a resourceVersion.</summary>
internal readonly record struct WatchItem(StoreEvent? Event, long BookmarkResourceVersion)
{
    public static WatchItem Bookmark(long rv) => new(null, rv);
}
