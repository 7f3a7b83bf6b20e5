using PackingScheduler.Core.Scenarios;

namespace PackingScheduler.Core.Tests.Scenarios;

/// <summary>Each kind of mistake is reported with the document, the object and the field.</summary>
public sealed class ScenarioLoaderErrorTests
{
    // Document 1, lines 1-6.
    private const string Node = """
        apiVersion: v1
        kind: Node
        metadata:
          name: wn-a
        status:
          allocatable: {cpu: "8", memory: 16Gi, pods: "110"}
        """;

    // Document 2 when it follows Node: "---" is line 7, apiVersion line 8.
    private const string JobA = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: job-a
        spec:
          containers:
          - name: job
            image: busybox
            resources:
              requests: {cpu: "1", memory: 1Gi}
        """;

    private static ScenarioException LoadFails(params string[] documents)
        => LoadTextFails(string.Join("\n---\n", documents) + "\n");

    private static ScenarioException LoadTextFails(string text)
        => Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(text, "scenario.yaml"));

    [Fact]
    public void Invalid_cpu_quantity_in_a_container_names_document_pod_field_and_line()
    {
        ScenarioException e = LoadFails(Node, JobA, JobA.Replace("job-a", "job-b").Replace("cpu: \"1\"", "cpu: abc"));

        Assert.Equal(
            "scenario.yaml: document 3 (Pod default/job-b): spec.containers[0].resources.requests.cpu: quantity 'abc' does not start with a number (line 28, column 23)",
            e.Message);
        Assert.Equal(3, e.DocumentIndex);
        Assert.Equal("Pod default/job-b", e.ObjectDescription);
        Assert.Equal("spec.containers[0].resources.requests.cpu", e.FieldPath);
        Assert.Equal(28, e.Line);
    }

    [Fact]
    public void Invalid_memory_in_node_allocatable_names_the_node_and_field()
    {
        ScenarioException e = LoadFails(Node.Replace("memory: 16Gi", "memory: lots"));

        Assert.StartsWith("scenario.yaml: document 1 (Node wn-a): status.allocatable.memory: quantity 'lots' does not start with a number", e.Message);
    }

    [Fact]
    public void Quantity_with_an_unknown_suffix_names_the_suffix()
    {
        ScenarioException e = LoadFails(Node, JobA.Replace("memory: 1Gi", "memory: 1GB"));

        Assert.StartsWith("scenario.yaml: document 2 (Pod default/job-a): spec.containers[0].resources.requests.memory: quantity '1GB' has an unknown suffix 'GB'", e.Message);
    }

    [Fact]
    public void Quantities_in_init_containers_overhead_capacity_and_volumes_are_checked_too()
    {
        string initPod = JobA.Replace("spec:\n", "spec:\n  initContainers:\n  - name: init\n    resources:\n      limits: {cpu: x1}\n");
        Assert.Contains("document 2 (Pod default/job-a): spec.initContainers[0].resources.limits.cpu: quantity 'x1'", LoadFails(Node, initPod).Message);

        string overheadPod = JobA.Replace("spec:\n", "spec:\n  overhead: {memory: -1Gi}\n");
        Assert.Contains("document 2 (Pod default/job-a): spec.overhead.memory: quantity '-1Gi' is negative", LoadFails(Node, overheadPod).Message);

        string capacityNode = Node.Replace("status:\n", "status:\n  capacity: {nvidia.com/gpu: four}\n");
        Assert.Contains("document 1 (Node wn-a): status.capacity[nvidia.com/gpu]: quantity 'four'", LoadFails(capacityNode).Message);

        const string claim = """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data}
            spec:
              resources:
                requests: {storage: 10 Gi}
            """;
        Assert.Contains("document 1 (PersistentVolumeClaim default/data): spec.resources.requests.storage: quantity '10 Gi' has an unknown suffix", LoadFails(claim).Message);

        const string volume = """
            apiVersion: v1
            kind: PersistentVolume
            metadata: {name: pv-1}
            spec:
              capacity: {storage: ""}
            """;
        Assert.Contains("document 1 (PersistentVolume pv-1): spec.capacity.storage: quantity is empty", LoadFails(volume).Message);
    }

    [Fact]
    public void Unknown_kind_lists_the_supported_kinds()
    {
        const string deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            """;

        ScenarioException e = LoadFails(Node, deployment);

        Assert.StartsWith("scenario.yaml: document 2 (Deployment web): kind: Deployment (apps/v1) is not supported; a scenario may contain Node (v1), Pod (v1), PriorityClass (scheduling.k8s.io/v1)", e.Message);
        Assert.Contains("Namespace (v1)", e.Message);
    }

    [Fact]
    public void Known_kind_with_the_wrong_api_version_says_which_one_it_needs()
    {
        const string priorityClass = """
            apiVersion: scheduling.k8s.io/v1beta1
            kind: PriorityClass
            metadata: {name: production}
            value: 1000
            """;

        ScenarioException e = LoadFails(priorityClass);

        Assert.StartsWith("scenario.yaml: document 1 (PriorityClass production): apiVersion: PriorityClass must have apiVersion scheduling.k8s.io/v1, not 'scheduling.k8s.io/v1beta1'", e.Message);
    }

    [Fact]
    public void Missing_kind_names_the_document_and_the_field()
    {
        ScenarioException e = LoadFails(Node, JobA.Replace("kind: Pod\n", ""));

        Assert.StartsWith("scenario.yaml: document 2 (job-a): kind: is missing", e.Message);
    }

    [Fact]
    public void Missing_name_names_the_document_kind_and_field()
    {
        ScenarioException e = LoadFails(Node, JobA.Replace("  name: job-a\n", "  generateName: job-\n"));

        Assert.StartsWith("scenario.yaml: document 2 (Pod): metadata.name: is missing (generateName is not supported", e.Message);
    }

    [Fact]
    public void Unquoted_bool_label_value_is_rejected_with_a_hint_to_quote_it()
    {
        ScenarioException e = LoadFails(Node.Replace("  name: wn-a\n", "  name: wn-a\n  labels: {site: T2_CH_CERN, cvmfs: true}\n"));

        Assert.StartsWith("scenario.yaml: document 1 (Node wn-a): metadata.labels.cvmfs: expected a string, got the boolean true; quote it (\"true\")", e.Message);
    }

    [Fact]
    public void Quoted_bool_label_value_is_a_string()
    {
        Scenario scenario = ScenarioLoader.Load(Node.Replace("  name: wn-a\n", "  name: wn-a\n  labels: {cvmfs: \"true\", rack: \"12\"}\n"), "scenario.yaml");

        Assert.Equal("true", scenario.Nodes[0].Object.Metadata.Labels["cvmfs"]);
        Assert.Equal("12", scenario.Nodes[0].Object.Metadata.Labels["rack"]);
    }

    [Fact]
    public void Unquoted_number_in_a_node_selector_is_rejected()
    {
        ScenarioException e = LoadFails(Node, JobA.Replace("spec:\n", "spec:\n  nodeSelector: {rack: 12}\n"));

        Assert.StartsWith("scenario.yaml: document 2 (Pod default/job-a): spec.nodeSelector.rack: expected a string, got the number 12", e.Message);
    }

    [Fact]
    public void Containers_that_are_not_a_list_are_reported_as_such()
    {
        string pod = JobA.Replace("  containers:\n  - name: job\n    image: busybox\n    resources:\n      requests: {cpu: \"1\", memory: 1Gi}",
            "  containers:\n    name: job\n    image: busybox");

        ScenarioException e = LoadFails(Node, pod);

        Assert.StartsWith("scenario.yaml: document 2 (Pod default/job-a): spec.containers: expected a list, got a mapping; list items start with '- '", e.Message);
    }

    [Fact]
    public void A_misspelt_field_is_rejected_with_a_suggestion_instead_of_being_dropped()
    {
        ScenarioException e = LoadFails(Node, JobA.Replace("    resources:", "    resource:"));

        Assert.StartsWith("scenario.yaml: document 2 (Pod default/job-a): spec.containers[0].resource: unknown field", e.Message);
        Assert.Contains("did you mean 'resources'?", e.Message);
    }

    [Fact]
    public void Yaml_syntax_error_names_the_document_and_the_absolute_line()
    {
        ScenarioException e = LoadFails(Node, JobA.Replace("{cpu: \"1\", memory: 1Gi}", "{cpu: \"1\", memory: 1Gi"));

        Assert.StartsWith("scenario.yaml: document 2: invalid YAML: ", e.Message);
        Assert.NotNull(e.Line);
        Assert.InRange(e.Line!.Value, 17, 18);
        Assert.Contains($"(line {e.Line}", e.Message);
    }

    [Fact]
    public void A_value_only_the_typed_reader_rejects_is_reported_with_its_absolute_line()
    {
        // Timestamps are left to KubernetesYaml; its failure must still say where.
        ScenarioException e = LoadFails(Node, JobA.Replace("  name: job-a\n", "  name: job-a\n  creationTimestamp: yesterday\n"));

        Assert.StartsWith("scenario.yaml: document 2 (Pod default/job-a): cannot read the object: ", e.Message);
        Assert.Equal(12, e.Line);
    }

    [Fact]
    public void Lines_are_absolute_in_files_with_windows_line_endings()
    {
        string text = (Node + "\n---\n" + JobA.Replace("  name: job-a\n", "  name: job-a\n  creationTimestamp: yesterday\n")).Replace("\n", "\r\n");

        ScenarioException e = LoadTextFails(text);

        Assert.Equal(2, e.DocumentIndex);
        Assert.Equal(12, e.Line);
        Assert.Equal(22, e.Column);
    }

    [Fact]
    public void Duplicate_pod_names_both_documents()
    {
        ScenarioException e = LoadFails(Node, JobA, JobA);

        Assert.StartsWith("scenario.yaml: document 3 (Pod default/job-a): metadata.name: Pod default/job-a is already defined by document 2", e.Message);
    }

    [Fact]
    public void Same_name_in_another_namespace_or_of_another_kind_is_not_a_duplicate()
    {
        string other = JobA.Replace("  name: job-a\n", "  name: job-a\n  namespace: atlas\n");
        const string claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: job-a}\nspec: {}";

        Scenario scenario = ScenarioLoader.Load(string.Join("\n---\n", Node, JobA, other, claim), "scenario.yaml");

        Assert.Equal(2, scenario.Pods.Count);
    }

    [Fact]
    public void Bound_pod_on_an_unknown_node_names_the_pod_and_node_name()
    {
        string bound = JobA.Replace("spec:\n", "spec:\n  nodeName: wn-z\n");

        ScenarioException e = LoadFails(Node, bound);

        Assert.StartsWith("scenario.yaml: document 2 (Pod default/job-a): spec.nodeName: node 'wn-z' is not defined in the scenario", e.Message);
        Assert.Equal(13, e.Line);
    }

    [Fact]
    public void Bound_pod_may_come_before_its_node()
    {
        string bound = JobA.Replace("spec:\n", "spec:\n  nodeName: wn-a\n");

        Scenario scenario = ScenarioLoader.Load(bound + "\n---\n" + Node, "scenario.yaml");

        Assert.Single(scenario.BoundPods);
    }

    [Fact]
    public void An_error_in_the_last_document_is_found_even_when_the_others_are_fine()
    {
        ScenarioException e = LoadFails(Node, JobA, JobA.Replace("job-a", "job-b"), Node.Replace("wn-a", "wn-b").Replace("pods: \"110\"", "pods: many"));

        Assert.StartsWith("scenario.yaml: document 4 (Node wn-b): status.allocatable.pods: quantity 'many'", e.Message);
    }

    [Fact]
    public void A_pod_without_containers_is_rejected()
    {
        ScenarioException e = LoadFails(Node, "apiVersion: v1\nkind: Pod\nmetadata: {name: empty}\nspec: {nodeName: wn-a}");

        Assert.StartsWith("scenario.yaml: document 2 (Pod default/empty): spec.containers: is missing or empty", e.Message);
    }

    [Fact]
    public void A_null_label_value_is_rejected_rather_than_passed_on_as_null()
    {
        ScenarioException e = LoadFails(Node.Replace("  name: wn-a\n", "  name: wn-a\n  labels:\n    gpu:\n"));

        Assert.StartsWith("scenario.yaml: document 1 (Node wn-a): metadata.labels.gpu: expected a string, got null; write \"\" for an empty string", e.Message);
    }

    [Fact]
    public void A_document_that_is_not_a_mapping_is_rejected()
    {
        ScenarioException e = LoadFails(Node, "- just\n- a list");

        Assert.StartsWith("scenario.yaml: document 2: expected a Kubernetes object", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_scenario_error_naming_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-scenario-{Guid.NewGuid():N}.yaml");

        ScenarioException e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadFile(path));

        Assert.StartsWith($"{path}: cannot read the file: ", e.Message);
    }
}
