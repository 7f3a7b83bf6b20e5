using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scenarios;
using PackingScheduler.Core.Simulation;
using PackingScheduler.Core.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Tests.Preemption;

/// <summary>
/// The project's scenario cases (tests/scenarios) run in process: every case's placements and
/// messages as the shared checker reads them, plus the victims of each preemptor from the case's
/// NAME.victims.yaml (an extension the shared checker does not know, so kept beside it). A case
/// without a victims file must preempt nothing.
/// </summary>
[Trait("Category", "Preemption")]
public sealed class PreemptionScenarioTests
{
    private static string Folder => RepositoryPaths.PathOf("tests/scenarios");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string expect in Directory.GetFiles(Folder, "*.expect.yaml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(expect)[..^".expect.yaml".Length]);
        return data;
    }

    [Fact]
    public void The_preemption_cases_cover_single_node_several_candidates_budgets_never_and_affinity()
    {
        string[] withVictims = Directory.GetFiles(Folder, "*.victims.yaml").Select(f => Path.GetFileName(f)[..^".victims.yaml".Length]).Order().ToArray();
        Assert.Equal(
            ["preemption-affinity", "preemption-mixed-pilots", "preemption-packing-tiebreak", "preemption-pdb", "preemption-several-candidates", "preemption-single-node"],
            withVictims);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_places_pods_and_preempts_exactly_the_expected_victims(string name)
    {
        YamlMappingNode expect = Load(Path.Combine(Folder, name + ".expect.yaml"));
        string victimsFile = Path.Combine(Folder, name + ".victims.yaml");
        Dictionary<string, string[]> expectedVictims = File.Exists(victimsFile)
            ? Load(victimsFile).Children.ToDictionary(kv => Scalar(kv.Key), kv => ((YamlSequenceNode)kv.Value).Children.Select(Scalar).ToArray())
            : new Dictionary<string, string[]>();

        string? config = expect.Children.TryGetValue(new YamlScalarNode("config"), out YamlNode? c) ? Scalar(c) : null;
        string? configPath = config is null ? null : Path.Combine(Folder, config);
        SchedulerProfile profile = SchedulerConfigLoader.Load(
            configPath is not null && !configPath.EndsWith(".json", StringComparison.Ordinal) ? configPath : null,
            configPath is not null && configPath.EndsWith(".json", StringComparison.Ordinal) ? configPath : null,
            null);
        IReadOnlyList<Placement> placements = Simulator.Run(ScenarioLoader.LoadFile(Path.Combine(Folder, name + ".yaml")), profile);
        Dictionary<string, Placement> byPod = placements.ToDictionary(p => p.Pod);

        foreach (KeyValuePair<YamlNode, YamlNode> kv in ((YamlMappingNode)expect.Children[new YamlScalarNode("placements")]).Children)
        {
            string pod = Scalar(kv.Key);
            Assert.True(byPod.ContainsKey(pod), $"{name}: {pod} missing from the simulation");
            string? node = byPod[pod].Node;
            switch (kv.Value)
            {
                case YamlSequenceNode any:
                    Assert.Contains(node, any.Children.Select(Scalar));
                    break;
                case YamlScalarNode s when s.Value is null or "" or "null" or "~":
                    Assert.True(node is null, $"{name}: {pod} expected unschedulable, got {node}");
                    break;
                default:
                    Assert.True(Scalar(kv.Value) == node, $"{name}: {pod} expected {Scalar(kv.Value)}, got {node ?? "null"}");
                    break;
            }
        }
        if (expect.Children.TryGetValue(new YamlScalarNode("messages"), out YamlNode? messages))
        {
            foreach (KeyValuePair<YamlNode, YamlNode> kv in ((YamlMappingNode)messages).Children)
            {
                string pod = Scalar(kv.Key);
                IEnumerable<string> parts = kv.Value is YamlSequenceNode seq ? seq.Children.Select(Scalar) : [Scalar(kv.Value)];
                foreach (string part in parts) Assert.Contains(part, byPod[pod].Message ?? string.Empty);
            }
        }
        foreach (Placement p in placements)
        {
            string[] want = expectedVictims.GetValueOrDefault(p.Pod) ?? [];
            Assert.True(want.SequenceEqual(p.Victims), $"{name}: {p.Pod} preempted [{string.Join(", ", p.Victims)}], expected [{string.Join(", ", want)}]");
        }
        foreach (string pod in expectedVictims.Keys) Assert.True(byPod.ContainsKey(pod), $"{name}: victims given for {pod}, which is not pending");
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? string.Empty;
}
