using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using k8s.Models;
using PackingScheduler.Hosting;

namespace PackingScheduler.Tests.Deployment;

/// <summary>
/// The Dockerfile against the project (no Docker engine needed): the files it copies exist, the
/// restore layer has every project the executable needs, the entrypoint is the published assembly,
/// the port is run's, and the user is not root.
/// </summary>
public sealed class DockerfileTests
{
    private const string ExecutableProject = "src/PackingScheduler/PackingScheduler.csproj";

    /// <summary>APP_UID of the .NET 8+ Linux images: their non-root user `app`.</summary>
    private const long DotnetImageAppUid = 1654;

    private sealed record Instruction(string Keyword, string Arguments, int Line);

    private static string Root => RepoPaths.Root;

    private static IReadOnlyList<Instruction> Instructions()
    {
        string path = Path.Combine(Root, "Dockerfile");
        Assert.True(File.Exists(path), "no Dockerfile at the repository root");
        var result = new List<Instruction>();
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int start = i;
            var text = new System.Text.StringBuilder();
            while (true)
            {
                string part = lines[i].Trim();
                if (!part.StartsWith('#'))
                {
                    bool more = part.EndsWith('\\');
                    text.Append(more ? part[..^1] : part).Append(' ');
                    if (!more) break;
                }
                if (++i >= lines.Length) break;
            }
            string joined = text.ToString().Trim();
            int space = joined.IndexOf(' ');
            result.Add(new Instruction(joined[..space].ToUpperInvariant(), joined[(space + 1)..].Trim(), start + 1));
        }
        return result;
    }

    /// <summary>The instructions of each stage, in order; the last is the image.</summary>
    private static List<List<Instruction>> Stages()
    {
        var stages = new List<List<Instruction>>();
        foreach (Instruction i in Instructions())
        {
            if (i.Keyword == "FROM") stages.Add([]);
            if (stages.Count > 0) stages[^1].Add(i);
        }
        Assert.True(stages.Count >= 2, "the Dockerfile should be multi-stage: an SDK stage that builds, a runtime stage that runs");
        return stages;
    }

    private static string FromImage(Instruction from) =>
        from.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(a => !a.StartsWith("--", StringComparison.Ordinal));

    private static string[] Words(string arguments) =>
        arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();

    private static XDocument Project(string relative) => XDocument.Load(Path.Combine(Root, relative));

    /// <summary>The executable's project and every project it references, transitively, as repository paths.</summary>
    private static List<string> ProjectClosure(string project)
    {
        var seen = new List<string>();
        var todo = new Stack<string>([project]);
        while (todo.Count > 0)
        {
            string p = todo.Pop();
            if (seen.Contains(p)) continue;
            seen.Add(p);
            string dir = Path.GetDirectoryName(p)!;
            foreach (XElement r in Project(p).Descendants("ProjectReference"))
            {
                string full = Path.GetFullPath(Path.Combine(Root, dir, r.Attribute("Include")!.Value.Replace('\\', '/')));
                todo.Push(Path.GetRelativePath(Root, full).Replace('\\', '/'));
            }
        }
        return seen;
    }

    [Fact]
    public void The_build_stage_restores_the_executables_projects_before_copying_the_sources()
    {
        List<Instruction> build = Stages()[0];
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", FromImage(build[0]));
        int restore = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "no RUN dotnet restore in the build stage");
        Assert.Contains(ExecutableProject, build[restore].Arguments);

        var copiedBefore = build.Take(restore).Where(i => i.Keyword == "COPY").SelectMany(i => Words(i.Arguments)[..^1]).ToList();
        foreach (string project in ProjectClosure(ExecutableProject))
            Assert.True(copiedBefore.Contains(project), $"{project} must be copied before `dotnet restore` (the restore layer needs every project the executable references)");
        foreach (string props in new[] { "Directory.Build.props", "Directory.Packages.props" })
            Assert.True(copiedBefore.Contains(props), $"{props} must be copied before `dotnet restore` (it sets the framework and the package versions)");

        int sources = build.FindIndex(restore, i => i.Keyword == "COPY" && Words(i.Arguments)[0].TrimEnd('/') == "src");
        int publish = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.True(sources > restore, "copy src/ after the restore layer, so that a source change does not redo the restore");
        Assert.True(publish > sources, "publish after copying the sources");
        Assert.Matches(@"dotnet publish src/PackingScheduler(/PackingScheduler\.csproj)? .*-c Release", build[publish].Arguments);
        Assert.Contains("--no-restore", build[publish].Arguments);
        Assert.Matches(@"-o /app(\s|$)", build[publish].Arguments);
    }

    [Fact]
    public void Every_file_the_build_copies_exists_and_is_not_docker_ignored()
    {
        string[] ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        Assert.Contains(ignored, l => l.TrimEnd('/').EndsWith("bin", StringComparison.Ordinal));
        Assert.Contains(ignored, l => l.TrimEnd('/').EndsWith("obj", StringComparison.Ordinal));
        foreach (Instruction copy in Stages()[0].Where(i => i.Keyword == "COPY" && !i.Arguments.Contains("--from", StringComparison.Ordinal)))
        {
            foreach (string source in Words(copy.Arguments)[..^1])
            {
                string path = Path.Combine(Root, source);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"Dockerfile line {copy.Line}: {source} does not exist");
                string top = source.TrimEnd('/').Split('/')[0];
                Assert.DoesNotContain(ignored, l => l.TrimEnd('/') == source.TrimEnd('/') || l.TrimEnd('/') == top);
            }
        }
    }

    [Fact]
    public void The_runtime_image_runs_the_published_assembly_as_a_non_root_user_on_runs_port()
    {
        List<Instruction> runtime = Stages()[^1];
        XDocument csproj = Project(ExecutableProject);
        string assembly = csproj.Descendants("AssemblyName").Single().Value;
        Assert.Equal("packing-scheduler", assembly);

        // The executable uses the ASP.NET Core shared framework (Kestrel), of the version it targets.
        Assert.Contains(csproj.Descendants("FrameworkReference"), f => f.Attribute("Include")?.Value == "Microsoft.AspNetCore.App");
        string framework = XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        string version = framework.Replace("net", "", StringComparison.Ordinal);
        Assert.Matches($@"^mcr\.microsoft\.com/dotnet/aspnet:{Regex.Escape(version)}(-[a-z0-9.\-]+)?$", FromImage(runtime[0]));
        Assert.Matches($@"^mcr\.microsoft\.com/dotnet/sdk:{Regex.Escape(version)}(-[a-z0-9.\-]+)?$", FromImage(Stages()[0][0]));

        Instruction entry = Assert.Single(runtime, i => i.Keyword == "ENTRYPOINT");
        string[] exec = JsonSerializer.Deserialize<string[]>(entry.Arguments)!;
        string[] expected = ["dotnet", $"/app/{assembly}.dll"];
        Assert.True(exec.SequenceEqual(expected) || exec.SequenceEqual([$"/app/{assembly}"]),
            $"ENTRYPOINT {entry.Arguments}: expected [\"dotnet\", \"/app/{assembly}.dll\"] (exec form: no shell in the image)");
        Assert.Contains(runtime, i => i.Keyword == "COPY" && i.Arguments.Contains("--from=build", StringComparison.Ordinal) && i.Arguments.Contains("/app", StringComparison.Ordinal));

        Instruction expose = Assert.Single(runtime, i => i.Keyword == "EXPOSE");
        int defaultPort = new SchedulerOptions().Port;
        Assert.Equal(defaultPort.ToString(), expose.Arguments.Split('/')[0]);
        Assert.Contains(RenderedManifests.Single<V1Deployment>().Spec.Template.Spec.Containers[0].Ports, p => p.ContainerPort == defaultPort);

        Instruction user = Assert.Single(runtime, i => i.Keyword == "USER");
        string who = user.Arguments.Split(':')[0];
        Assert.True(who is "$APP_UID" or "${APP_UID}" or "app" || (long.TryParse(who, out long uid) && uid > 0),
            $"USER {user.Arguments} is not a non-root user");
        long imageUid = long.TryParse(who, out long n) ? n : DotnetImageAppUid;
        Assert.Equal(imageUid, RenderedManifests.Single<V1Deployment>().Spec.Template.Spec.SecurityContext.RunAsUser);
    }
}
