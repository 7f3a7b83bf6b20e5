using System.Threading.Channels;

namespace PackingScheduler.TestApiServer;

/// <summary>
/// One open watch: a bounded channel fed (under the store lock, so in resourceVersion order) with the events of its
/// resource. A watcher that falls too far behind is terminated, as the API server does with slow watchers.
/// </summary>
internal sealed class WatchSubscription : IDisposable
{
    private readonly Channel<WatchItem> _channel;
    private readonly CancellationTokenSource _cut = new();
    private readonly Action _abortConnection;
    private int _terminated;

    public WatchSubscription(WatchFilter filter, bool bookmarks, int capacity, Action abortConnection)
    {
        _abortConnection = abortConnection;
        Filter = filter;
        WantsBookmarks = bookmarks;
        _channel = Channel.CreateBounded<WatchItem>(new BoundedChannelOptions(Math.Max(1, capacity))
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public WatchFilter Filter { get; }

    public bool WantsBookmarks { get; }

    public ChannelReader<WatchItem> Reader => _channel.Reader;

    /// <summary>Cancelled when the watch is cut from the server side.</summary>
    public CancellationToken CutToken => _cut.Token;

    /// <summary>True once the watcher overflowed its buffer and was dropped.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Queues an item; a full buffer terminates the watch (the stream then ends after what was queued).</summary>
    public void Offer(WatchItem item)
    {
        if (Volatile.Read(ref _terminated) != 0)
        {
            return;
        }

        if (!_channel.Writer.TryWrite(item))
        {
            Overflowed = true;
            Terminate();
        }
    }

    /// <summary>Ends the watch gracefully: the stream closes after the queued events.</summary>
    public void Terminate()
    {
        if (Interlocked.Exchange(ref _terminated, 1) == 0)
        {
            _channel.Writer.TryComplete();
        }
    }

    /// <summary>Ends the watch abruptly: the connection is aborted mid-stream.</summary>
    public void Cut()
    {
        // Abort first, so the stream cannot end gracefully in between.
        try
        {
            _abortConnection();
        }
        catch (Exception e) when (e is ObjectDisposedException or NullReferenceException or InvalidOperationException)
        {
            // The request already finished and Kestrel recycled its context: nothing left to abort.
        }

        try
        {
            _cut.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The watch already finished.
        }

        Terminate();
    }

    public void Dispose()
    {
        Terminate();
        _cut.Dispose();
    }
}
