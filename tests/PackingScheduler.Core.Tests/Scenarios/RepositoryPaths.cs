namespace PackingScheduler.Core.Tests.Scenarios;

/// <summary>Finds folders relative to the repository, wherever the test assembly was built.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding PackingScheduler.sln, found by walking up from the test binaries.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PackingScheduler.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no PackingScheduler.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The shared scenario examples: ../shared/scenarios/examples from the repository root.</summary>
    public static string SharedScenarioExamples()
        => Path.GetFullPath(Path.Combine(Root(), "..", "shared", "scenarios", "examples"));
}
