using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>Optimistic concurrency on metadata.resourceVersion and delete preconditions.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task ReplaceWithStaleResourceVersionConflicts()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        var first = await client.CoreV1.CreateNodeAsync(Objects.Node("n1"));
        var stale = await client.CoreV1.ReadNodeAsync("n1");

        first.Metadata.Labels["winner"] = "first";
        await client.CoreV1.ReplaceNodeAsync(first, "n1");

        stale.Metadata.Labels["winner"] = "second";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReplaceNodeAsync(stale, "n1"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal(
            "Operation cannot be fulfilled on nodes \"n1\": the object has been modified; please apply your changes to the latest version and try again",
            status.Message);
        Assert.Equal("first", server.Get<V1Node>("n1")!.Metadata.Labels["winner"]);

        stale.Metadata.ResourceVersion = null;
        var unconditional = await client.CoreV1.ReplaceNodeAsync(stale, "n1");
        Assert.Equal("second", unconditional.Metadata.Labels["winner"]);
    }

    [Fact]
    public async Task PatchCarryingAStaleResourceVersionConflicts()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        var pod = server.Create(Objects.Pod("p1"));
        server.Update<V1Pod>("p1", "default", p => p.Metadata.Labels = new Dictionary<string, string> { ["v"] = "2" });
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch($"{{\"metadata\":{{\"resourceVersion\":\"{pod.Metadata.ResourceVersion}\",\"labels\":{{\"v\":\"3\"}}}}}}", V1Patch.PatchType.MergePatch),
            "p1",
            "default"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
    }

    [Fact]
    public async Task DeletePreconditions()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        var pod = server.Create(Objects.Pod("p1"));
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.DeleteNamespacedPodAsync(
            "p1", "default", new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = Guid.NewGuid().ToString() } }));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.NotNull(server.Get<V1Pod>("p1", "default"));

        await client.CoreV1.DeleteNamespacedPodAsync(
            "p1", "default", new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } });
        Assert.Null(server.Get<V1Pod>("p1", "default"));
    }

    [Fact]
    public async Task ConcurrentReplacesExactlyOneWins()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(new V1Lease { Metadata = new V1ObjectMeta { Name = "l", NamespaceProperty = "default" }, Spec = new V1LeaseSpec() });
        var snapshot = await client.CoordinationV1.ReadNamespacedLeaseAsync("l", "default");
        var attempts = Enumerable.Range(0, 8).Select(async i =>
        {
            var mine = KubernetesJson.Deserialize<V1Lease>(KubernetesJson.Serialize(snapshot));
            mine.Spec.HolderIdentity = "candidate-" + i;
            try
            {
                await client.CoordinationV1.ReplaceNamespacedLeaseAsync(mine, "l", "default");
                return true;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                return false;
            }
        });
        var results = await Task.WhenAll(attempts);
        Assert.Equal(1, results.Count(r => r));
    }
}
