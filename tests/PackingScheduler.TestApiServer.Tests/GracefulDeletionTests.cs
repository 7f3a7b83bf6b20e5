using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>
/// Pod DELETE as the API server does it, through the real KubernetesClient: graceful deletion of
/// bound pods (deletionTimestamp, deletionGracePeriodSeconds, a MODIFIED event, the pod kept),
/// immediate deletion otherwise, DeleteOptions from the body or the query, shortening only, 404
/// for a missing pod, and the kubelet the server can play. Plus PodDisruptionBudget list/watch.
/// </summary>
public sealed class GracefulDeletionTests
{
    private static V1Pod Bound(string name, long? grace = null, string phase = "Running")
    {
        V1Pod pod = Objects.Pod(name, node: "n1");
        pod.Spec.TerminationGracePeriodSeconds = grace;
        pod.Status = new V1PodStatus { Phase = phase };
        return pod;
    }

    private static async Task<(TestApiServer Server, Kubernetes Client)> StartAsync(TestApiServerOptions? options = null)
    {
        TestApiServer server = await TestApiServer.StartAsync(options);
        server.Create(Objects.Node("n1"));
        return (server, server.CreateClient());
    }

    private static EventCollector<V1Pod> Watch(Kubernetes client, TestApiServer server) =>
        EventCollector<V1Pod>.Start((onError, ct) => client.CoreV1.WatchListNamespacedPodAsync(
            "default", resourceVersion: server.CurrentResourceVersion.ToString(), onError: onError, cancellationToken: ct));

    [Fact]
    public async Task A_bound_pod_with_a_grace_period_is_marked_terminating_and_kept()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync();
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(Bound("p", grace: 45));
        await using EventCollector<V1Pod> watch = Watch(client, server);
        DateTime before = DateTime.UtcNow;

        V1Pod returned = await client.CoreV1.DeleteNamespacedPodAsync("p", "default");

