using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>Expired history, restarts and cut watches, seen through the real KubernetesClient.</summary>
public sealed class ControlTests
{
    [Fact]
    public async Task ResumingFromExpiredHistoryGets410()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        var old = server.CurrentResourceVersion.ToString();
        server.Create(Objects.Pod("p1"));
        server.ExpireHistory();
        server.Create(Objects.Pod("p2"));

        await using var expired = EventCollector<V1Pod>.Start((onError, ct) =>
            client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: old, onError: onError, cancellationToken: ct));
        Assert.Null(await expired.EndAsync());
        var error = Assert.IsType<KubernetesException>(Assert.Single(expired.Errors));
        Assert.Equal((410, "Expired"), (error.Status.Code, error.Status.Reason));

        // Listing again and watching from the new version works.
        var list = await client.CoreV1.ListNamespacedPodAsync("default");
        await using var fresh = EventCollector<V1Pod>.Start((onError, ct) =>
            client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: list.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        server.Create(Objects.Pod("p3"));
        Assert.Equal((WatchEventType.Added, "p3"), WatchTests.Describe(await fresh.NextAsync()));
    }

    [Fact]
    public async Task SmallHistoryCompactsOldVersions()
    {
        await using var server = await TestApiServer.StartAsync(new TestApiServerOptions { HistorySize = 2 });
        using var client = server.CreateClient();
        var old = server.CurrentResourceVersion.ToString();
        for (var i = 0; i < 3; i++)
        {
            server.Create(Objects.Pod("p" + i));
        }

        await using var watch = EventCollector<V1Pod>.Start((onError, ct) =>
            client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: old, onError: onError, cancellationToken: ct));
        await watch.EndAsync();
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(watch.Errors)).Status.Code);

        server.HistorySize = 10;
        var recent = (server.CurrentResourceVersion - 1).ToString();
        await using var resumed = EventCollector<V1Pod>.Start((onError, ct) =>
            client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: recent, onError: onError, cancellationToken: ct));
        Assert.Equal((WatchEventType.Added, "p2"), WatchTests.Describe(await resumed.NextAsync()));
    }

    [Fact]
    public async Task CutWatchesEndsStreamsAbruptly()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Pod("p1"));
        server.Create(Objects.Node("n1"));
        await using var pods = EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListNamespacedPodAsync("default", onError: onError, cancellationToken: ct));
        await using var nodes = EventCollector<V1Node>.Start((onError, ct) => client.CoreV1.WatchListNodeAsync(onError: onError, cancellationToken: ct));
        await pods.NextAsync();
        await nodes.NextAsync();
        Assert.Equal(2, server.OpenWatchCount);

        server.CutWatches();

        Assert.IsAssignableFrom<IOException>(await pods.EndAsync());
        Assert.IsAssignableFrom<IOException>(await nodes.EndAsync());
        await Eventually(() => server.OpenWatchCount == 0);
    }

    [Fact]
    public async Task RestartCutsWatchesExpiresHistoryAnswers503ThenRecovers()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Pod("p1"));
        var lastSeen = server.CurrentResourceVersion.ToString();
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListNamespacedPodAsync("default", onError: onError, cancellationToken: ct));
        await watch.NextAsync();

        server.Restart(TimeSpan.FromSeconds(30));

        Assert.IsAssignableFrom<IOException>(await watch.EndAsync());
        var down = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedPodAsync("default"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Response.StatusCode);
        Assert.True(server.IsDown);

        server.ComeUp();
        var list = await client.CoreV1.ListNamespacedPodAsync("default");
        Assert.Equal(["p1"], list.Items.Select(p => p.Metadata.Name));

        await using var resumed = EventCollector<V1Pod>.Start((onError, ct) =>
            client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: lastSeen, onError: onError, cancellationToken: ct));
        await resumed.EndAsync();
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(resumed.Errors)).Status.Code);
    }

    [Fact]
    public async Task DowntimeEndsByItself()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Restart(TimeSpan.FromMilliseconds(200));
        await Eventually(() => !server.IsDown);
        Assert.NotEmpty((await client.CoreV1.ListNamespaceAsync()).Items);
    }

    internal static async Task Eventually(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(EventCollector<object>.Guard);
        while (!condition())
        {
            await Task.Delay(20, guard.Token);
        }
    }
}
