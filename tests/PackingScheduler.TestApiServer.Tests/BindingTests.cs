using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

public sealed class BindingTests : IAsyncLifetime
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.CreateClient();
        _server.Create(Objects.Node("n1"));
        _server.Create(Objects.Node("n2"));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task BindingAssignsTheNodeAndReturns201()
    {
        var pod = _server.Create(Objects.Pod("p1", scheduler: "packing"));
        var response = await _client.CoreV1.CreateNamespacedPodBindingWithHttpMessagesAsync(Objects.Binding("p1", "n1", uid: pod.Metadata.Uid), "p1", "default");
        Assert.Equal(HttpStatusCode.Created, response.Response.StatusCode);
        Assert.Contains(_server.Requests, r => r is { Verb: "create", Resource: "pods", Subresource: "binding", Name: "p1", StatusCode: 201 });

        var bound = await _client.CoreV1.ReadNamespacedPodAsync("p1", "default");
        Assert.Equal("n1", bound.Spec.NodeName);
        var scheduled = Assert.Single(bound.Status.Conditions, c => c.Type == "PodScheduled");
        Assert.Equal("True", scheduled.Status);
        Assert.Equal(1, _server.BindingCount("default", "p1"));
    }

    [Fact]
    public async Task BindingAnswersWithASuccessStatus()
    {
        _server.Create(Objects.Pod("p2"));
        using var http = new HttpClient();
        using var content = new StringContent(KubernetesJson.Serialize(Objects.Binding("p2", "n1")), System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(_server.BaseUrl + "/api/v1/namespaces/default/pods/p2/binding", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(await response.Content.ReadAsStringAsync());
        Assert.Equal(("Status", "v1", "Success", 201), (status.Kind, status.ApiVersion, status.Status, status.Code));
    }

    [Fact]
    public async Task SecondBindingConflicts()
    {
        _server.Create(Objects.Pod("p1"));
        await _client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p1", "n1"), "p1", "default");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p1", "n2"), "p1", "default"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal("Operation cannot be fulfilled on pods/binding \"p1\": pod p1 is already assigned to node \"n1\"", status.Message);
        Assert.Equal("n1", _server.Get<V1Pod>("p1", "default")!.Spec.NodeName);
        Assert.Equal(1, _server.BindingCount("default", "p1"));
    }

    [Fact]
    public async Task BindingAMissingPodIs404()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("ghost", "n1"), "ghost", "default"));
        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        Assert.Equal(0, _server.BindingCount("default", "ghost"));
    }

    [Fact]
    public async Task BindingWithAStaleUidConflicts()
    {
        _server.Create(Objects.Pod("p1"));
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.CreateNamespacedPodBindingAsync(Objects.Binding("p1", "n1", uid: Guid.NewGuid().ToString()), "p1", "default"));
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains("Precondition failed: UID in precondition", e.Response.Content);
        Assert.Null(_server.Get<V1Pod>("p1", "default")!.Spec.NodeName);
    }

    [Fact]
    public async Task LegacyBindingsResourceWorksToo()
    {
        _server.Create(Objects.Pod("p1"));
        await _client.CoreV1.CreateNamespacedBindingAsync(Objects.Binding("p1", "n2"), "default");
        Assert.Equal("n2", _server.Get<V1Pod>("p1", "default")!.Spec.NodeName);
    }

    [Fact]
    public async Task NodeNameCannotBeSetByUpdate()
    {
        var pod = _server.Create(Objects.Pod("p1"));
        pod.Spec.NodeName = "n1";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedPodAsync(pod, "p1", "default"));
        Assert.Equal((HttpStatusCode)422, e.Response.StatusCode);

        pod.Spec.NodeName = null;
        pod.Metadata.Labels = new Dictionary<string, string> { ["ok"] = "yes" };
        var updated = await _client.CoreV1.ReplaceNamespacedPodAsync(pod, "p1", "default");
        Assert.Equal("yes", updated.Metadata.Labels["ok"]);
    }
}
