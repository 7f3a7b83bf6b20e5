namespace PackingScheduler.Core.Tests.Support;

/// <summary>Files of the repository and the shared material beside it, found from the test binaries.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding PackingScheduler.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the repository root, e.g. "policies/node-packing.yaml".</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>The shared scenario examples: ../shared/scenarios/examples from the repository root.</summary>
    public static string SharedScenarioExamples() => Path.GetFullPath(Path.Combine(Root, "..", "shared", "scenarios", "examples"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PackingScheduler.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no PackingScheduler.sln above {AppContext.BaseDirectory}");
    }
}
