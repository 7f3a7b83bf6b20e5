using System.Diagnostics;
using System.Text.Json;

namespace PackingScheduler.Tests.Benchmarks;

/// <summary>
/// The benchmark harness's console modes run at tiny sizes: the JSON has its keys and every pod
/// is placed. No timing is asserted. Runs the harness built beside this test assembly (same
/// configuration; `dotnet test PackingScheduler.sln` builds it), else builds it first.
/// </summary>
[Trait("Category", "Benchmarks")]
public sealed class BenchmarkHarnessTests
{
    private static readonly string[] Keys = { "nodes", "pods", "seconds", "podsPerSecond", "p50Ms", "p99Ms", "peakRssMb" };

    private static string HarnessDll()
    {
        string project = Path.Combine(RepoPaths.Root, "benchmarks", "PackingScheduler.Benchmarks");
        // This assembly lives in tests/PackingScheduler.Tests/bin/<Configuration>/<tfm>/.
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string tfm = bin.Name, configuration = bin.Parent!.Name;
        string dll = Path.Combine(project, "bin", configuration, tfm, "PackingScheduler.Benchmarks.dll");
        if (!File.Exists(dll))
        {
            (int code, string output) = Run("dotnet", $"build \"{project}\" -c {configuration} -v q -nologo");
            Assert.True(code == 0, output);
        }
        return dll;
    }

    private static (int Code, string Output) Run(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process p = Process.Start(psi)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(120)), $"{file} {arguments} did not finish");
        return (p.ExitCode, stdout + stderr.Result);
    }

    [Theory]
    [InlineData("engine --nodes 50 --pods 200 -o json")]
    [InlineData("engine --nodes 50 --pods 200 --shape affinity -o json")]
    [InlineData("engine --nodes 50 --pods 200 --shape anti-affinity -o json")]
    [InlineData("e2e --nodes 50 --pods 200 -o json")]
    public void A_mode_at_a_tiny_size_prints_its_json_and_places_every_pod(string arguments)
    {
        (int code, string output) = Run("dotnet", $"\"{HarnessDll()}\" {arguments}");
        Assert.True(code == 0, output);
        using JsonDocument json = JsonDocument.Parse(output.Trim().Split('\n').Last());
        JsonElement root = json.RootElement;
        foreach (string key in Keys) Assert.True(root.TryGetProperty(key, out _), $"no \"{key}\" in {output}");
        Assert.Equal(50, root.GetProperty("nodes").GetInt32());
        Assert.Equal(200, root.GetProperty("pods").GetInt32());
        Assert.Equal(200, root.GetProperty("placed").GetInt32());
        Assert.True(root.GetProperty("podsPerSecond").GetDouble() > 0);
    }
}
