using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>Create / get / list / replace / patch / delete through the real KubernetesClient, for every served kind.</summary>
public sealed class CrudTests : IAsyncLifetime
{
    private TestApiServer _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync();
        _client = _server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public Task Pods() => RoundTrip(
        Objects.Pod("web-1"), "Pod", "v1",
        o => _client.CoreV1.CreateNamespacedPodAsync(o, "default"),
        () => _client.CoreV1.ReadNamespacedPodAsync("web-1", "default"),
        async () => (await _client.CoreV1.ListNamespacedPodAsync("default")).Items,
        o => _client.CoreV1.ReplaceNamespacedPodAsync(o, "web-1", "default"),
        p => _client.CoreV1.PatchNamespacedPodAsync(p, "web-1", "default"),
        async () => Assert.Equal("web-1", (await _client.CoreV1.DeleteNamespacedPodAsync("web-1", "default")).Metadata.Name));

    [Fact]
    public Task Nodes() => RoundTrip(
        Objects.Node("node-a"), "Node", "v1",
        o => _client.CoreV1.CreateNodeAsync(o),
        () => _client.CoreV1.ReadNodeAsync("node-a"),
        async () => (await _client.CoreV1.ListNodeAsync()).Items,
        o => _client.CoreV1.ReplaceNodeAsync(o, "node-a"),
        p => _client.CoreV1.PatchNodeAsync(p, "node-a"),
        async () => Assert.Equal("Success", (await _client.CoreV1.DeleteNodeAsync("node-a")).Status));

