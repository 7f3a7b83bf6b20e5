using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

public sealed class FaultTests : IAsyncLifetime
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.CreateClient();
        _server.Create(Objects.Node("n1"));
        _server.Create(Objects.Pod("p1"));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task NextThreeBindingsAnswer500()
    {
        var fault = _server.InjectFault(r => r.Resource == "pods" && r.Subresource == "binding", FaultAction.Status(500, times: 3));
        for (var i = 0; i < 3; i++)
        {
            var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p1", "n1"), "p1", "default"));
            Assert.Equal(HttpStatusCode.InternalServerError, e.Response.StatusCode);
            Assert.Equal("InternalError", KubernetesJson.Deserialize<V1Status>(e.Response.Content).Reason);
        }

        await _client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p1", "n1"), "p1", "default");
        Assert.Equal((3, false), (fault.Hits, fault.IsActive));
        Assert.Equal(1, _server.BindingCount("default", "p1"));
        Assert.Equal([500, 500, 500, 201], _server.Requests.Where(r => r.Subresource == "binding").Select(r => r.StatusCode));
    }

    [Fact]
    public async Task TooManyRequestsCarriesRetryAfter()
    {
        _server.InjectFault(r => r.Verb == "list", FaultAction.TooManyRequests(retryAfterSeconds: 7, times: 1));
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNamespacedPodAsync("default"));
        Assert.Equal((HttpStatusCode)429, e.Response.StatusCode);
        Assert.Equal(["7"], e.Response.Headers["Retry-After"]);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal(("TooManyRequests", 7), (status.Reason, status.Details.RetryAfterSeconds));
        Assert.Single((await _client.CoreV1.ListNamespacedPodAsync("default")).Items);
    }

    [Fact]
    public async Task DelayThenHandleNormally()
    {
        var fault = _server.InjectFault(r => r.Verb == "get" && r.Name == "p1", FaultAction.Delay(TimeSpan.FromMilliseconds(100)));
        var pod = await _client.CoreV1.ReadNamespacedPodAsync("p1", "default");
        Assert.Equal("p1", pod.Metadata.Name);
        Assert.Equal((1, true), (fault.Hits, fault.IsActive));
        fault.Dispose();
        Assert.False(fault.IsActive);
    }

    [Fact]
    public async Task HangUntilTheClientGivesUp()
    {
        _server.InjectFault(r => r.Verb == "get", FaultAction.Hang(times: 1));
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.CoreV1.ReadNamespacedPodAsync("p1", "default", cancellationToken: giveUp.Token));
        Assert.Equal("p1", (await _client.CoreV1.ReadNamespacedPodAsync("p1", "default")).Metadata.Name);
    }

    [Fact]
    public async Task DropClosesTheConnection()
    {
        _server.InjectFault(r => r.Verb == "get", FaultAction.Drop(times: 1));
        await Assert.ThrowsAsync<HttpRequestException>(() => _client.CoreV1.ReadNamespacedPodAsync("p1", "default"));
    }

    [Fact]
    public async Task RemovedFaultsStopApplying()
    {
        var fault = _server.InjectFault(_ => true, FaultAction.Status(503));
        await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNodeAsync());
        _server.RemoveFault(fault);
        Assert.Single((await _client.CoreV1.ListNodeAsync()).Items);

        _server.InjectFault(r => r.Namespace == "default", FaultAction.Status(504, message: "slow etcd"));
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNamespacedPodAsync("default"));
        Assert.Equal(("Timeout", "slow etcd"), (KubernetesJson.Deserialize<V1Status>(e.Response.Content).Reason, KubernetesJson.Deserialize<V1Status>(e.Response.Content).Message));
        Assert.Single((await _client.CoreV1.ListNodeAsync()).Items);
        _server.ClearFaults();
        Assert.Single((await _client.CoreV1.ListNamespacedPodAsync("default")).Items);
    }

    [Fact]
    public async Task WatchRequestsCanFailToo()
    {
        _server.InjectFault(r => r.Verb == "watch", FaultAction.Status(500, times: 1));
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) => _client.CoreV1.WatchListNamespacedPodAsync("default", onError: onError, cancellationToken: ct));
        var e = Assert.IsType<HttpOperationException>(await watch.EndAsync());
        Assert.Equal(HttpStatusCode.InternalServerError, e.Response.StatusCode);
    }

    [Fact]
    public async Task RequestLogRecordsWhatHappened()
    {
        _server.ClearRequests();
        await _client.CoreV1.ReadNamespacedPodAsync("p1", "default");
        await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedPodAsync("nope", "default"));
        await _client.CoordinationV1.ListNamespacedLeaseAsync("kube-system");
        var log = _server.Requests;
        Assert.Equal(
            [("get", "", "pods", "default", "p1", 200), ("get", "", "pods", "default", "nope", 404), ("list", "coordination.k8s.io", "leases", "kube-system", null, 200)],
            log.Select(r => (r.Verb, r.Request.Group, r.Resource, r.Namespace, r.Name, r.StatusCode)));
    }
}
