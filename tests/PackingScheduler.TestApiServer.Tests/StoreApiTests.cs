using k8s;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>The in-process side: direct store access, mutation hooks and waits.</summary>
public sealed class StoreApiTests
{
    [Fact]
    public async Task DirectAccessAndHttpSeeTheSameStore()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        var direct = server.Create(Objects.Pod("direct", labels: new Dictionary<string, string> { ["app"] = "x" }));
        Assert.Equal(("Pod", "v1"), (direct.Kind, direct.ApiVersion));
        Assert.Equal(direct.Metadata.Uid, (await client.CoreV1.ReadNamespacedPodAsync("direct", "default")).Metadata.Uid);

        await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("remote"), "default");
        Assert.NotNull(server.Get<V1Pod>("remote", "default"));
        Assert.Equal(["direct"], server.List<V1Pod>("default", labelSelector: "app=x").Select(p => p.Metadata.Name));
        Assert.Equal(2, server.List<V1Pod>().Count);

        var running = server.Update<V1Pod>("direct", "default", p => p.Status.Phase = "Running");
        Assert.Equal("Running", running.Status.Phase);
        Assert.Equal(["direct"], server.List<V1Pod>(fieldSelector: "status.phase=Running").Select(p => p.Metadata.Name));

        running.Metadata.Labels["app"] = "y";
        Assert.Equal("y", server.Update(running).Metadata.Labels["app"]);
        var stale = Assert.Throws<ApiStatusException>(() => server.Update(running));
        Assert.Equal((409, "Conflict"), (stale.Code, stale.Reason));

        Assert.True(server.Delete<V1Pod>("direct", "default"));
        Assert.False(server.Delete<V1Pod>("direct", "default"));
        Assert.Equal(404, Assert.Throws<ApiStatusException>(() => server.Update<V1Pod>("direct", "default", _ => { })).Code);
    }

    [Fact]
    public async Task SeededLikeAFreshCluster()
    {
        await using var server = await TestApiServer.StartAsync();
        Assert.Equal(["default", "kube-node-lease", "kube-public", "kube-system"], server.List<V1Namespace>().Select(n => n.Metadata.Name));
        Assert.Equal("Active", server.Get<V1Namespace>("default")!.Status.Phase);
        Assert.Equal(2000001000, server.Get<V1PriorityClass>("system-node-critical")!.Value);

        await using var empty = await TestApiServer.StartAsync(new TestApiServerOptions { SeedDefaults = false });
        Assert.Empty(empty.List<V1Namespace>());
        Assert.Equal(0, empty.CurrentResourceVersion);
    }

    [Fact]
    public async Task MutationHookChecksAnInvariantAtEveryCommit()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Node("small", cpu: "1"));
        for (var i = 0; i < 3; i++)
        {
            var pod = Objects.Pod("p" + i);
            pod.Spec.Containers[0].Resources.Requests["cpu"] = new ResourceQuantity("400m");
            server.Create(pod);
        }

        var checks = 0;
        using var invariant = server.OnMutation(change =>
        {
            Interlocked.Increment(ref checks);
            foreach (var node in server.List<V1Node>())
            {
                var requested = server.List<V1Pod>(fieldSelector: "spec.nodeName=" + node.Metadata.Name)
                    .Sum(p => p.Spec.Containers.Sum(c => c.Resources.Requests["cpu"].ToDecimal()));
                if (requested > node.Status.Allocatable["cpu"].ToDecimal())
                {
                    throw new InvalidOperationException($"{node.Metadata.Name} over-committed by {change}");
                }
            }
        });

        await client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p0", "small"), "p0", "default");
        await client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p1", "small"), "p1", "default");
        Assert.Empty(server.MutationHookErrors);

        await client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p2", "small"), "p2", "default");
        var error = Assert.Single(server.MutationHookErrors);
        Assert.Contains("small over-committed by Modified pods default/p2", error.Message);
        Assert.Equal(3, checks);
    }

    [Fact]
    public async Task MutationHookSeesOldAndNew()
    {
        await using var server = await TestApiServer.StartAsync();
        var changes = new List<StoreChange>();
        using (server.OnMutation(changes.Add))
        {
            server.Create(Objects.Pod("p"));
            server.Update<V1Pod>("p", "default", p => p.Status.Phase = "Running");
            server.Delete<V1Pod>("p", "default");
        }

        server.Create(Objects.Pod("after"));
        Assert.Equal([ChangeType.Added, ChangeType.Modified, ChangeType.Deleted], changes.Select(c => c.Type));
        Assert.Equal(("Pending", "Running"), (changes[1].GetOld<V1Pod>()!.Status.Phase, changes[1].GetNew<V1Pod>()!.Status.Phase));
        Assert.Null(changes[2].GetNew<V1Pod>());
        Assert.All(changes, c => Assert.True(c.Is<V1Pod>()));
        Assert.Equal(("", "pods", "Pod", "default", "p"), (changes[0].Group, changes[0].Resource, changes[0].Kind, changes[0].Namespace, changes[0].Name));
    }

    [Fact]
    public async Task WaitForCompletesWhenTheObjectMatches()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.CreateClient();
        server.Create(Objects.Node("n1"));
        server.Create(Objects.Pod("p"));
        var bound = server.WaitForAsync<V1Pod>("p", "default", p => p.Spec.NodeName is not null);
        Assert.False(bound.IsCompleted);
        await client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p", "n1"), "p", "default");
        Assert.Equal("n1", (await bound).Spec.NodeName);

        await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForAsync<V1Pod>("p", "default", p => p.Spec.NodeName == "n2", TimeSpan.FromMilliseconds(50)));
    }
}
