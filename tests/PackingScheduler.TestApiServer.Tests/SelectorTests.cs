using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>Field and label selectors on list and watch, as a scheduler uses them.</summary>
public sealed class SelectorTests
{
    private const string Unscheduled = "spec.schedulerName=packing,spec.nodeName=";

    [Fact]
    public async Task ListWithSchedulerAndEmptyNodeNameSelector()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Pod("mine-pending", scheduler: "packing"));
        server.Create(Objects.Pod("mine-bound", scheduler: "packing", node: "n1"));
        server.Create(Objects.Pod("theirs", scheduler: "default-scheduler"));
        server.Create(Objects.Pod("defaulted"));
        server.Create(Objects.Pod("elsewhere", ns: "kube-system", scheduler: "packing"));

        var namespaced = await client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: Unscheduled);
        Assert.Equal(["mine-pending"], namespaced.Items.Select(p => p.Metadata.Name));

        var all = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: Unscheduled);
        Assert.Equal(["mine-pending", "elsewhere"], all.Items.Select(p => p.Metadata.Name));

        var defaults = await client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "spec.schedulerName==default-scheduler");
        Assert.Equal(["defaulted", "theirs"], defaults.Items.Select(p => p.Metadata.Name));

        var assigned = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed");
        Assert.Equal(["mine-bound"], assigned.Items.Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task WatchSendsDeletedWhenAnObjectLeavesTheSelection()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Node("n1"));
        var rv = server.CurrentResourceVersion.ToString();
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(
            fieldSelector: Unscheduled, resourceVersion: rv, onError: onError, cancellationToken: ct));

        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p1", scheduler: "packing"), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("not-mine", scheduler: "other"), "default");
        await client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p1", "n1"), "p1", "default");
        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p2", scheduler: "packing"), "default");

        Assert.Equal((WatchEventType.Added, "p1"), WatchTests.Describe(await watch.NextAsync()));
        var (type, left) = await watch.NextAsync();
        Assert.Equal((WatchEventType.Deleted, "p1"), (type, left.Metadata.Name));
        Assert.Equal(server.Get<V1Pod>("p1", "default")!.Metadata.ResourceVersion, left.Metadata.ResourceVersion);
        Assert.Equal((WatchEventType.Added, "p2"), WatchTests.Describe(await watch.NextAsync()));
    }

    [Fact]
    public async Task WatchSendsAddedWhenAnObjectEntersTheSelection()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Pod("p1", labels: new Dictionary<string, string> { ["tier"] = "web" }));
        var rv = server.CurrentResourceVersion.ToString();
        await using var watch = EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(
            "default", labelSelector: "tier in (batch, db)", resourceVersion: rv, onError: onError, cancellationToken: ct));
        server.Update<V1Pod>("p1", "default", p => p.Metadata.Labels["tier"] = "batch");
        server.Update<V1Pod>("p1", "default", p => p.Metadata.Labels["x"] = "y");
        Assert.Equal((WatchEventType.Added, "p1"), WatchTests.Describe(await watch.NextAsync()));
        Assert.Equal((WatchEventType.Modified, "p1"), WatchTests.Describe(await watch.NextAsync()));
    }

    [Fact]
    public async Task LabelSelectorsOnList()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Node("a"));
        server.Update<V1Node>("a", null, n => n.Metadata.Labels["zone"] = "z1");
        server.Create(Objects.Node("b"));
        server.Update<V1Node>("b", null, n => n.Metadata.Labels["zone"] = "z2");
        server.Create(Objects.Node("c"));

        async Task<string[]> Names(string selector) => (await client.CoreV1.ListNodeAsync(labelSelector: selector)).Items.Select(n => n.Metadata.Name).ToArray();
        Assert.Equal(["a"], await Names("zone=z1"));
        Assert.Equal(["a"], await Names("zone==z1,kubernetes.io/hostname"));
        Assert.Equal(["b", "c"], await Names("zone!=z1"));
        Assert.Equal(["a", "b"], await Names("zone in (z1,z2)"));
        Assert.Equal(["c"], await Names("zone notin (z1, z2)"));
        Assert.Equal(["c"], await Names("!zone"));
        Assert.Equal(["a", "b"], await Names("zone"));
    }

    [Fact]
    public async Task UnsupportedFieldIsRejectedLikeTheRealServer()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: "spec.priority=1"));
        Assert.Equal(HttpStatusCode.BadRequest, e.Response.StatusCode);
        Assert.Contains("field label not supported: spec.priority", e.Response.Content);
    }
}
