using Microsoft.AspNetCore.Http;

namespace PackingScheduler.TestApiServer;

/// <summary>The single request delegate: resolve, log, apply availability and injected faults, then dispatch.</summary>
internal sealed class ApiRequestHandler(
    ResourceEndpoints endpoints,
    FaultRegistry faults,
    RequestLog log,
    Availability availability,
    CancellationToken serverStopping)
{
    public async Task HandleAsync(HttpContext http)
    {
        var parsed = RequestParser.Parse(http.Request);
        var scope = new RequestScope(http, parsed.Info, log);
        try
        {
            if (availability.IsDown)
            {
                throw new ApiStatusException(503, "ServiceUnavailable", "the server is currently unable to handle the request") { RetryAfterSeconds = 1 };
            }

            if (faults.Take(parsed.Info) is { } fault && !await ApplyFaultAsync(scope, fault).ConfigureAwait(false))
            {
                return;
            }

            await DispatchAsync(scope, parsed).ConfigureAwait(false);
        }
        catch (ApiStatusException e)
        {
            await HttpIo.WriteStatusAsync(scope, e).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested || serverStopping.IsCancellationRequested)
        {
            // The client left or the server is stopping.
        }
        catch (IOException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client left mid-request.
        }
        catch (Exception e)
        {
            await HttpIo.WriteStatusAsync(scope, new ApiStatusException(500, "InternalError", "Internal error occurred: " + e.Message)).ConfigureAwait(false);
        }
        finally
        {
            scope.Record(0);
        }
    }

    /// <summary>Applies a fault; true when the request should then be handled normally.</summary>
    private async Task<bool> ApplyFaultAsync(RequestScope scope, FaultAction fault)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(scope.Http.RequestAborted, serverStopping);
        switch (fault.Kind)
        {
            case FaultKind.Delay:
                await Task.Delay(fault.Duration, stop.Token).ConfigureAwait(false);
                return true;
            case FaultKind.Hang:
                await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token).ConfigureAwait(false);
                return false;
            case FaultKind.Drop:
                scope.Http.Abort();
                return false;
            case FaultKind.TooManyRequests:
                throw new ApiStatusException(429, "TooManyRequests", "Too many requests, please try again later.")
                {
                    RetryAfterSeconds = fault.RetryAfterSeconds,
                };
            default:
                throw ApiStatusException.ForCode(fault.StatusCode, fault.Message);
        }
    }

    private async Task DispatchAsync(RequestScope scope, ParsedRequest parsed)
    {
        switch (parsed.NonResource)
        {
            case NonResourcePath.None:
                await endpoints.HandleAsync(scope, parsed).ConfigureAwait(false);
                break;
            case NonResourcePath.Version:
                await HttpIo.WriteJsonAsync(scope, 200, Discovery.Version()).ConfigureAwait(false);
                break;
            case NonResourcePath.Health:
                await HttpIo.WriteTextAsync(scope, "ok").ConfigureAwait(false);
                break;
            case NonResourcePath.CoreVersions:
                await HttpIo.WriteJsonAsync(scope, 200, Discovery.CoreVersions()).ConfigureAwait(false);
                break;
            case NonResourcePath.GroupList:
                await HttpIo.WriteJsonAsync(scope, 200, Discovery.GroupList()).ConfigureAwait(false);
                break;
            case NonResourcePath.ResourceList:
                var list = Discovery.ResourceList(parsed.Info.Group, parsed.Info.Version) ?? throw ApiStatusException.PathNotFound();
                await HttpIo.WriteJsonAsync(scope, 200, list).ConfigureAwait(false);
                break;
            default:
                throw ApiStatusException.PathNotFound();
        }
    }
}
