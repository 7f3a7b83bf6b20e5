using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Replay;

namespace PackingScheduler.Core.Tests.Replay;

public sealed class TraceReaderTests
{
    [Fact]
    public void An_explicit_trace_takes_node_groups_Node_objects_and_jobs_in_arrival_order()
    {
        ReplayTrace trace = ReplayTraces.Read("""
            nodes:
            - {group: wn, count: 2, cpu: 8, memory: 32Gi}
            - apiVersion: v1
              kind: Node
              metadata: {name: special, labels: {site: x}}
              status: {allocatable: {cpu: "16", memory: 64Gi, pods: "110"}}
            pods:
            - {name: late, arrival: 1h30m, duration: 2h, cpu: 8, memory: 16Gi, priority: 10, class: production}
            - {name: early, arrival: 90s, duration: 45m, cpu: 500m}
            - {arrival: 90s, duration: 1s, cpu: 1}
            measure: {from: 1m, until: 3h}
            """);
        Assert.Equal(["wn-001", "wn-002", "special"], trace.Nodes.Select(n => n.Metadata.Name));
        Assert.Equal(["early", "pod-0003", "late"], trace.Pods.Select(p => p.Name));
        TracePod late = trace.Pods[2];
        Assert.Equal((5400L, 7200L, 8000L, 16L << 30, 10), (late.Arrival, late.Duration, late.MilliCpu, late.Memory, late.Priority));
        Assert.Equal("production", trace.Classes[late.ClassId]);
        Assert.Equal("500m", trace.Classes[trace.Pods[0].ClassId]);
        Assert.Equal("1-core", trace.Classes[trace.Pods[1].ClassId]);
        Assert.Equal(60, trace.MeasureFrom);
        Assert.Equal(10800, trace.MeasureUntil);
        Assert.Null(trace.Generator);
    }

    [Theory]
    [InlineData("nodes: [{group: wn, cpu: 8, memory: 8Gi}]\npods: [{arrival: 0s, duration: 1h, cpu: 1, colour: red}]",
        "test.yaml:3:44: pods[0].colour: unknown field \"colour\"")]
    [InlineData("nodes: [{group: wn, cpu: 8, memory: 8Gi}]\npods: [{arrival: 0s, duration: 1h, cpu: 9}]",
        "pods[0]: the job (9000m cpu, 0 bytes) fits on no node even when it is empty")]
    [InlineData("nodes: [{group: wn, cpu: 8, memory: 8Gi}]\npods: [{arrival: soon, duration: 1h, cpu: 1}]",
        "pods[0].arrival: expected a duration such as 90s, 15m or 1h30m, got the string \"soon\"")]
    [InlineData("nodes: [{group: wn, cpu: 8, memory: 8Gi}]\npods: [{arrival: 0s, duration: 0s, cpu: 1}]",
        "pods[0].duration: must be at least 1s")]
    [InlineData("nodes: [{group: wn, cpu: 8, memory: 8Gi}]",
        "pods: give either pods (an explicit trace) or generator (a generated one), not both or neither")]
    [InlineData("nodes: [{group: wn, cpu: 8, memory: 8Gi}, {group: wn, cpu: 8, memory: 8Gi}]\npods: []",
        "nodes[1]: node name \"wn-001\" is used twice")]
    [InlineData("nodes: [{group: wn, cpu: lots, memory: 8Gi}]\npods: []",
        "nodes[0].cpu: expected cores such as 8 or 500m, got the string \"lots\"")]
    [InlineData("nodes: [{apiVersion: v1, kind: Pod, metadata: {name: p}}]\npods: []",
        "nodes[0].kind: a node list item with kind must be a Kubernetes Node")]
    [InlineData("nodes:\n- {apiVersion: v1, kind: Node, metadata: {name: wn-x}, status: {allocatable: {cpu: \"8\"}, bogus: 1}}\npods: []",
        "nodes[0].status.bogus: unknown field (kubectl would reject it)")]
    [InlineData("nodes:\n- {apiVersion: v1, kind: Node, metadata: {name: wn-x}, status: {allocatable: {cpu: \"8\", memory: 8Gi}}}\npods: [{arrival: 0s, duration: 1h, cpu: 1}]",
        "pods[0]: the job (1000m cpu, 0 bytes) fits on no node even when it is empty (cpu, memory, allocatable pods)")]
    [InlineData("nodes: [{group: wn, cpu: 8, memory: 8Gi}]\npods: []\nmeasure: {from: 2h, until: 1h}",
        "measure.until: must be after from")]
    public void Problems_name_the_file_position_and_field(string body, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => ReplayTraces.Read(body));
        Assert.StartsWith("test.yaml:", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_kind_is_required()
    {
        var e = Assert.Throws<ConfigurationException>(() => TraceReader.Read("nodes: []", "t.yaml"));
        Assert.Contains("kind: required: ReplayTrace", e.Message);
    }

    [Theory]
    [InlineData("load: 3", "cpu: 1", "generator.load: 3: must be in (0, 2]")]
    [InlineData("load: 0.5", "cpu: 1, batch: 0.5", "generator.classes[0].batch: the mean batch size is at least 1")]
    [InlineData("load: 0.5", "cpu: [8, x]", "generator.classes[0].cpu: expected whole cores (1 or more), got the string \"x\"")]
    [InlineData("load: 0.5", "cpu: 1, share: -1", "generator.classes[0].share: must be 0 or more")]
    public void Generator_problems_name_the_field(string load, string cpu, string expected)
    {
        string spec = $$$"""
            nodes: [{group: wn, count: 2, cpu: 8, memory: 8Gi}]
            generator:
              seed: 1
              {{{load}}}
              measure: 1h
              classes:
              - {name: c, {{{cpu}}}, duration: {median: 1h, max: 2h}}
            """;
        if (!cpu.Contains("share")) spec = spec.Replace("duration:", "share: 1, duration:");
        var e = Assert.Throws<ConfigurationException>(() => ReplayTraces.Read(spec));
        Assert.Contains(expected, e.Message);
    }
}
