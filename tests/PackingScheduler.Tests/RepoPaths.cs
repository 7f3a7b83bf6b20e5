namespace PackingScheduler.Tests;

/// <summary>Locates the checkout (the folder with PackingScheduler.sln) and the shared material beside it.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string SharedExamples => Path.GetFullPath(Path.Combine(Root, "..", "shared", "scenarios", "examples"));

    public static string Examples => Path.Combine(Root, "examples");

    public static string Policies => Path.Combine(Root, "policies");

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "PackingScheduler.sln"))) return d.FullName;
        }
        throw new InvalidOperationException($"no PackingScheduler.sln above {AppContext.BaseDirectory}");
    }
}
