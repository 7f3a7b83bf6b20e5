using System.Text.Json;

namespace PackingScheduler.Tests.Cli;

public sealed class SimulateCommandTests
{
    private static string Shared(string name)
    {
        string path = Path.Combine(RepoPaths.SharedExamples, name);
        Assert.True(File.Exists(path), $"shared example {path} is missing: ../shared must sit beside the checkout");
        return path;
    }

    private static string WriteTemp(string text, string extension = ".yaml")
    {
        string path = Path.Combine(Path.GetTempPath(), $"ps-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Json_output_lists_every_pending_pod_in_scheduling_order_with_node_and_score()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("simulate", "-f", Shared("most-allocated-packing.yaml"), "-o", "json");

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement[] placements = doc.RootElement.GetProperty("placements").EnumerateArray().ToArray();
        Assert.Equal(2, placements.Length);
        Assert.Equal("default/job-a", placements[0].GetProperty("pod").GetString());
        Assert.Equal("half-full", placements[0].GetProperty("node").GetString());
        // MostAllocated: cpu (4+3)*100/8 = 87, memory (8+6)*100/16 = 87 -> 87, weight 1; InterPodAffinity 0.
        Assert.Equal(87, placements[0].GetProperty("score").GetInt64());
        Assert.Equal(JsonValueKind.Null, placements[0].GetProperty("message").ValueKind);
        Assert.Equal("empty", placements[1].GetProperty("node").GetString());
    }

    [Fact]
    public void Unschedulable_pod_has_null_node_and_kube_scheduler_message()
    {
        (int code, string stdout, _) = CliRunner.Run("simulate", "-f", Shared("taints-dedicated-nodes.yaml"), "-o", "json");

        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement big = doc.RootElement.GetProperty("placements").EnumerateArray().Single(p => p.GetProperty("pod").GetString() == "atlas/atlas-big");
        Assert.Equal(JsonValueKind.Null, big.GetProperty("node").ValueKind);
        Assert.Equal(JsonValueKind.Null, big.GetProperty("score").ValueKind);
        // The tainted node cannot be fixed by eviction; on the other, nothing has a lower priority.
        Assert.Equal("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: cms}. " +
            "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
            big.GetProperty("message").GetString());
        Assert.Equal(0, big.GetProperty("victims").GetArrayLength());
    }

    [Fact]
    [Trait("Category", "Preemption")]
    public void Preempting_pod_lists_its_victims_in_json_and_table()
    {
        string file = Path.Combine(RepoPaths.Root, "tests", "scenarios", "preemption-several-candidates.yaml");
        (int code, string json, _) = CliRunner.Run("simulate", "-f", file, "-o", "json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement pilot = doc.RootElement.GetProperty("placements").EnumerateArray().Single(p => p.GetProperty("pod").GetString() == "grid/pilot-8c");
        Assert.Equal("wn-c", pilot.GetProperty("node").GetString());
        Assert.Equal(["grid/bf-c-1", "grid/bf-c-2"], pilot.GetProperty("victims").EnumerateArray().Select(v => v.GetString()));

        (code, string table, _) = CliRunner.Run("simulate", "-f", file);
        Assert.Equal(0, code);
        Assert.Contains(table.Split('\n'), l => l.StartsWith("grid/pilot-8c") && l.Contains("wn-c") && l.Contains("grid/bf-c-1,grid/bf-c-2"));
        Assert.Contains("1 pending pods: 1 scheduled, 0 unschedulable; 2 running pods preempted by 1 of them.", table);
    }

    [Fact]
    public void Table_output_shows_each_pod_and_a_summary()
    {
        (int code, string stdout, _) = CliRunner.Run("simulate", "-f", Shared("priority-order.yaml"));

        Assert.Equal(0, code);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("POD", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("default/production-job") && l.Contains("only-node"));
        Assert.Contains(lines, l => l.StartsWith("default/opportunistic-job") && l.Contains("<none>") && l.Contains("1 Insufficient cpu"));
        Assert.Contains("2 pending pods: 1 scheduled, 1 unschedulable.", stdout);
    }

    [Fact]
    public void Explain_shows_the_rejecting_predicate_and_the_score_components_per_node()
    {
        (int code, string stdout, _) = CliRunner.Run("simulate", "-f", Shared("taints-dedicated-nodes.yaml"), "--explain", "atlas/atlas-pilot");

        Assert.Equal(0, code);
        Assert.Contains("Why atlas/atlas-pilot goes to wn-shared", stdout);
        Assert.Matches(@"wn-cms\s+rejected by TaintToleration\s+node\(s\) had untolerated taint \{dedicated: cms\}", stdout);
        Assert.Matches(@"wn-shared\s+score \d+ <- chosen\s+NodeResourcesFit \d+x1 \+ InterPodAffinity 0x2", stdout);
    }

    [Fact]
    public void Explain_in_json_carries_per_node_detail_for_that_pod_only()
    {
        (int code, string stdout, _) = CliRunner.Run("simulate", "-f", Shared("most-allocated-packing.yaml"), "-o", "json", "--explain", "default/job-b");

        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement[] placements = doc.RootElement.GetProperty("placements").EnumerateArray().ToArray();
        Assert.False(placements[0].TryGetProperty("explanation", out _));
        JsonElement[] nodes = placements[1].GetProperty("explanation").EnumerateArray().ToArray();
        JsonElement halfFull = nodes.Single(n => n.GetProperty("node").GetString() == "half-full");
        Assert.Equal("NodeResourcesFit", halfFull.GetProperty("rejectedBy").GetString());
        Assert.Equal("Insufficient cpu", halfFull.GetProperty("reasons")[0].GetString());
        JsonElement empty = nodes.Single(n => n.GetProperty("node").GetString() == "empty");
        Assert.True(empty.GetProperty("chosen").GetBoolean());
    }

    [Fact]
    public void Explain_of_a_pod_that_is_not_pending_is_a_usage_error()
    {
        (int code, _, string stderr) = CliRunner.Run("simulate", "-f", Shared("most-allocated-packing.yaml"), "--explain", "default/running");

        Assert.Equal(2, code);
        Assert.Contains("no pending pod \"default/running\"", stderr);
    }

    [Theory]
    [InlineData(new[] { "simulate" }, "flag --file is required")]
    [InlineData(new[] { "simulate", "-f", "x.yaml", "--bogus" }, "unknown flag \"--bogus\"")]
    [InlineData(new[] { "simulate", "-f", "x.yaml", "-o", "xml" }, "--output must be json or table")]
    [InlineData(new[] { "simulate", "-f", "x.yaml", "--explain", "no-namespace" }, "namespace/name")]
    [InlineData(new[] { "frobnicate" }, "unknown command \"frobnicate\"")]
    public void Bad_usage_exits_2_with_a_message_naming_the_problem(string[] args, string expected)
    {
        (int code, _, string stderr) = CliRunner.Run(args);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.DoesNotContain("   at ", stderr); // no stack trace
    }

    [Fact]
    public void Missing_scenario_file_exits_2_naming_the_file()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-scenario.yaml");
        (int code, _, string stderr) = CliRunner.Run("simulate", "-f", missing);

        Assert.Equal(2, code);
        Assert.Contains("no-such-scenario.yaml", stderr);
    }

    [Fact]
    public void Invalid_selector_operator_exits_2_naming_document_object_and_field()
    {
        string path = WriteTemp("""
            apiVersion: v1
            kind: Node
            metadata: {name: n1}
            status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: bad, namespace: atlas}
            spec:
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms:
                    - matchExpressions:
                      - {key: site, operator: Near, values: [CERN]}
              containers:
              - name: c
                image: busybox
            """);

        (int code, _, string stderr) = CliRunner.Run("simulate", "-f", path);

        Assert.Equal(2, code);
        Assert.Contains("document 2 (Pod atlas/bad)", stderr);
        Assert.Contains("spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator", stderr);
        Assert.Contains("\"Near\"", stderr);
    }

    [Fact]
    public void Invalid_policy_file_exits_2_naming_the_file()
    {
        string policy = WriteTemp("""{"kind":"Policy","apiVersion":"v1","predicates":[{"name":"NoSuchPredicate"}],"priorities":[]}""", ".json");

        (int code, _, string stderr) = CliRunner.Run("simulate", "-f", Shared("most-allocated-packing.yaml"), "--policy-config-file", policy);

        Assert.Equal(2, code);
        Assert.Contains(Path.GetFileName(policy), stderr);
        Assert.Contains("NoSuchPredicate", stderr);
    }

    [Fact]
    public void Config_and_policy_together_are_refused()
    {
        (int code, _, string stderr) = CliRunner.Run("simulate", "-f", Shared("most-allocated-packing.yaml"),
            "--config", Path.Combine(RepoPaths.Policies, "node-packing.yaml"),
            "--policy-config-file", Path.Combine(RepoPaths.Policies, "scheduler-policy.json"));

        Assert.Equal(2, code);
        Assert.Contains("policy", stderr);
    }

    [Theory]
    [InlineData("--policy-config-file", "scheduler-policy.json")]
    [InlineData("--config", "node-packing.yaml")]
    public void Shipped_policy_files_place_pods_as_the_built_in_default(string flag, string file)
    {
        string scenario = Shared("multicore-pilot-story.yaml");
        (int c1, string builtIn, _) = CliRunner.Run("simulate", "-f", scenario, "-o", "json");
        (int c2, string withFile, string err) = CliRunner.Run("simulate", "-f", scenario, "-o", "json", flag, Path.Combine(RepoPaths.Policies, file));

        Assert.Equal(0, c1);
        Assert.True(c2 == 0, err);
        Assert.Equal(builtIn, withFile);
    }
}
