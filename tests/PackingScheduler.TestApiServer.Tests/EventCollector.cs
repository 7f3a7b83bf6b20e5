using System.Collections.Concurrent;
using System.Threading.Channels;
using k8s;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>Consumes a KubernetesClient watch in the background so a test can await its events one by one.</summary>
internal sealed class EventCollector<T> : IAsyncDisposable
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private readonly Channel<(WatchEventType Type, T Object)> _events = Channel.CreateUnbounded<(WatchEventType, T)>();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _pump;

    private EventCollector(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> open)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in open(_errors.Enqueue, _cts.Token))
                {
                    await _events.Writer.WriteAsync(e);
                }
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        });
    }

    /// <summary>Finishes when the stream ends; faults with the transport error if it broke.</summary>
    public Task Completion => _pump;

    /// <summary>Errors reported through the client's onError (e.g. a KubernetesException for an ERROR event).</summary>
    public IReadOnlyCollection<Exception> Errors => _errors.ToArray();

    public static EventCollector<T> Start(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> open) => new(open);

    public async Task<(WatchEventType Type, T Object)> NextAsync(bool skipBookmarks = true)
    {
        using var timeout = new CancellationTokenSource(Guard);
        while (true)
        {
            var e = await _events.Reader.ReadAsync(timeout.Token);
            if (!skipBookmarks || e.Type != WatchEventType.Bookmark)
            {
                return e;
            }
        }
    }

    /// <summary>Waits for the stream to end; returns the exception it ended with, if any.</summary>
    public async Task<Exception?> EndAsync()
    {
        try
        {
            await _pump.WaitAsync(Guard);
            return null;
        }
        catch (TimeoutException)
        {
            throw;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _pump.WaitAsync(Guard);
        }
        catch (Exception)
        {
            // Cancelled or broken: either way the watch is over.
        }

        _cts.Dispose();
    }
}