        Assert.Equal(45, returned.Metadata.DeletionGracePeriodSeconds);
        Assert.NotNull(returned.Metadata.DeletionTimestamp);
        // Second precision, as the API server writes it.
        Assert.InRange(returned.Metadata.DeletionTimestamp!.Value.ToUniversalTime(), before.AddSeconds(44), DateTime.UtcNow.AddSeconds(46));
        (WatchEventType type, V1Pod seen) = await watch.NextAsync();
        Assert.Equal(WatchEventType.Modified, type);
        Assert.Equal(45, seen.Metadata.DeletionGracePeriodSeconds);
        V1Pod stored = server.Get<V1Pod>("p", "default")!;
        Assert.Equal(returned.Metadata.DeletionTimestamp, stored.Metadata.DeletionTimestamp);
        Assert.Equal("n1", stored.Spec.NodeName);
    }

    [Fact]
    public async Task Without_terminationGracePeriodSeconds_the_default_30_applies()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync();
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(Bound("p"));

        V1Pod returned = await client.CoreV1.DeleteNamespacedPodAsync("p", "default");

        Assert.Equal(30, returned.Metadata.DeletionGracePeriodSeconds);
        Assert.NotNull(server.Get<V1Pod>("p", "default"));
    }

    [Theory]
    [InlineData("unbound")]
    [InlineData("grace-0")]
    [InlineData("succeeded")]
    [InlineData("failed")]
    public async Task Unbound_finished_or_zero_grace_pods_go_at_once(string kind)
    {
        (TestApiServer server, Kubernetes client) = await StartAsync();
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(kind switch
        {
            "unbound" => Objects.Pod("p"),
            "grace-0" => Bound("p", grace: 0),
            "succeeded" => Bound("p", grace: 30, phase: "Succeeded"),
            _ => Bound("p", grace: 30, phase: "Failed"),
        });
        await using EventCollector<V1Pod> watch = Watch(client, server);

        V1Pod returned = await client.CoreV1.DeleteNamespacedPodAsync("p", "default");

        Assert.Null(returned.Metadata.DeletionTimestamp);
        Assert.Null(server.Get<V1Pod>("p", "default"));
        Assert.Equal(WatchEventType.Deleted, (await watch.NextAsync()).Type);
    }

    [Fact]
    public async Task GracePeriodSeconds_in_the_body_overrides_the_pod_and_zero_deletes_a_terminating_pod()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync();
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(Bound("p", grace: 600));
        await using EventCollector<V1Pod> watch = Watch(client, server);

        V1Pod first = await client.CoreV1.DeleteNamespacedPodAsync("p", "default", new V1DeleteOptions { GracePeriodSeconds = 20 });
        Assert.Equal(20, first.Metadata.DeletionGracePeriodSeconds);
        Assert.Equal(WatchEventType.Modified, (await watch.NextAsync()).Type);

        await client.CoreV1.DeleteNamespacedPodAsync("p", "default", new V1DeleteOptions { GracePeriodSeconds = 0 });
        Assert.Equal(WatchEventType.Deleted, (await watch.NextAsync()).Type);
        Assert.Null(server.Get<V1Pod>("p", "default"));
    }

    [Fact]
    public async Task A_terminating_pod_may_only_have_its_grace_period_shortened()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync();
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(Bound("p", grace: 30));
        V1Pod first = await client.CoreV1.DeleteNamespacedPodAsync("p", "default");

        // Longer, equal, or none given: nothing changes.
        V1Pod again = await client.CoreV1.DeleteNamespacedPodAsync("p", "default", new V1DeleteOptions { GracePeriodSeconds = 60 });
        Assert.Equal(first.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
        V1Pod plain = await client.CoreV1.DeleteNamespacedPodAsync("p", "default");
        Assert.Equal(first.Metadata.ResourceVersion, plain.Metadata.ResourceVersion);

        V1Pod shorter = await client.CoreV1.DeleteNamespacedPodAsync("p", "default", new V1DeleteOptions { GracePeriodSeconds = 10 });
        Assert.Equal(10, shorter.Metadata.DeletionGracePeriodSeconds);
        Assert.Equal(first.Metadata.DeletionTimestamp!.Value.AddSeconds(-20), shorter.Metadata.DeletionTimestamp);
        Assert.NotNull(server.Get<V1Pod>("p", "default"));
    }

    [Fact]
    public async Task GracePeriodSeconds_is_read_from_the_query_when_there_is_no_body()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync();
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(Bound("now", grace: 30));
        server.Create(Bound("negative", grace: 30));
        server.Create(Bound("body-wins", grace: 30));
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };

        HttpResponseMessage now = await http.DeleteAsync("/api/v1/namespaces/default/pods/now?gracePeriodSeconds=0");
        Assert.Equal(HttpStatusCode.OK, now.StatusCode);
        Assert.Null(server.Get<V1Pod>("now", "default"));

        // A negative grace period counts as 1 s.
        await http.DeleteAsync("/api/v1/namespaces/default/pods/negative?gracePeriodSeconds=-5");
        Assert.Equal(1, server.Get<V1Pod>("negative", "default")!.Metadata.DeletionGracePeriodSeconds);

        var request = new HttpRequestMessage(HttpMethod.Delete, "/api/v1/namespaces/default/pods/body-wins?gracePeriodSeconds=0")
        {
            Content = new StringContent("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":7}", Encoding.UTF8, "application/json"),
        };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        Assert.Equal(7, server.Get<V1Pod>("body-wins", "default")!.Metadata.DeletionGracePeriodSeconds);

        HttpResponseMessage bad = await http.DeleteAsync("/api/v1/namespaces/default/pods/body-wins?gracePeriodSeconds=soon");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_missing_pod_is_404()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync();
        await using TestApiServer _ = server;
        using Kubernetes __ = client;

        HttpOperationException e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.DeleteNamespacedPodAsync("nope", "default"));

        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
    }

    [Fact]
    public async Task Without_a_kubelet_a_terminating_pod_stays_until_deleted_again()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync(new TestApiServerOptions { Kubelet = KubeletMode.None });
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(Bound("p", grace: 1));
        await client.CoreV1.DeleteNamespacedPodAsync("p", "default");
        V1Pod terminating = server.Get<V1Pod>("p", "default")!;

        // Well past the grace period: nobody finished it. (In-process deletion does, at once.)
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(terminating.Metadata.ResourceVersion, server.Get<V1Pod>("p", "default")!.Metadata.ResourceVersion);
        Assert.True(server.Delete<V1Pod>("p", "default"));
        Assert.Null(server.Get<V1Pod>("p", "default"));
    }

    [Fact]
    public async Task A_kubelet_with_a_fixed_delay_removes_the_terminating_pod()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync(new TestApiServerOptions
        {
            Kubelet = KubeletMode.FixedDelay,
            KubeletDelay = TimeSpan.FromMilliseconds(50),
        });
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(Bound("p", grace: 3600));
        await using EventCollector<V1Pod> watch = Watch(client, server);

        await client.CoreV1.DeleteNamespacedPodAsync("p", "default");

        (WatchEventType first, V1Pod terminating) = await watch.NextAsync();
        Assert.Equal(WatchEventType.Modified, first);
        Assert.Equal(3600, terminating.Metadata.DeletionGracePeriodSeconds);
        (WatchEventType second, V1Pod gone) = await watch.NextAsync();
        Assert.Equal(WatchEventType.Deleted, second);
        Assert.Equal(terminating.Metadata.Uid, gone.Metadata.Uid);
        Assert.Null(server.Get<V1Pod>("p", "default"));
    }

    [Fact]
    public async Task A_kubelet_honouring_the_grace_period_removes_the_pod_once_it_is_over()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync(new TestApiServerOptions { Kubelet = KubeletMode.GracePeriod });
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(Bound("p", grace: 1));
        await using EventCollector<V1Pod> watch = Watch(client, server);

        await client.CoreV1.DeleteNamespacedPodAsync("p", "default");

        (WatchEventType first, V1Pod terminating) = await watch.NextAsync();
        Assert.Equal(WatchEventType.Modified, first);
        (WatchEventType second, V1Pod removed) = await watch.NextAsync();
        Assert.Equal(terminating.Metadata.Uid, removed.Metadata.Uid);
        Assert.Equal(WatchEventType.Deleted, second);
        // Not before the deletionTimestamp it announced.
        Assert.True(DateTime.UtcNow >= terminating.Metadata.DeletionTimestamp!.Value.ToUniversalTime());
    }

    [Fact]
    public async Task The_kubelet_leaves_a_pod_recreated_under_the_same_name_alone()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync(new TestApiServerOptions
        {
            Kubelet = KubeletMode.FixedDelay,
            KubeletDelay = TimeSpan.FromMilliseconds(300),
        });
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        server.Create(Bound("p", grace: 30));
        await client.CoreV1.DeleteNamespacedPodAsync("p", "default");
        Assert.True(server.Delete<V1Pod>("p", "default"));
        V1Pod successor = server.Create(Bound("p", grace: 30));
        await using EventCollector<V1Pod> watch = Watch(client, server);

        // The old pod's kubelet timer fires; a marker write after it shows it did nothing.
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        server.Create(Objects.Pod("marker"));
        (WatchEventType type, V1Pod next) = await watch.NextAsync();
        Assert.Equal((WatchEventType.Added, "marker"), (type, next.Metadata.Name));
        Assert.Equal(successor.Metadata.Uid, server.Get<V1Pod>("p", "default")!.Metadata.Uid);
    }

    [Fact]
    public async Task PodDisruptionBudgets_are_listed_and_watched_across_namespaces()
    {
        (TestApiServer server, Kubernetes client) = await StartAsync();
        await using TestApiServer _ = server;
        using Kubernetes __ = client;
        V1PodDisruptionBudget Budget(string name, string ns, int allowed) => new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            },
            Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = allowed, CurrentHealthy = 2, DesiredHealthy = 1, ExpectedPods = 2 },
        };
        server.Create(Budget("web", "default", 1));
        V1PodDisruptionBudgetList list = await client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync();
        Assert.Equal("web", Assert.Single(list.Items).Metadata.Name);
        Assert.Equal(1, list.Items[0].Status.DisruptionsAllowed);

        await using var watch = EventCollector<V1PodDisruptionBudget>.Start((onError, ct) =>
            client.PolicyV1.WatchListPodDisruptionBudgetForAllNamespacesAsync(resourceVersion: list.Metadata.ResourceVersion, onError: onError, cancellationToken: ct));
        server.Create(Budget("db", "kube-system", 0));
        server.Update<V1PodDisruptionBudget>("web", "default", b => b.Status.DisruptionsAllowed = 0);
        await client.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync("db", "kube-system");

        var seen = new List<(WatchEventType, string, int?)>();
        for (int i = 0; i < 3; i++)
        {
            (WatchEventType type, V1PodDisruptionBudget b) = await watch.NextAsync();
            seen.Add((type, $"{b.Metadata.NamespaceProperty}/{b.Metadata.Name}", b.Status?.DisruptionsAllowed));
        }
        Assert.Equal(
            [(WatchEventType.Added, "kube-system/db", 0), (WatchEventType.Modified, "default/web", 0), (WatchEventType.Deleted, "kube-system/db", 0)],
            seen);
    }
}
