using k8s.Models;
using PackingScheduler.Core.Scenarios;

namespace PackingScheduler.Core.Tests.Scenarios;

public sealed class ScenarioLoaderTests
{
    private const string Node = """
        apiVersion: v1
        kind: Node
        metadata:
          name: wn-a
        status:
          allocatable: {cpu: "8", memory: 16Gi, pods: "110"}
        """;

    /// <param name="metadata">Extra lines under metadata, each indented by two spaces.</param>
    /// <param name="spec">Extra lines under spec, each indented by two spaces.</param>
    private static string Pod(string name, string metadata = "", string spec = "", string requests = "{cpu: \"1\"}") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        {metadata}spec:
        {spec}  containers:
          - name: c
            image: busybox
            resources:
              requests: {requests}
        """;

    private static Scenario Load(params string[] documents) => ScenarioLoader.Load(string.Join("\n---\n", documents) + "\n", "scenario.yaml");

    [Fact]
    public void Empty_documents_and_comment_only_documents_are_skipped_and_not_counted()
    {
        string text = "---\n# nodes\n---\n" + Node + "\n---\n---\n# pods below\n---\n" + Pod("job-a") + "\n---\n";

        Scenario scenario = ScenarioLoader.Load(text, "scenario.yaml");

        Assert.Equal(1, Assert.Single(scenario.Nodes).DocumentIndex);
        ScenarioObject<V1Pod> pod = Assert.Single(scenario.Pods);
        Assert.Equal(2, pod.DocumentIndex);
        Assert.Equal(14, pod.Line);
    }

    [Fact]
    public void A_file_with_only_comments_is_an_empty_scenario()
    {
        Scenario scenario = ScenarioLoader.Load("# nothing yet\n", "scenario.yaml");

        Assert.Empty(scenario.Nodes);
        Assert.Empty(scenario.Pods);
    }

    [Fact]
    public void A_document_separator_inside_a_string_does_not_split_the_document()
    {
        string pod = Pod("job-a", metadata: "  annotations:\n    note: |\n      ---\n      not a new document\n");

        Scenario scenario = Load(Node, pod);

        Assert.Equal("---\nnot a new document\n", Assert.Single(scenario.Pods).Object.Metadata.Annotations["note"]);
    }

    [Fact]
    public void A_byte_order_mark_before_the_first_document_is_ignored()
    {
        Scenario scenario = ScenarioLoader.Load("\uFEFF" + Node + "\n", "scenario.yaml");

        Assert.Equal("wn-a", Assert.Single(scenario.Nodes).Name);
    }

    [Fact]
    public void A_missing_namespace_defaults_to_default_for_namespaced_kinds_only()
    {
        string claim = """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: data
            spec:
              resources:
                requests: {storage: 10Gi}
            """;
        string namespacedNode = Node.Replace("  name: wn-a", "  name: wn-a\n  namespace: atlas");

        Scenario scenario = Load(namespacedNode, Pod("job-a"), claim);

        Assert.Equal("default", scenario.Pods[0].Namespace);
        Assert.Equal("Pod default/job-a", scenario.Pods[0].Description);
        Assert.Equal("default", scenario.PersistentVolumeClaims[0].Namespace);
        // As the API server does, a namespace on a cluster-scoped object is dropped.
        Assert.Null(scenario.Nodes[0].Namespace);
        Assert.Equal("Node wn-a", scenario.Nodes[0].Description);
    }

    [Fact]
    public void An_explicit_namespace_is_kept()
    {
        Scenario scenario = Load(Node, Pod("job-a", metadata: "  namespace: atlas\n"));

        Assert.Equal("Pod atlas/job-a", scenario.Pods[0].Description);
    }

    [Fact]
    public void Numeric_quantities_are_accepted_like_strings()
    {
        Scenario scenario = Load(Node, Pod("whole", requests: "{cpu: 2, memory: 1073741824}"), Pod("half", requests: "{cpu: 0.5}"));

        Assert.Equal("2", scenario.Pods[0].Object.Spec.Containers[0].Resources.Requests["cpu"].ToString());
        Assert.Equal("1073741824", scenario.Pods[0].Object.Spec.Containers[0].Resources.Requests["memory"].ToString());
        Assert.Equal("500m", scenario.Pods[1].Object.Spec.Containers[0].Resources.Requests["cpu"].ToString());
    }

    [Fact]
    public void A_limit_without_a_request_becomes_the_request_as_the_api_server_defaults_it()
    {
        string pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: limited}
            spec:
              containers:
              - name: c
                resources:
                  requests: {cpu: 500m}
                  limits: {cpu: "1", memory: 2Gi}
              initContainers:
              - name: init
                resources:
                  limits: {cpu: "3"}
            """;

