using System.Threading.RateLimiting;

namespace PackingScheduler.Kubernetes;

/// <summary>
/// Client-side throttling as client-go's --kube-api-qps and --kube-api-burst: a token bucket of
/// <c>burst</c> tokens refilled at <c>qps</c> per second. Watches hold one request for a long time
/// and are not throttled once open.
/// </summary>
public sealed class RateLimitingHandler : DelegatingHandler
{
    private readonly TokenBucketRateLimiter _limiter;

    public RateLimitingHandler(double qps, int burst)
    {
        if (qps <= 0) throw new ArgumentOutOfRangeException(nameof(qps), "must be positive");
        int perPeriod = Math.Max(1, (int)Math.Round(qps / 10));
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perPeriod / qps),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using RateLimitLease lease = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _limiter.Dispose();
        base.Dispose(disposing);
    }
}
