using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Tests.Policy;

/// <summary>The KubeSchedulerConfiguration reader takes this scheduler's own scoring strategy type, SlotBestFit.</summary>
public sealed class SlotBestFitConfigTests
{
    private static string Config(string strategy) => $$"""
        apiVersion: kubescheduler.config.k8s.io/v1
        kind: KubeSchedulerConfiguration
        profiles:
        - schedulerName: node-packing-scheduler
          plugins:
            multiPoint:
              disabled: [{name: "*"}]
              enabled: [{name: PrioritySort}, {name: NodeResourcesFit}, {name: DefaultBinder}]
          pluginConfig:
          - name: NodeResourcesFit
            args:
              scoringStrategy: {{strategy}}
        """;

    [Fact]
    public void SlotBestFit_is_read_with_its_resources()
    {
        SchedulerProfile profile = Assert.Single(ComponentConfigReader.Read(
            Config("{type: SlotBestFit, resources: [{name: cpu, weight: 2}, {name: memory}]}"), "c.yaml"));
        Assert.Equal(ScoringStrategyType.SlotBestFit, profile.ScoringStrategy.Type);
        Assert.Equal([new ResourceWeight("cpu", 2), new ResourceWeight("memory", 1)], profile.ScoringStrategy.Resources);
        Assert.Contains(new WeightedScore(ScorePlugin.NodeResourcesFit, 1), profile.Scores);
    }

    [Fact]
    public void SlotBestFit_takes_no_shape()
    {
        var e = Assert.Throws<ConfigurationException>(() => ComponentConfigReader.Read(
            Config("{type: SlotBestFit, requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}]}}"), "c.yaml"));
        Assert.Contains("scoringStrategy.requestedToCapacityRatio: must be absent when type is not RequestedToCapacityRatio", e.Message);
    }

    [Fact]
    public void An_unknown_type_lists_SlotBestFit_among_the_supported()
    {
        var e = Assert.Throws<ConfigurationException>(() => ComponentConfigReader.Read(Config("{type: SlotFit}"), "c.yaml"));
        Assert.Contains("unsupported value \"SlotFit\"; supported: LeastAllocated, MostAllocated, RequestedToCapacityRatio, SlotBestFit", e.Message);
    }
}