        V1Pod loaded = Load(Node, pod).Pods[0].Object;

        Assert.Equal("500m", loaded.Spec.Containers[0].Resources.Requests["cpu"].ToString());
        Assert.Equal("2Gi", loaded.Spec.Containers[0].Resources.Requests["memory"].ToString());
        Assert.Equal("3", loaded.Spec.InitContainers[0].Resources.Requests["cpu"].ToString());
    }

    [Fact]
    public void Bound_and_pending_pods_are_told_apart_by_node_name()
    {
        Scenario scenario = Load(Node, Pod("running", spec: "  nodeName: wn-a\n"), Pod("waiting"));

        Assert.Equal(["running"], scenario.BoundPods.Select(p => p.Name));
        Assert.Equal(["waiting"], scenario.PendingPods.Select(p => p.Name));
    }

    [Fact]
    public void All_supported_kinds_load_into_their_lists()
    {
        string text = """
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: production}
            value: 10000
            globalDefault: false
            ---
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: standard}
            provisioner: kubernetes.io/gce-pd
            volumeBindingMode: WaitForFirstConsumer
            ---
            apiVersion: v1
            kind: PersistentVolume
            metadata:
              name: pv-1
              labels: {topology.kubernetes.io/zone: z1}
            spec:
              capacity: {storage: 100Gi}
              accessModes: [ReadWriteOnce]
              gcePersistentDisk: {pdName: disk-1}
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data, namespace: atlas}
            spec:
              accessModes: [ReadWriteOnce]
              volumeName: pv-1
              resources:
                requests: {storage: 100Gi}
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: atlas
              labels: {team: atlas}
            """;

        Scenario scenario = ScenarioLoader.Load(text, "scenario.yaml");

        Assert.Equal(10000, Assert.Single(scenario.PriorityClasses).Object.Value);
        Assert.Equal("WaitForFirstConsumer", Assert.Single(scenario.StorageClasses).Object.VolumeBindingMode);
        Assert.Equal("disk-1", Assert.Single(scenario.PersistentVolumes).Object.Spec.GcePersistentDisk.PdName);
        Assert.Equal("PersistentVolumeClaim atlas/data", Assert.Single(scenario.PersistentVolumeClaims).Description);
        ScenarioObject<V1Namespace> ns = Assert.Single(scenario.Namespaces);
        Assert.Equal("atlas", ns.Object.Metadata.Labels["team"]);
        Assert.Equal(5, ns.DocumentIndex);
    }

    [Fact]
    public void Errors_found_after_loading_name_the_document_like_the_loader_does()
    {
        Scenario scenario = Load(Node, Pod("job-a"));

        ScenarioException error = scenario.Error(scenario.Pods[0], "spec.affinity.nodeAffinity", "operator 'Inn' is not valid");

        Assert.Equal("scenario.yaml: document 2 (Pod default/job-a): spec.affinity.nodeAffinity: operator 'Inn' is not valid", error.Message);
    }

    [Fact]
    public void Merge_keys_and_anchors_are_read_as_kubectl_reads_them()
    {
        string text = Node + "\n---\n" + """
            apiVersion: v1
            kind: Pod
            metadata:
              name: merged
              labels: &common {app: pilot}
              annotations:
                <<: *common
                extra: "yes"
            spec:
              containers:
              - name: c
                resources:
                  requests: {cpu: "1"}
            """;

        V1Pod pod = ScenarioLoader.Load(text, "scenario.yaml").Pods[0].Object;

        Assert.Equal("pilot", pod.Metadata.Annotations["app"]);
        Assert.Equal("yes", pod.Metadata.Annotations["extra"]);
    }
}
