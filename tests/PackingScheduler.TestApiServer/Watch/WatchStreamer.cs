using Microsoft.AspNetCore.Http;

namespace PackingScheduler.TestApiServer;

/// <summary>
/// Serves one watch request: HTTP 200 with a chunked stream of newline-delimited watch events, flushed one by one,
/// until the timeout, the client leaving, the server cutting it, or the watcher falling behind.
/// </summary>
internal sealed class WatchStreamer(ObjectStore store, WatchHub hub, TestApiServerOptions options, CancellationToken serverStopping)
{
    public async Task RunAsync(RequestScope scope, WatchFilter filter)
    {
        var http = scope.Http;
        var query = http.Request.Query;
        var bookmarks = QueryValues.Bool(query, "allowWatchBookmarks");
        var sendInitialEvents = QueryValues.Bool(query, "sendInitialEvents");
        var timeoutSeconds = QueryValues.Long(query, "timeoutSeconds");

        WatchStart start;
        try
        {
            start = store.OpenWatch(filter, QueryValues.String(query, "resourceVersion"), bookmarks, options.WatchBufferSize, http.Abort);
        }
        catch (ApiStatusException e) when (e.Code == 410)
        {
            // Like the API server: the watch is accepted, then a single ERROR event carries the 410 and the stream ends.
            await BeginAsync(scope).ConfigureAwait(false);
            await WriteAsync(http, WatchEvents.Error(e)).ConfigureAwait(false);
            return;
        }

        var subscription = start.Subscription;
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, subscription.CutToken, serverStopping);
            TimeSpan? timeout = timeoutSeconds > 0 ? TimeSpan.FromSeconds(timeoutSeconds.Value) : options.DefaultWatchTimeout;
            if (timeout is { } t)
            {
                stop.CancelAfter(t);
            }

            await BeginAsync(scope).ConfigureAwait(false);
            foreach (var e in start.Initial)
            {
                if (WatchEvents.Translate(filter, e) is { } line)
                {
                    await WriteAsync(http, line).ConfigureAwait(false);
                }
            }

            if (sendInitialEvents && bookmarks)
            {
                await WriteAsync(http, WatchEvents.Bookmark(filter.Resource, start.ResourceVersion, initialEventsEnd: true)).ConfigureAwait(false);
            }

            var reader = subscription.Reader;
            while (await reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    var line = item.Event is { } e
                        ? WatchEvents.Translate(filter, e)
                        : WatchEvents.Bookmark(filter.Resource, item.BookmarkResourceVersion);
                    if (line is not null)
                    {
                        await WriteAsync(http, line).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone, or cut: the stream just ends.
        }
        catch (IOException)
        {
            // The client went away mid-write.
        }
        finally
        {
            hub.Remove(subscription);
            subscription.Dispose();
        }
    }

    private static async Task BeginAsync(RequestScope scope)
    {
        var response = scope.Http.Response;
        scope.Record(200);
        response.StatusCode = 200;
        response.ContentType = HttpIo.JsonContentType;
        response.Headers.CacheControl = "no-cache, private";
        await response.StartAsync(scope.Http.RequestAborted).ConfigureAwait(false);
        await response.Body.FlushAsync(scope.Http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext http, byte[] line)
    {
        await http.Response.Body.WriteAsync(line, http.RequestAborted).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
    }
}