    [Fact]
    public Task Namespaces() => RoundTrip(
        new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } }, "Namespace", "v1",
        o => _client.CoreV1.CreateNamespaceAsync(o),
        () => _client.CoreV1.ReadNamespaceAsync("team-a"),
        async () => (await _client.CoreV1.ListNamespaceAsync()).Items,
        o => _client.CoreV1.ReplaceNamespaceAsync(o, "team-a"),
        p => _client.CoreV1.PatchNamespaceAsync(p, "team-a"),
        async () => Assert.Equal("Success", (await _client.CoreV1.DeleteNamespaceAsync("team-a")).Status));

    [Fact]
    public Task PersistentVolumes() => RoundTrip(
        new V1PersistentVolume
        {
            Metadata = new V1ObjectMeta { Name = "pv-1" },
            Spec = new V1PersistentVolumeSpec
            {
                Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new("10Gi") },
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = "fast",
                HostPath = new V1HostPathVolumeSource { Path = "/data/pv-1" },
            },
        },
        "PersistentVolume", "v1",
        o => _client.CoreV1.CreatePersistentVolumeAsync(o),
        () => _client.CoreV1.ReadPersistentVolumeAsync("pv-1"),
        async () => (await _client.CoreV1.ListPersistentVolumeAsync()).Items,
        o => _client.CoreV1.ReplacePersistentVolumeAsync(o, "pv-1"),
        p => _client.CoreV1.PatchPersistentVolumeAsync(p, "pv-1"),
        async () => Assert.Equal("pv-1", (await _client.CoreV1.DeletePersistentVolumeAsync("pv-1")).Metadata.Name));

    [Fact]
    public Task PersistentVolumeClaims() => RoundTrip(
        new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "data", NamespaceProperty = "default" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = "fast",
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
            },
        },
        "PersistentVolumeClaim", "v1",
        o => _client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(o, "default"),
        () => _client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data", "default"),
        async () => (await _client.CoreV1.ListNamespacedPersistentVolumeClaimAsync("default")).Items,
        o => _client.CoreV1.ReplaceNamespacedPersistentVolumeClaimAsync(o, "data", "default"),
        p => _client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(p, "data", "default"),
        async () => Assert.Equal("data", (await _client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync("data", "default")).Metadata.Name));

    [Fact]
    public Task CoreEvents() => RoundTrip(
        new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "web-1.17a", NamespaceProperty = "default" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1", NamespaceProperty = "default" },
            Reason = "FailedScheduling",
            Message = "0/3 nodes are available",
            Type = "Warning",
            Source = new V1EventSource { Component = "packing-scheduler" },
        },
        "Event", "v1",
        o => _client.CoreV1.CreateNamespacedEventAsync(o, "default"),
        () => _client.CoreV1.ReadNamespacedEventAsync("web-1.17a", "default"),
        async () => (await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=web-1,source=packing-scheduler")).Items,
        o => _client.CoreV1.ReplaceNamespacedEventAsync(o, "web-1.17a", "default"),
        p => _client.CoreV1.PatchNamespacedEventAsync(p, "web-1.17a", "default"),
        async () => Assert.Equal("Success", (await _client.CoreV1.DeleteNamespacedEventAsync("web-1.17a", "default")).Status));

    [Fact]
    public Task EventsV1() => RoundTrip(
        new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "web-1.17b", NamespaceProperty = "default" },
            EventTime = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            Regarding = new V1ObjectReference { Kind = "Pod", Name = "web-1", NamespaceProperty = "default" },
            Reason = "Scheduled",
            Action = "Binding",
            Note = "Successfully assigned default/web-1 to node-a",
            Type = "Normal",
            ReportingController = "packing-scheduler",
            ReportingInstance = "packing-scheduler-0",
        },
        "Event", "events.k8s.io/v1",
        o => _client.EventsV1.CreateNamespacedEventAsync(o, "default"),
        () => _client.EventsV1.ReadNamespacedEventAsync("web-1.17b", "default"),
        async () => (await _client.EventsV1.ListNamespacedEventAsync("default")).Items,
        o => _client.EventsV1.ReplaceNamespacedEventAsync(o, "web-1.17b", "default"),
        p => _client.EventsV1.PatchNamespacedEventAsync(p, "web-1.17b", "default"),
        async () => Assert.Equal("Success", (await _client.EventsV1.DeleteNamespacedEventAsync("web-1.17b", "default")).Status));

    [Fact]
    public Task Leases() => RoundTrip(
        new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "lock", NamespaceProperty = "kube-system" },
            Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 15 },
        },
        "Lease", "coordination.k8s.io/v1",
        o => _client.CoordinationV1.CreateNamespacedLeaseAsync(o, "kube-system"),
        () => _client.CoordinationV1.ReadNamespacedLeaseAsync("lock", "kube-system"),
        async () => (await _client.CoordinationV1.ListNamespacedLeaseAsync("kube-system")).Items,
        o => _client.CoordinationV1.ReplaceNamespacedLeaseAsync(o, "lock", "kube-system"),
        p => _client.CoordinationV1.PatchNamespacedLeaseAsync(p, "lock", "kube-system"),
        async () => Assert.Equal("Success", (await _client.CoordinationV1.DeleteNamespacedLeaseAsync("lock", "kube-system")).Status));

    [Fact]
    public Task PriorityClasses() => RoundTrip(
        new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "batch-low" }, Value = 100 },
        "PriorityClass", "scheduling.k8s.io/v1",
        o => _client.SchedulingV1.CreatePriorityClassAsync(o),
        () => _client.SchedulingV1.ReadPriorityClassAsync("batch-low"),
        async () => (await _client.SchedulingV1.ListPriorityClassAsync()).Items,
        o => _client.SchedulingV1.ReplacePriorityClassAsync(o, "batch-low"),
        p => _client.SchedulingV1.PatchPriorityClassAsync(p, "batch-low"),
        async () => Assert.Equal("Success", (await _client.SchedulingV1.DeletePriorityClassAsync("batch-low")).Status));

    [Fact]
    public Task StorageClasses() => RoundTrip(
        new V1StorageClass { Metadata = new V1ObjectMeta { Name = "fast" }, Provisioner = "kubernetes.io/no-provisioner", VolumeBindingMode = "WaitForFirstConsumer" },
        "StorageClass", "storage.k8s.io/v1",
        o => _client.StorageV1.CreateStorageClassAsync(o),
        () => _client.StorageV1.ReadStorageClassAsync("fast"),
        async () => (await _client.StorageV1.ListStorageClassAsync()).Items,
        o => _client.StorageV1.ReplaceStorageClassAsync(o, "fast"),
        p => _client.StorageV1.PatchStorageClassAsync(p, "fast"),
        async () => Assert.Equal("fast", (await _client.StorageV1.DeleteStorageClassAsync("fast")).Metadata.Name));

    [Fact]
    public Task PodDisruptionBudgets() => RoundTrip(
        new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            },
        },
        "PodDisruptionBudget", "policy/v1",
        o => _client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(o, "default"),
        () => _client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", "default"),
        async () => (await _client.PolicyV1.ListNamespacedPodDisruptionBudgetAsync("default")).Items,
        o => _client.PolicyV1.ReplaceNamespacedPodDisruptionBudgetAsync(o, "web", "default"),
        p => _client.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(p, "web", "default"),
        async () => Assert.Equal("Success", (await _client.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync("web", "default")).Status));

    [Fact]
    public Task ConfigMaps() => RoundTrip(
        new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cfg", NamespaceProperty = "kube-system" }, Data = new Dictionary<string, string> { ["k"] = "v" } },
        "ConfigMap", "v1",
        o => _client.CoreV1.CreateNamespacedConfigMapAsync(o, "kube-system"),
        () => _client.CoreV1.ReadNamespacedConfigMapAsync("cfg", "kube-system"),
        async () => (await _client.CoreV1.ListNamespacedConfigMapAsync("kube-system")).Items,
        o => _client.CoreV1.ReplaceNamespacedConfigMapAsync(o, "cfg", "kube-system"),
        p => _client.CoreV1.PatchNamespacedConfigMapAsync(p, "cfg", "kube-system"),
        async () => Assert.Equal("Success", (await _client.CoreV1.DeleteNamespacedConfigMapAsync("cfg", "kube-system")).Status));

    [Fact]
    public async Task CreateSetsServerFieldsAndDefaults()
    {
        var before = _server.CurrentResourceVersion;
        var pod = await _client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p"), "default");
        Assert.True(Guid.TryParse(pod.Metadata.Uid, out _));
        Assert.NotNull(pod.Metadata.CreationTimestamp);
        Assert.True(long.Parse(pod.Metadata.ResourceVersion) > before);
        Assert.Equal("default-scheduler", pod.Spec.SchedulerName);
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal(0, pod.Spec.Priority);
    }

    [Fact]
    public async Task GenerateNameMakesUniqueNames()
    {
        var template = new V1Pod
        {
            Metadata = new V1ObjectMeta { GenerateName = "worker-" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] },
        };
        var a = await _client.CoreV1.CreateNamespacedPodAsync(template, "default");
        var b = await _client.CoreV1.CreateNamespacedPodAsync(template, "default");
        Assert.StartsWith("worker-", a.Metadata.Name);
        Assert.Equal("worker-".Length + 5, a.Metadata.Name.Length);
        Assert.NotEqual(a.Metadata.Name, b.Metadata.Name);
    }

    [Fact]
    public async Task PriorityClassResolvesPodPriority()
    {
        await _client.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "high" }, Value = 1000 });
        var pod = Objects.Pod("important");
        pod.Spec.PriorityClassName = "high";
        var created = await _client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        Assert.Equal(1000, created.Spec.Priority);
        Assert.Equal("PreemptLowerPriority", created.Spec.PreemptionPolicy);

        var missing = Objects.Pod("orphan");
        missing.Spec.PriorityClassName = "nope";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedPodAsync(missing, "default"));
        Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
    }

    [Fact]
    public async Task AllNamespacesListAndNamespaceCascade()
    {
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-b" } });
        await _client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("a", "team-b"), "team-b");
        await _client.CoreV1.CreateNamespacedPodAsync(Objects.Pod("b", "default"), "default");
        var all = await _client.CoreV1.ListPodForAllNamespacesAsync();
        Assert.Equal(["default/b", "team-b/a"], all.Items.Select(p => p.Metadata.NamespaceProperty + "/" + p.Metadata.Name));

        await _client.CoreV1.DeleteNamespaceAsync("team-b");
        Assert.Null(_server.Get<V1Pod>("a", "team-b"));
        Assert.NotNull(_server.Get<V1Pod>("b", "default"));
    }

    [Fact]
    public async Task ErrorsAreStatusObjects()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedPodAsync("ghost", "default"));
        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal(("Status", "v1", "Failure", "NotFound", 404), (status.Kind, status.ApiVersion, status.Status, status.Reason, status.Code));
        Assert.Equal("pods \"ghost\" not found", status.Message);

        var lease = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoordinationV1.ReadNamespacedLeaseAsync("ghost", "default"));
        Assert.Equal("leases.coordination.k8s.io \"ghost\" not found", KubernetesJson.Deserialize<V1Status>(lease.Response.Content).Message);
    }

    private static async Task RoundTrip<T>(
        T obj,
        string kind,
        string apiVersion,
        Func<T, Task<T>> create,
        Func<Task<T>> read,
        Func<Task<IList<T>>> list,
        Func<T, Task<T>> replace,
        Func<V1Patch, Task<T>> patch,
        Func<Task> delete)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var created = await create(obj);
        Assert.Equal((kind, apiVersion), (created.Kind, created.ApiVersion));
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));

        var duplicate = await Assert.ThrowsAsync<HttpOperationException>(() => create(obj));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Response.StatusCode);
        Assert.Equal("AlreadyExists", KubernetesJson.Deserialize<V1Status>(duplicate.Response.Content).Reason);

        var got = await read();
        Assert.Equal(created.Metadata.ResourceVersion, got.Metadata.ResourceVersion);
        Assert.Equal(created.Metadata.Uid, got.Metadata.Uid);
        Assert.Contains(await list(), o => o.Metadata.Uid == created.Metadata.Uid);

        got.Metadata.Labels = new Dictionary<string, string> { ["touched"] = "yes" };
        var replaced = await replace(got);
        Assert.True(long.Parse(replaced.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));
        Assert.Equal("yes", replaced.Metadata.Labels["touched"]);

        var patched = await patch(new V1Patch("{\"metadata\":{\"annotations\":{\"patched\":\"true\"}}}", V1Patch.PatchType.MergePatch));
        Assert.Equal("true", patched.Metadata.Annotations["patched"]);
        Assert.Equal("yes", patched.Metadata.Labels["touched"]);

        await delete();
        var gone = await Assert.ThrowsAsync<HttpOperationException>(read);
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }
}
