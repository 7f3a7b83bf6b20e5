using System.Text.Json;

namespace PackingScheduler.Tests.Cli;

public sealed class ReplayCommandTests
{
    // Two 8-core nodes; two 1-core jobs then an 8-core pilot. LeastAllocated spreads the 1-core
    // jobs and the pilot waits 59 minutes with 14 free cores (13.77 core-hours stranded);
    // MostAllocated packs them and the pilot starts on arrival (see ReplaySimulatorTests).
    private const string Trace = """
        kind: ReplayTrace
        nodes:
        - {group: wn, count: 2, cpu: 8, memory: 8Gi}
        pods:
        - {name: a, arrival: 0s, duration: 2h, cpu: 1, memory: 1Gi}
        - {name: b, arrival: 1m, duration: 1h, cpu: 1, memory: 1Gi}
        - {name: c, arrival: 2m, duration: 1h, cpu: 8, memory: 8Gi}
        """;

    private static readonly string[] Headline =
        ["name", "multicorePlacedOnArrival", "multicoreWaitP95Seconds", "singleCoreWaitP95Seconds", "strandedCoreHours", "nodesUsedMax"];

    private static string WriteTemp(string text, string extension = ".yaml")
    {
        string path = Path.Combine(Path.GetTempPath(), $"ps-replay-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Json_has_exactly_the_strategies_and_the_bound_with_the_headline_keys()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("replay", "-f", WriteTemp(Trace), "-o", "json", "--strategies", "LeastAllocated,MostAllocated");

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(["strategies", "bound"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        JsonElement[] strategies = doc.RootElement.GetProperty("strategies").EnumerateArray().ToArray();
        Assert.Equal(["LeastAllocated", "MostAllocated"], strategies.Select(s => s.GetProperty("name").GetString()));
        foreach (JsonElement s in strategies.Append(doc.RootElement.GetProperty("bound")))
            Assert.Equal(Headline, s.EnumerateObject().Select(p => p.Name).Take(Headline.Length));

        JsonElement least = strategies[0], most = strategies[1], bound = doc.RootElement.GetProperty("bound");
        Assert.Equal(0, least.GetProperty("multicorePlacedOnArrival").GetDouble());
        Assert.Equal(3540, least.GetProperty("multicoreWaitP95Seconds").GetInt64());
        Assert.Equal(0, least.GetProperty("singleCoreWaitP95Seconds").GetInt64());
        Assert.Equal(13.8, least.GetProperty("strandedCoreHours").GetDouble());
        Assert.Equal(2, least.GetProperty("nodesUsedMax").GetInt32());
        Assert.Equal(1, most.GetProperty("multicorePlacedOnArrival").GetDouble());
        Assert.Equal(0, most.GetProperty("multicoreWaitP95Seconds").GetInt64());
        Assert.Equal(0, most.GetProperty("strandedCoreHours").GetDouble());
        Assert.Equal("bound", bound.GetProperty("name").GetString());
        Assert.Equal(1, bound.GetProperty("multicorePlacedOnArrival").GetDouble());
        Assert.Equal(["1-core", "8-core"], least.GetProperty("classes").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public void A_figure_with_nothing_to_measure_is_null()
    {
        string trace = Trace.Replace("- {name: c, arrival: 2m, duration: 1h, cpu: 8, memory: 8Gi}", "");
        (int code, string stdout, _) = CliRunner.Run("replay", "-f", WriteTemp(trace), "-o", "json", "--strategies", "MostAllocated");

        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement most = doc.RootElement.GetProperty("strategies")[0];
        Assert.Equal(JsonValueKind.Null, most.GetProperty("multicorePlacedOnArrival").ValueKind);
        Assert.Equal(JsonValueKind.Null, most.GetProperty("multicoreWaitP95Seconds").ValueKind);
    }

    [Fact]
    public void The_table_has_a_row_per_strategy_and_the_bound_and_the_svg_is_written()
    {
        string svg = Path.Combine(Path.GetTempPath(), $"ps-replay-{Guid.NewGuid():N}.svg");
        (int code, string stdout, string stderr) = CliRunner.Run("replay", "-f", WriteTemp(Trace), "--svg", svg);

        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n');
        Assert.StartsWith("trace ", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("STRATEGY ") && l.Contains("8-CORE ON ARRIVAL"));
        Assert.Contains(lines, l => l.StartsWith("LeastAllocated ") && l.Contains("0.0%") && l.Contains("59m"));
        Assert.Contains(lines, l => l.StartsWith("MostAllocated ") && l.Contains("100.0%"));
        Assert.Contains(lines, l => l.StartsWith("SlotBestFit "));
        Assert.Contains(lines, l => l.StartsWith("bound "));

        string chart = File.ReadAllText(svg);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", chart);
        Assert.EndsWith("</svg>\n", chart);
        // Two panels, one line per strategy and one for the bound in each.
        Assert.Equal(2 * 4, chart.Split("<polyline").Length - 1);
        Assert.Contains(">SlotBestFit</text>", chart);
    }

    [Theory]
    [InlineData("--strategies", "Packed", "replay: unknown strategy \"Packed\"; known: LeastAllocated, MostAllocated, SlotBestFit")]
    [InlineData("--strategies", "RequestedToCapacityRatio", "replay: unknown strategy \"RequestedToCapacityRatio\"")]
    [InlineData("-o", "yaml", "replay: --output must be json or table, not \"yaml\"")]
    [InlineData("--seed", "-1", "replay: --seed takes a whole number, not \"-1\"")]
    public void Bad_flags_are_usage_errors(string flag, string value, string expected)
    {
        (int code, _, string stderr) = CliRunner.Run("replay", "-f", WriteTemp(Trace), flag, value);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public void A_bad_trace_is_an_error_naming_the_file_position_and_field()
    {
        string path = WriteTemp(Trace.Replace("duration: 1h, cpu: 8, memory: 8Gi}", "duration: 1h, cpu: 8, memory: 8Gi, colour: red}"));
        (int code, _, string stderr) = CliRunner.Run("replay", "-f", path);

        Assert.Equal(2, code);
        Assert.Contains($"{path}:7:61: ", stderr);
        Assert.Contains("pods[2].colour: unknown field \"colour\"", stderr);
    }

    [Fact]
    public void The_seed_flag_replaces_a_generated_trace_seed()
    {
        string path = WriteTemp("""
            kind: ReplayTrace
            nodes: [{group: wn, count: 4, cpu: 16, memory: 64Gi}]
            generator:
              seed: 1
              load: 0.9
              measure: 6h
              classes:
              - {name: analysis, cpu: 1, memoryPerCore: 2Gi, share: 0.5, duration: {median: 30m, sigma: 1, min: 1m, max: 4h}}
              - {name: production, cpu: 8, memoryPerCore: 2Gi, share: 0.5, duration: {median: 1h, sigma: 0.5, min: 5m, max: 4h}}
            """);
        string Run(params string[] extra) => CliRunner.Run(["replay", "-f", path, "-o", "json", "--strategies", "MostAllocated", .. extra]).Stdout;

        Assert.Equal(Run(), Run());
        Assert.Equal(Run("--seed", "2"), Run("--seed", "2"));
        Assert.NotEqual(Run(), Run("--seed", "2"));
    }

    [Fact]
    public void Help_lists_the_replay_command()
    {
        Assert.Contains("replay   -f TRACE", CliRunner.Run("help").Stdout);
        (int code, string stdout, _) = CliRunner.Run("replay", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--strategies LIST", stdout);
    }
}
