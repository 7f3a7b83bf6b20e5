using PackingScheduler.Core.Tests.Support;
using PackingScheduler.Core.Scenarios;

namespace PackingScheduler.Core.Tests.Scenarios;

public sealed class ScenarioExamplesTests
{
    private static string[] ExampleFiles()
    {
        string dir = RepositoryPaths.SharedScenarioExamples();
        // Deliberately a failure, not a skip: a missing folder would otherwise hide every example.
        Assert.True(Directory.Exists(dir), $"shared scenario examples not found at {dir} (expected ../shared/scenarios/examples next to the repository)");
        string[] files = Directory.GetFiles(dir, "*.yaml")
            .Where(f => !f.EndsWith(".expect.yaml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.NotEmpty(files);
        return files;
    }

    [Fact]
    public void Every_shared_example_loads_with_nodes_and_pending_pods()
    {
        foreach (string file in ExampleFiles())
        {
            Scenario scenario = ScenarioLoader.LoadFile(file);
            Assert.True(scenario.Nodes.Count > 0, $"{file}: no nodes");
            Assert.True(scenario.PendingPods.Any(), $"{file}: no pending pods");
            Assert.All(scenario.Pods, p => Assert.False(string.IsNullOrEmpty(p.Object.Metadata.NamespaceProperty)));
        }
    }

    [Fact]
    public void Multicore_pilot_story_loads_its_objects_in_file_order_with_document_indexes()
    {
        string file = ExampleFiles().Single(f => Path.GetFileName(f) == "multicore-pilot-story.yaml");

        Scenario scenario = ScenarioLoader.LoadFile(file);

        Assert.Equal(["wn-a", "wn-b"], scenario.Nodes.Select(n => n.Name));
        Assert.Equal([1, 2], scenario.Nodes.Select(n => n.DocumentIndex));
        Assert.Equal(9, scenario.Pods.Count);
        Assert.Equal(Enumerable.Range(3, 9), scenario.Pods.Select(p => p.DocumentIndex));
        ScenarioObject<k8s.Models.V1Pod> bound = Assert.Single(scenario.BoundPods);
        Assert.Equal("Pod atlas/pilot-1c-00", bound.Description);
        Assert.Equal("wn-a", bound.Object.Spec.NodeName);
        Assert.Equal("pilot-8c", scenario.PendingPods.Last().Name);
        Assert.Equal("16Gi", scenario.PendingPods.Last().Object.Spec.Containers[0].Resources.Requests["memory"].ToString());
    }
}
