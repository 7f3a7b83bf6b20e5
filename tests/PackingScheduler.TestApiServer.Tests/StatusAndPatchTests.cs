using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

public sealed class StatusAndPatchTests : IAsyncLifetime
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.CreateClient();
        _server.Create(Objects.Pod("p1"));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task StrategicStatusPatchMergesConditionsByType()
    {
        await _client.CoreV1.PatchNamespacedPodStatusAsync(Patch(Condition("Ready", "False", null)), "p1", "default");
        await _client.CoreV1.PatchNamespacedPodStatusAsync(Patch(Condition("PodScheduled", "False", "Unschedulable")), "p1", "default");
        var pod = await _client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch(
                "{\"status\":{\"$setElementOrder/conditions\":[{\"type\":\"Ready\"},{\"type\":\"PodScheduled\"}]," +
                "\"conditions\":[{\"type\":\"PodScheduled\",\"message\":\"0/3 nodes are available\"}],\"nominatedNodeName\":\"n1\"}}",
                V1Patch.PatchType.StrategicMergePatch),
            "p1",
            "default");

        Assert.Equal(["Ready", "PodScheduled"], pod.Status.Conditions.Select(c => c.Type));
        var scheduled = pod.Status.Conditions[1];
        Assert.Equal(("False", "Unschedulable", "0/3 nodes are available"), (scheduled.Status, scheduled.Reason, scheduled.Message));
        Assert.Equal("n1", pod.Status.NominatedNodeName);
        Assert.Equal("Pending", pod.Status.Phase);
    }

    [Fact]
    public async Task MergePatchReplacesTheConditionList()
    {
        await _client.CoreV1.PatchNamespacedPodStatusAsync(Patch(Condition("Ready", "False", null)), "p1", "default");
        var pod = await _client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch("{\"status\":{\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\"}]}}", V1Patch.PatchType.MergePatch), "p1", "default");
        Assert.Equal(["PodScheduled"], pod.Status.Conditions.Select(c => c.Type));
    }

    [Fact]
    public async Task StatusEndpointOnlyChangesStatusAndMainEndpointKeepsIt()
    {
        var viaStatus = await _client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"sneaky\":\"1\"}},\"status\":{\"phase\":\"Running\"}}", V1Patch.PatchType.MergePatch), "p1", "default");
        Assert.Equal("Running", viaStatus.Status.Phase);
        Assert.Null(viaStatus.Metadata.Labels);

        var viaMain = await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"ok\":\"1\"}},\"status\":{\"phase\":\"Failed\"}}", V1Patch.PatchType.MergePatch), "p1", "default");
        Assert.Equal("Running", viaMain.Status.Phase);
        Assert.Equal("1", viaMain.Metadata.Labels["ok"]);

        viaMain.Status.Phase = "Succeeded";
        var replaced = await _client.CoreV1.ReplaceNamespacedPodStatusAsync(viaMain, "p1", "default");
        Assert.Equal("Succeeded", replaced.Status.Phase);
        Assert.Equal("Succeeded", (await _client.CoreV1.ReadNamespacedPodStatusAsync("p1", "default")).Status.Phase);
    }

    [Fact]
    public async Task JsonPatchOperations()
    {
        var pod = await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(
                "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"a/b\":\"1\"}}," +
                "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{}}," +
                "{\"op\":\"copy\",\"from\":\"/metadata/labels/a~1b\",\"path\":\"/metadata/annotations/copied\"}," +
                "{\"op\":\"test\",\"path\":\"/spec/containers/0/name\",\"value\":\"main\"}]",
                V1Patch.PatchType.JsonPatch),
            "p1",
            "default");
        Assert.Equal("1", pod.Metadata.Labels["a/b"]);
        Assert.Equal("1", pod.Metadata.Annotations["copied"]);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"other\"}]", V1Patch.PatchType.JsonPatch), "p1", "default"));
        Assert.Equal((HttpStatusCode)422, e.Response.StatusCode);
    }

    [Fact]
    public async Task NoOpWriteKeepsTheResourceVersion()
    {
        var before = _server.Get<V1Pod>("p1", "default")!;
        var after = await _client.CoreV1.PatchNamespacedPodAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch), "p1", "default");
        Assert.Equal(before.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task ApplyPatchIsNotSupported()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("{}", V1Patch.PatchType.ApplyPatch), "p1", "default", fieldManager: "test"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, e.Response.StatusCode);
    }

    private static V1Patch Patch(string condition) =>
        new("{\"status\":{\"conditions\":[" + condition + "]}}", V1Patch.PatchType.StrategicMergePatch);

    private static string Condition(string type, string status, string? reason) =>
        $"{{\"type\":\"{type}\",\"status\":\"{status}\"" + (reason is null ? "" : $",\"reason\":\"{reason}\"") + "}";
}
