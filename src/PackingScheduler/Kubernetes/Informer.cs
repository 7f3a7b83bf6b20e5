using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace PackingScheduler.Kubernetes;

/// <summary>
/// List, then watch from the list's resourceVersion, forever: a stream that ends is resumed from
/// the last resourceVersion seen (bookmarks included); 410 Gone means the history is gone, so it
/// lists again; other errors back off exponentially (capped, with jitter) and retry.
/// </summary>
public sealed partial class Informer<T, TList>
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    public delegate Task<TList> List(CancellationToken cancellationToken);

    /// <summary>Watches from <paramref name="resourceVersion"/>; stream errors (a 410 Status included) go to <paramref name="onError"/>.</summary>
    public delegate IAsyncEnumerable<(WatchEventType, T)> Watch(string? resourceVersion, Action<Exception> onError, CancellationToken cancellationToken);

    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly string _name;
    private readonly List _list;
    private readonly Watch _watch;
    private readonly IInformerHandler<T> _handler;
    private readonly ILogger _log;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _relists;
    private long _resumes;

    public Informer(string name, List list, Watch watch, IInformerHandler<T> handler, ILogger log)
    {
        _name = name;
        _list = list;
        _watch = watch;
        _handler = handler;
        _log = log;
    }

    public string Name => _name;

    /// <summary>Completes after the first successful list has been handed to the handler.</summary>
    public Task Synced => _synced.Task;

    public bool HasSynced => _synced.Task.IsCompleted;

    public long Relists => Interlocked.Read(ref _relists);
    public long Resumes => Interlocked.Read(ref _resumes);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        bool needList = true;
        TimeSpan backoff = InitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    TList list = await _list(cancellationToken).ConfigureAwait(false);
                    IList<T> items = list.Items ?? new List<T>();
                    _handler.OnReplace(items as IReadOnlyList<T> ?? items.ToList());
                    resourceVersion = list.Metadata?.ResourceVersion;
                    needList = false;
                    _synced.TrySetResult();
                    LogListed(_name, items.Count, resourceVersion);
                }

                bool expired = false;
                Exception? streamError = null;
                int events = 0;
                IAsyncEnumerable<(WatchEventType, T)> stream = _watch(resourceVersion, e =>
                {
                    if (e is KubernetesException { Status.Code: (int)HttpStatusCode.Gone }) expired = true;
                    else streamError = e;
                }, cancellationToken);
                await foreach ((WatchEventType type, T item) in stream.ConfigureAwait(false))
                {
                    events++;
                    switch (type)
                    {
                        case WatchEventType.Added:
                        case WatchEventType.Modified:
                            _handler.OnAddOrUpdate(item);
                            break;
                        case WatchEventType.Deleted:
                            _handler.OnDelete(item);
                            break;
                    }
                    // Bookmarks carry only this; every event moves the resume point forward.
                    if (item.Metadata?.ResourceVersion is { Length: > 0 } rv) resourceVersion = rv;
                    backoff = InitialBackoff;
                }
                if (expired)
                {
                    Interlocked.Increment(ref _relists);
                    LogExpired(_name, resourceVersion);
                    needList = true;
                    continue;
                }
                Interlocked.Increment(ref _resumes);
                if (streamError is not null) LogStreamError(_name, streamError.Message);
                // A stream that closes at once, again and again, must not spin.
                if (events == 0) backoff = await DelayAsync(backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
            {
                Interlocked.Increment(ref _relists);
                LogExpired(_name, resourceVersion);
                needList = true;
            }
            catch (Exception e)
            {
                LogRetry(_name, e.Message, backoff.TotalMilliseconds);
                try
                {
                    backoff = await DelayAsync(backoff, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private static async Task<TimeSpan> DelayAsync(TimeSpan backoff, CancellationToken cancellationToken)
    {
        double jitter = 1 + Random.Shared.NextDouble() * 0.2;
        await Task.Delay(backoff * jitter, cancellationToken).ConfigureAwait(false);
        TimeSpan next = backoff * 2;
        return next > MaxBackoff ? MaxBackoff : next;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Informer}: listed {Count} objects at resourceVersion {ResourceVersion}")]
    private partial void LogListed(string informer, int count, string? resourceVersion);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{Informer}: resourceVersion {ResourceVersion} expired (410); listing again")]
    private partial void LogExpired(string informer, string? resourceVersion);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "{Informer}: watch stream error: {Error}")]
    private partial void LogStreamError(string informer, string error);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Informer}: {Error}; retrying in {BackoffMs} ms")]
    private partial void LogRetry(string informer, string error, double backoffMs);
}
