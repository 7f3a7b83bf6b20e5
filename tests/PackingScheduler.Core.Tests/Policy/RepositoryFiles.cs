namespace PackingScheduler.Core.Tests.Policy;

/// <summary>Finds files of the repository (policies/...) from the test's output directory.</summary>
internal static class RepositoryFiles
{
    public static string PathOf(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PackingScheduler.sln")))
                return Path.Combine(dir.FullName, relative);
        }
        throw new InvalidOperationException($"no PackingScheduler.sln above {AppContext.BaseDirectory}");
    }
}
