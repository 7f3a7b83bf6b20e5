using System.Diagnostics;
using k8s;
using k8s.Models;
using YamlDotNet.Core;

namespace PackingScheduler.Tests.Deployment;

/// <summary>
/// manifests/ as `kubectl apply -k manifests` would send it: rendered by `kubectl kustomize` when
/// kubectl is on PATH, else read from artifacts/manifests.yaml (which .ci/run writes). With
/// neither, every test that needs it fails with the reason: a check that cannot run is not a pass.
/// </summary>
internal static class RenderedManifests
{
    public const string ArtifactPath = "artifacts/manifests.yaml";

    /// <summary>Every kind the base may contain; anything else in the output is a test failure.</summary>
    public static readonly IReadOnlyDictionary<string, Type> TypeMap = new Dictionary<string, Type>
    {
        ["v1/ServiceAccount"] = typeof(V1ServiceAccount),
        ["v1/ConfigMap"] = typeof(V1ConfigMap),
        ["v1/Service"] = typeof(V1Service),
        ["rbac.authorization.k8s.io/v1/ClusterRole"] = typeof(V1ClusterRole),
        ["rbac.authorization.k8s.io/v1/ClusterRoleBinding"] = typeof(V1ClusterRoleBinding),
        ["rbac.authorization.k8s.io/v1/Role"] = typeof(V1Role),
        ["rbac.authorization.k8s.io/v1/RoleBinding"] = typeof(V1RoleBinding),
        ["apps/v1/Deployment"] = typeof(V1Deployment),
        ["policy/v1/PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
        ["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ServiceMonitor),
    };

    private static readonly Lazy<(string Text, string Source)> Rendered = new(Render);
    private static readonly Lazy<IReadOnlyList<object>> Loaded = new(() => Load(Rendered.Value.Text, Rendered.Value.Source, TypeMap));

    public static string ManifestsDir => Path.Combine(RepoPaths.Root, "manifests");

    /// <summary>Where the text came from ("kubectl kustomize manifests" or the artifact file), for messages.</summary>
    public static string Source => Rendered.Value.Source;

    public static IReadOnlyList<object> Objects => Loaded.Value;

    public static IEnumerable<T> All<T>() => Objects.OfType<T>();

    public static T Single<T>() where T : IKubernetesObject<V1ObjectMeta>
    {
        T[] found = All<T>().ToArray();
        Assert.True(found.Length == 1, $"{Source}: expected exactly one {typeof(T).Name}, found {found.Length}");
        return found[0];
    }

    /// <summary>
    /// Strict loading (unknown fields are errors, as `kubectl apply --validate=strict` would make
    /// them), each document mapped by apiVersion/kind through <paramref name="typeMap"/>.
    /// </summary>
    public static IReadOnlyList<object> Load(string text, string source, IReadOnlyDictionary<string, Type> typeMap)
    {
        // KubernetesYaml falls back to every built-in kind; the allowed set is checked here first.
        foreach (var (apiVersion, kind) in KindsOf(text))
        {
            Assert.True(typeMap.ContainsKey($"{apiVersion}/{kind}"),
                $"{source}: unexpected kind {kind} ({apiVersion}); expected one of {string.Join(", ", typeMap.Keys)}");
        }
        try
        {
            return KubernetesYaml.LoadAllFromString(text, typeMap.ToDictionary(kv => kv.Key, kv => kv.Value), strict: true);
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{source}: cannot load the objects strictly: {e.Message} {e.InnerException?.Message}", e);
        }
    }

    private static IEnumerable<(string ApiVersion, string Kind)> KindsOf(string text)
    {
        var parser = new YamlDotNet.Core.MergingParser(new YamlDotNet.Core.Parser(new StringReader(text)));
        var deserializer = new YamlDotNet.Serialization.DeserializerBuilder().IgnoreUnmatchedProperties().Build();
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        var kinds = new List<(string, string)>();
        while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            var doc = deserializer.Deserialize<Dictionary<string, object>>(parser);
            if (doc is null) continue;
            kinds.Add(((doc.GetValueOrDefault("apiVersion") as string) ?? "", (doc.GetValueOrDefault("kind") as string) ?? ""));
        }
        return kinds;
    }

    private static (string Text, string Source) Render()
    {
        string? kubectl = FindOnPath(OperatingSystem.IsWindows() ? "kubectl.exe" : "kubectl");
        if (kubectl is not null)
        {
            var psi = new ProcessStartInfo(kubectl)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = RepoPaths.Root,
            };
            psi.ArgumentList.Add("kustomize");
            psi.ArgumentList.Add(ManifestsDir);
            using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {kubectl}");
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
            {
                p.Kill(entireProcessTree: true);
                throw new InvalidOperationException("kubectl kustomize manifests did not finish within 120 s");
            }
            if (p.ExitCode != 0)
                throw new InvalidOperationException($"kubectl kustomize manifests failed (exit {p.ExitCode}): {stderr.Result}");
            return (stdout.Result, "kubectl kustomize manifests");
        }

        string artifact = Path.Combine(RepoPaths.Root, ArtifactPath);
        if (File.Exists(artifact))
        {
            // The base is the top level of manifests/; an older rendering would test yesterday's manifests.
            DateTime rendered = File.GetLastWriteTimeUtc(artifact);
            string[] newer = Directory.GetFiles(ManifestsDir).Where(f => File.GetLastWriteTimeUtc(f) > rendered).ToArray();
            if (newer.Length > 0)
                throw new InvalidOperationException(
                    $"{ArtifactPath} is older than {string.Join(", ", newer.Select(Path.GetFileName))}: render it again " +
                    "(mkdir -p artifacts && kubectl kustomize manifests > artifacts/manifests.yaml) or put kubectl on PATH");
            return (File.ReadAllText(artifact), ArtifactPath);
        }

        throw new InvalidOperationException(
            "cannot render manifests/: kubectl is not on PATH and artifacts/manifests.yaml does not exist. " +
            "Install kubectl (its `kubectl kustomize` works offline), or render the base elsewhere with " +
            "`kubectl kustomize manifests > artifacts/manifests.yaml` (.ci/run does this). The deployment checks cannot run without it.");
    }

    private static string? FindOnPath(string file)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, file);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
