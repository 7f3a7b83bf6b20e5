using PackingScheduler.Core.Replay;
using PackingScheduler.Core.Tests.Support;

namespace PackingScheduler.Core.Tests.Replay;

/// <summary>The standard traces of examples/traces/ read, and are what docs/packing.md says they are.</summary>
public sealed class ExampleTracesTests
{
    [Theory]
    [InlineData("grid-70.yaml", 0.70)]
    [InlineData("grid-90.yaml", 0.90)]
    [InlineData("grid-100.yaml", 1.00)]
    public void The_standard_traces_differ_only_in_the_load(string file, double load)
    {
        string path = Path.Combine(RepositoryPaths.Root, "examples", "traces", file);
        ReplayTrace t = TraceReader.ReadFile(path);
        Assert.Equal(100, t.Nodes.Count);
        Assert.Equal(load, t.Generator!.Load);
        Assert.Equal(90UL, t.Generator.Seed);
        Assert.Equal(["analysis", "production", "wholenode"], t.Classes);
        Assert.Equal(12 * 3600, t.MeasureFrom);
        Assert.Equal(84 * 3600, t.MeasureUntil);
        string standard = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "examples", "traces", "grid-90.yaml"));
        string[] differing = File.ReadAllLines(path).Where(l => !l.StartsWith('#')).Except(standard.Split('\n').Where(l => !l.StartsWith('#'))).ToArray();
        Assert.True(differing.Length <= 1 && differing.All(l => l.Contains("load:")), string.Join("\n", differing));
    }
}
