using k8s;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>List-then-watch as informers do it, through the real KubernetesClient.</summary>
public sealed class WatchTests
{
    [Fact]
    public async Task WatchFromListVersionSeesSubsequentEventsInOrder()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("existing"), "default");
        var list = await client.CoreV1.ListNamespacedPodAsync("default");
        Assert.Equal("PodList", list.Kind);
        Assert.Equal(server.CurrentResourceVersion.ToString(), list.Metadata.ResourceVersion);

        await using var watch = EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(
            "default", resourceVersion: list.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("a"), "default");
        await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("{\"metadata\":{\"labels\":{\"x\":\"1\"}}}", V1Patch.PatchType.MergePatch), "a", "default");
        await client.CoreV1.DeleteNamespacedPodAsync("a", "default");
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("b", "other"), "other");

        var seen = new List<(WatchEventType, string, long)>();
        for (var i = 0; i < 3; i++)
        {
            var (type, pod) = await watch.NextAsync();
            seen.Add((type, pod.Metadata.Name, long.Parse(pod.Metadata.ResourceVersion)));
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen.Select(s => s.Item1));
        Assert.All(seen, s => Assert.Equal("a", s.Item2));
        Assert.True(seen[0].Item3 < seen[1].Item3 && seen[1].Item3 < seen[2].Item3, "resourceVersions increase");
        Assert.Equal(server.CurrentResourceVersion - 1, seen[2].Item3);
    }

    [Fact]
    public async Task WatchWithoutVersionStartsWithSyntheticAddedEvents()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Node("n1"));
        server.Create(Objects.Node("n2"));
        await using var watch = EventCollector<V1Node>.Start((onError, ct) => client.CoreV1.WatchListNodeAsync(onError: onError, cancellationToken: ct));
        Assert.Equal((WatchEventType.Added, "n1"), Describe(await watch.NextAsync()));
        Assert.Equal((WatchEventType.Added, "n2"), Describe(await watch.NextAsync()));
        server.Update<V1Node>("n1", null, n => n.Spec = new V1NodeSpec { Unschedulable = true });
        Assert.Equal((WatchEventType.Modified, "n1"), Describe(await watch.NextAsync()));
    }

    [Fact]
    public async Task AllNamespacesWatchAndReplayFromHistory()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        var from = server.CurrentResourceVersion.ToString();
        server.Create(Objects.Pod("p1", "default"));
        server.Create(Objects.Pod("p2", "kube-system"));
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) =>
            client.CoreV1.WatchListPodForAllNamespacesAsync(resourceVersion: from, onError: onError, cancellationToken: ct));
        Assert.Equal((WatchEventType.Added, "p1"), Describe(await watch.NextAsync()));
        Assert.Equal((WatchEventType.Added, "p2"), Describe(await watch.NextAsync()));
    }

    [Fact]
    public async Task BookmarksArriveWhenRequested()
    {
        await using var server = await TestApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        using var client = server.CreateClient();
        server.Create(Objects.Pod("p1"));
        var rv = server.CurrentResourceVersion;
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(
            "default", allowWatchBookmarks: true, resourceVersion: rv.ToString(), onError: onError, cancellationToken: ct));
        var (type, obj) = await watch.NextAsync(skipBookmarks: false);
        Assert.Equal(WatchEventType.Bookmark, type);
        Assert.Equal("Pod", obj.Kind);
        Assert.True(long.Parse(obj.Metadata.ResourceVersion) >= rv);
    }

    [Fact]
    public async Task NoBookmarksUnlessRequested()
    {
        await using var server = await TestApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(50) });
        using var client = server.CreateClient();
        var rv = server.CurrentResourceVersion.ToString();
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) =>
            client.CoreV1.WatchListNamespacedPodAsync("default", resourceVersion: rv, onError: onError, cancellationToken: ct));
        await Task.Delay(300);
        server.Create(Objects.Pod("p1"));
        Assert.Equal((WatchEventType.Added, "p1"), Describe(await watch.NextAsync(skipBookmarks: false)));
    }

    [Fact]
    public async Task TimeoutSecondsEndsTheStreamCleanly()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Pod("p1"));
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) =>
            client.CoreV1.WatchListNamespacedPodAsync("default", timeoutSeconds: 1, onError: onError, cancellationToken: ct));
        Assert.Equal((WatchEventType.Added, "p1"), Describe(await watch.NextAsync()));
        Assert.Null(await watch.EndAsync());
    }

    [Fact]
    public async Task SendInitialEventsEndsWithAnnotatedBookmark()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Pod("p1"));
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(
            "default", allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: "NotOlderThan", onError: onError, cancellationToken: ct));
        Assert.Equal((WatchEventType.Added, "p1"), Describe(await watch.NextAsync(skipBookmarks: false)));
        var (type, bookmark) = await watch.NextAsync(skipBookmarks: false);
        Assert.Equal(WatchEventType.Bookmark, type);
        Assert.Equal("true", bookmark.Metadata.Annotations["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task WatchOfOneObjectByName()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Pod("mine"));
        server.Create(Objects.Pod("other"));
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(
            "default", fieldSelector: "metadata.name=mine", onError: onError, cancellationToken: ct));
        Assert.Equal((WatchEventType.Added, "mine"), Describe(await watch.NextAsync()));
        server.Update<V1Pod>("other", "default", p => p.Metadata.Labels = new Dictionary<string, string> { ["a"] = "b" });
        server.Update<V1Pod>("mine", "default", p => p.Metadata.Labels = new Dictionary<string, string> { ["a"] = "b" });
        Assert.Equal((WatchEventType.Modified, "mine"), Describe(await watch.NextAsync()));
    }

    [Fact]
    public async Task ClientGoingAwayReleasesTheWatch()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Pod("p1"));
        var watch = EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListNamespacedPodAsync("default", onError: onError, cancellationToken: ct));
        await watch.NextAsync();
        Assert.Equal(1, server.OpenWatchCount);
        await watch.DisposeAsync();
        await ControlTests.Eventually(() => server.OpenWatchCount == 0);
        Assert.Contains(server.Requests, r => r is { Verb: "watch", Resource: "pods", Namespace: "default", StatusCode: 200 });
    }

    internal static (WatchEventType, string) Describe<T>((WatchEventType Type, T Object) e) where T : IMetadata<V1ObjectMeta> =>
        (e.Type, e.Object.Metadata.Name);
}
