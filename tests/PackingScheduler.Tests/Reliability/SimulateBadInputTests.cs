using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PackingScheduler.Cli;
using PackingScheduler.Tests.Cli;

namespace PackingScheduler.Tests.Reliability;

/// <summary>
/// Fuzzed bad input through `simulate` and `run`'s option parsing, in-process: every malformed
/// scenario, policy or configuration ends with exit code 2 and a message that names the file (and,
/// for scenarios, the document and the field); never an exception, never a stack trace, never a hang.
/// </summary>
[Trait("Category", "Reliability")]
public sealed partial class SimulateBadInputTests : IDisposable
{
    private const int Seed = 7_2026;
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);
    private static readonly string PolicyJson = Path.Combine(RepoPaths.Policies, "scheduler-policy.json");
    private static readonly string PackingYaml = Path.Combine(RepoPaths.Policies, "node-packing.yaml");

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"ps-fuzz-{Guid.NewGuid():N}");

    public SimulateBadInputTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"^\s+at \S+|\b[A-Z]\w+Exception\b|\bSystem\.\w+", RegexOptions.Multiline)]
    private static partial Regex StackTraceLike();

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        // Encoding.UTF8 replaces what cannot be encoded (a lone surrogate from a mutation) instead of throwing.
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    /// <summary>Runs the CLI in-process; a thrown exception is a crash, a run past <see cref="HangLimit"/> a hang.</summary>
    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        Task<(int, string, string)> run = Task.Run(() => CliRunner.Run(args));
        try
        {
            if (!run.Wait(HangLimit)) throw new TimeoutException($"hang: {string.Join(' ', args)} ran past {HangLimit}");
        }
        catch (AggregateException e)
        {
            throw new InvalidOperationException($"crash: {string.Join(' ', args)} threw {e.InnerException}", e.InnerException);
        }
        return run.Result;
    }

    /// <summary>Exit 2 with one clear line on stderr, naming each of <paramref name="mustName"/> (one of the forms given); empty when so, else what is wrong.</summary>
    private static string CheckRefused((int Code, string Stdout, string Stderr) r, params string[][] mustName)
    {
        var problems = new List<string>();
        if (r.Code != Entry.BadInput) problems.Add($"exit {r.Code}, not 2");
        if (!r.Stderr.StartsWith("error: ", StringComparison.Ordinal)) problems.Add("stderr does not start with \"error: \"");
        if (StackTraceLike().IsMatch(r.Stderr)) problems.Add("stderr looks like a stack trace");
        foreach (string[] forms in mustName)
        {
            if (!forms.Any(s => r.Stderr.Contains(s, StringComparison.Ordinal))) problems.Add($"stderr does not name \"{string.Join("\" or \"", forms)}\"");
        }
        return problems.Count == 0 ? "" : $"{string.Join("; ", problems)}: {Truncate(r.Stderr)}";
    }

    private static string CheckRefused((int Code, string Stdout, string Stderr) r, params string[] mustName) =>
        CheckRefused(r, mustName.Select(s => new[] { s }).ToArray());

    private static string Truncate(string s) => s.Length > 600 ? s[..600] + "..." : s;

    // ---- Scenarios with one generated bad object ----

    private static string Flow(JsonObject o) => o.ToJsonString();

    /// <summary>The object as block-style YAML, every scalar a double-quoted (JSON-escaped) string, number or bool.</summary>
    private static string Block(JsonObject o)
    {
        var sb = new StringBuilder();
        Emit(sb, o, 0);
        return sb.ToString();
    }

    private static void Emit(StringBuilder sb, JsonNode? node, int indent)
    {
        string pad = new(' ', indent);
        switch (node)
        {
            case JsonObject obj:
                foreach ((string key, JsonNode? value) in obj)
                {
                    sb.Append(pad).Append(JsonValue.Create(key)!.ToJsonString()).Append(':');
                    if (value is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        sb.Append('\n');
                        Emit(sb, value, indent + 2);
                    }
                    else
                    {
                        sb.Append(' ').Append(value is null ? "null" : value.ToJsonString()).Append('\n');
                    }
                }
                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                {
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        sb.Append(pad).Append("-\n");
                        Emit(sb, item, indent + 2);
                    }
                    else
                    {
                        sb.Append(pad).Append("- ").Append(item is null ? "null" : item.ToJsonString()).Append('\n');
                    }
                }
                break;
        }
    }

    private static List<JsonObject> GoodObjects() => new()
    {
        BadInputGenerator.GoodNode("wn-1", 16),
        BadInputGenerator.GoodNode("wn-2", 16),
        BadInputGenerator.GoodPod("good-1"),
        BadInputGenerator.GoodPod("good-2", cpu: "2"),
    };

    [Fact]
    public void Each_malformed_object_in_a_scenario_exits_2_naming_the_document_and_the_field()
    {
        var generator = new BadInputGenerator(Seed);
        var random = new Random(Seed);
        var cases = Enumerable.Range(0, 48).Select(generator.BadPod).Concat(Enumerable.Range(0, 8).Select(generator.BadNode)).ToList();
        var failures = new List<string>();
        int n = 0;
        foreach (BadInputGenerator.Case bad in cases)
        {
            List<JsonObject> objects = GoodObjects();
            int at = random.Next(objects.Count + 1);
            objects.Insert(at, bad.Object);
            bool block = n++ % 2 == 1;
            string text = string.Join("---\n", objects.Select(o => block ? Block(o) : Flow(o) + "\n"));
            string file = Write($"{bad.Name}.yaml", text);

            (int Code, string Stdout, string Stderr) r = Run("simulate", "-f", file, "-o", "json");
            string problem;
            if (bad.Valid)
            {
                // Representable after all (1E bytes of memory): the pod is simply unschedulable.
                problem = r.Code == 0 && r.Stdout.Contains(bad.Field, StringComparison.Ordinal) ? "" : $"exit {r.Code}, expected 0 and \"{bad.Field}\": {Truncate(r.Stderr + r.Stdout)}";
            }
            else
            {
                problem = CheckRefused(r, new[] { file }, new[] { $"document {at + 1} (" }, bad.FieldForms().ToArray());
            }
            if (problem.Length > 0) failures.Add($"{bad.Name} ({bad.Category}, {(block ? "block" : "flow")}): {problem}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases:\n" + string.Join("\n", failures));
    }

    // ---- Scenarios mutated at random ----

    private const string SmallScenario = """
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: production}
        value: 1000
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: wn-1
          labels: {kubernetes.io/hostname: wn-1, topology.kubernetes.io/zone: z1}
        spec:
          taints:
          - {key: dedicated, value: cms, effect: NoSchedule}
        status:
          allocatable: {cpu: "16", memory: 64Gi, pods: "110"}
        ---
        apiVersion: v1
        kind: Node
        metadata:
          name: wn-2
          labels: {kubernetes.io/hostname: wn-2, topology.kubernetes.io/zone: z2}
        status:
          allocatable: {cpu: "8", memory: 32Gi, pods: "110"}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: running
          namespace: atlas
          labels: {app: pilot}
        spec:
          nodeName: wn-2
          containers:
          - name: pilot
            resources: {requests: {cpu: "2", memory: 4Gi}}
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: pending
          namespace: atlas
          labels: {app: pilot}
        spec:
          priorityClassName: production
          tolerations:
          - {key: dedicated, operator: Equal, value: cms, effect: NoSchedule}
          affinity:
            podAntiAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 50
                podAffinityTerm:
                  labelSelector:
                    matchExpressions:
                    - {key: app, operator: In, values: [pilot]}
                  topologyKey: kubernetes.io/hostname
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                - matchExpressions:
                  - {key: topology.kubernetes.io/zone, operator: In, values: [z1, z2]}
          containers:
          - name: pilot
            resources:
              requests: {cpu: 500m, memory: 1Gi}
              limits: {cpu: "1"}
            ports:
            - {containerPort: 80, hostPort: 8080}
        """;

    private static readonly string[] Specials = { ":", "-", "'", "\"", "&a", "*a", "!", "|", ">", "\t", "{", "}", "[", "]", "%", "#", "?", ",", "@", "`", "\0", "\u00e9", "\ud83d", " ", "\n", "---\n", "...\n", "<<: ", "e999999", "999999999999999999999", "null", "~", "true" };

    private static string Mutate(string text, Random random)
    {
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations && text.Length > 0; m++)
        {
            int at = random.Next(text.Length);
            string[] lines = text.Split('\n');
            int line = random.Next(lines.Length);
            switch (random.Next(8))
            {
                case 0: text = text.Remove(at, Math.Min(random.Next(1, 20), text.Length - at)); break;
                case 1: text = text.Insert(at, Specials[random.Next(Specials.Length)]); break;
                case 2: text = text.Remove(at, 1).Insert(at, Specials[random.Next(Specials.Length)]); break;
                case 3: text = string.Join('\n', lines.Take(line + 1).Append(lines[line]).Concat(lines.Skip(line + 1))); break;
                case 4: text = string.Join('\n', lines.Where((_, i) => i != line)); break;
                case 5: lines[line] = (random.Next(2) == 0 ? "  " : "\t") + lines[line]; text = string.Join('\n', lines); break;
                case 6: lines[line] = lines[line].TrimStart(); text = string.Join('\n', lines); break;
                default: text = text[..at]; break;
            }
        }
        return text;
    }

    [Fact]
    public void Randomly_mutated_scenarios_either_run_or_exit_2_and_never_crash()
    {
        (int code, _, string stderr) = Run("simulate", "-f", Write("base.yaml", SmallScenario));
        Assert.True(code == 0, stderr);

        var random = new Random(Seed);
        var failures = new List<string>();
        int refused = 0;
        for (int i = 0; i < 300; i++)
        {
            string text = Mutate(SmallScenario, random);
            string file = Write($"mutant-{i:D3}.yaml", text);
            (int Code, string Stdout, string Stderr) r = Run("simulate", "-f", file, "-o", "json");
            if (r.Code == 0) continue;
            refused++;
            string problem = CheckRefused(r, file);
            if (problem.Length > 0) failures.Add($"mutant-{i:D3}: {problem}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(refused > 100, $"only {refused} of 300 mutants were refused: the mutations are too gentle to test anything");
    }

    // ---- Hostile YAML ----

    public static TheoryData<string, string> HostileScenarios()
    {
        string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
        for (int i = 0; i < 9; i++) bomb += $"{(char)('b' + i)}: &{(char)('b' + i)} [*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)}]\n";
        string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n";
        return new TheoryData<string, string>
        {
            { "alias bomb", "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n" + bomb },
            { "alias bomb in a pod", pod + "    resources:\n      requests:\n        x: &x [1,2]\n        y: [*x,*x,*x,*x]\n" },
            { "deeply nested flow sequences", "apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: " + new string('[', 5000) + new string(']', 5000) + "\n" },
            { "deeply nested block mappings", "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n" + string.Concat(Enumerable.Range(0, 2000).Select(i => new string(' ', i) + $"k{i}:\n")) },
            // Digits were accumulated one by one, in quadratic time: a million took minutes.
            { "a quantity of a million digits", pod + "    resources: {requests: {cpu: \"" + new string('9', 1_000_000) + "\"}}\n" },
            { "a quantity with a 200000-character suffix", pod + "    resources: {requests: {cpu: \"1" + new string('x', 200_000) + "\"}}\n" },
            { "ten thousand empty documents", string.Concat(Enumerable.Repeat("---\n", 10_000)) + "apiVersion: v1\nkind: Nope\nmetadata: {name: x}\n" },
            { "a NUL byte", "apiVersion: v1\nkind: Node\nmetadata: {name: \"a\0b\"}\n\0\n" },
            { "a custom tag", "apiVersion: v1\nkind: Node\nmetadata: !custom {name: n}\n" },
            { "a binary tag", "apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {allocatable: {cpu: !!binary aGVsbG8=}}\n" },
            { "duplicate keys", "apiVersion: v1\nkind: Node\nkind: Pod\nmetadata: {name: n}\n" },
            { "a merge key to nothing", "apiVersion: v1\nkind: Node\nmetadata:\n  <<: *missing\n  name: n\n" },
            { "tabs for indentation", "apiVersion: v1\nkind: Node\nmetadata:\n\tname: n\n" },
            { "an unterminated quote", "apiVersion: v1\nkind: Node\nmetadata: {name: \"n}\n" },
            { "a lone surrogate", "apiVersion: v1\nkind: Node\nmetadata: {name: \"\\ud800\"}\n" },
        };
    }

    [Theory]
    [MemberData(nameof(HostileScenarios))]
    public void Hostile_yaml_exits_2_with_a_message_not_a_crash(string what, string text)
    {
        string file = Write("hostile.yaml", text);
        (int Code, string Stdout, string Stderr) r = Run("simulate", "-f", file);
        string problem = CheckRefused(r, file);
        Assert.True(problem.Length == 0, $"{what}: {problem}");
    }

    public static TheoryData<string, string> OddButReadableScenarios() => new()
    {
        // No object at all: nothing to schedule.
        { "only a directive", "%YAML 1.1\n---\n" },
        { "only comments", "# nothing\n---\n# here\n" },
        // Names are not validated as DNS names (the API server would refuse this one); it runs, slowly or not.
        { "a megabyte name", $"apiVersion: v1\nkind: Node\nmetadata: {{name: {new string('n', 1 << 20)}}}\nstatus: {{allocatable: {{cpu: \"1\"}}}}\n" },
    };

    [Theory]
    [MemberData(nameof(OddButReadableScenarios))]
    public void Odd_but_readable_yaml_runs_or_exits_2_and_never_crashes(string what, string text)
    {
        string file = Write("odd.yaml", text);
        (int Code, string Stdout, string Stderr) r = Run("simulate", "-f", file);
        string problem = r.Code == 0 ? "" : CheckRefused(r, file);
        Assert.True(problem.Length == 0, $"{what}: {problem}");
    }

    // ---- Policy and configuration files ----

    public static TheoryData<string, string, string> MalformedPolicies() => new()
    {
        { "empty", "", "" },
        { "not JSON", "kind: Policy", "" },
        { "truncated", File.ReadAllText(PolicyJson)[..120], "" },
        { "a list", "[1,2,3]", "" },
        { "unknown predicate", File.ReadAllText(PolicyJson).Replace("NoDiskConflict", "NoDiskConflicts"), "NoDiskConflicts" },
        { "unknown priority", File.ReadAllText(PolicyJson).Replace("MostRequestedPriority", "MostRequested"), "MostRequested" },
        { "negative weight", File.ReadAllText(PolicyJson).Replace("\"weight\": 2", "\"weight\": -2"), "weight" },
        { "huge weight", File.ReadAllText(PolicyJson).Replace("\"weight\": 2", "\"weight\": 1e40"), "weight" },
        { "weights that overflow together", File.ReadAllText(PolicyJson).Replace("\"weight\": 1", "\"weight\": 92233720368547757").Replace("\"weight\": 2", "\"weight\": 92233720368547757"), "weight" },
        { "weight as a string", File.ReadAllText(PolicyJson).Replace("\"weight\": 2", "\"weight\": \"2\""), "weight" },
        { "weight null", File.ReadAllText(PolicyJson).Replace("\"weight\": 2", "\"weight\": null"), "weight" },
        { "name a number", File.ReadAllText(PolicyJson).Replace("\"GeneralPredicates\"", "7"), "name" },
        { "predicates an object", "{\"kind\": \"Policy\", \"apiVersion\": \"v1\", \"predicates\": {\"name\": \"GeneralPredicates\"}}", "predicates" },
        { "null predicate", File.ReadAllText(PolicyJson).Replace("{ \"name\": \"NoDiskConflict\" }", "null"), "predicates" },
        { "wrong kind", File.ReadAllText(PolicyJson).Replace("\"Policy\"", "\"Polici\""), "Polici" },
        { "nested 10000 deep", "{\"kind\":\"Policy\",\"apiVersion\":\"v1\",\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}", "" },
        { "a NUL byte", "{\"kind\":\"Policy\",\0}", "" },
        { "a byte order mark and garbage", "\ufeff\u00ff\u00fe{", "" },
    };

    [Theory]
    [MemberData(nameof(MalformedPolicies))]
    public void A_malformed_policy_file_is_a_clear_error_in_simulate_and_run(string what, string text, string mustName)
    {
        string file = Write("policy.json", text);
        string scenario = Write("scenario.yaml", SmallScenario);
        string[] names = mustName.Length == 0 ? new[] { file } : new[] { file, mustName };

        string simulate = CheckRefused(Run("simulate", "-f", scenario, "--policy-config-file", file), names);
        Assert.True(simulate.Length == 0, $"{what}: simulate: {simulate}");
        string run = CheckParseOptions("--policy-config-file", file, names);
        Assert.True(run.Length == 0, $"{what}: run: {run}");
    }

    public static TheoryData<string, string, string> MalformedConfigurations()
    {
        string yaml = File.ReadAllText(PackingYaml);
        return new TheoryData<string, string, string>
        {
            { "empty", "", "" },
            { "a scalar", "hello", "" },
            { "truncated", yaml[..(yaml.IndexOf("profiles:", StringComparison.Ordinal) + 30)], "" },
            { "wrong apiVersion", yaml.Replace("kubescheduler.config.k8s.io/v1", "kubescheduler.config.k8s.io/v9"), "v9" },
            { "unknown plugin", yaml.Replace("name: InterPodAffinity\n        weight: 2", "name: InterPodAffinities\n        weight: 2"), "InterPodAffinities" },
            { "percentage over 100", yaml.Replace("percentageOfNodesToScore: 100", "percentageOfNodesToScore: 101"), "percentageOfNodesToScore" },
            { "percentage a string", yaml.Replace("percentageOfNodesToScore: 100", "percentageOfNodesToScore: lots"), "percentageOfNodesToScore" },
            { "percentage huge", yaml.Replace("percentageOfNodesToScore: 100", "percentageOfNodesToScore: 1e400"), "percentageOfNodesToScore" },
            { "negative score weight", yaml.Replace("weight: 2", "weight: -2"), "weight" },
            { "weight past int", yaml.Replace("weight: 2", "weight: 99999999999"), "weight" },
            { "unknown scoring strategy", yaml.Replace("type: MostAllocated", "type: MostAllocatedish"), "MostAllocatedish" },
            { "bad lease duration", yaml.Replace("leaderElect: true", "leaderElect: true\n  leaseDuration: soon"), "leaseDuration" },
            { "profiles not a list", yaml[..yaml.IndexOf("profiles:", StringComparison.Ordinal)] + "profiles: {a: b}\n", "profiles" },
            { "no profiles", yaml[..yaml.IndexOf("profiles:", StringComparison.Ordinal)] + "profiles: []\n", "" },
            { "null profile", yaml[..yaml.IndexOf("profiles:", StringComparison.Ordinal)] + "profiles: [null]\n", "profiles" },
            { "tab indentation", yaml.Replace("  leaderElect: true", "\tleaderElect: true"), "" },
            { "alias bomb", yaml + "x: &a [1,1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n", "" },
            { "nested 5000 deep", yaml + "x: " + new string('[', 5000) + new string(']', 5000) + "\n", "" },
            { "a NUL byte", yaml.Replace("kind:", "ki\0nd:"), "" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedConfigurations))]
    public void A_malformed_configuration_file_is_a_clear_error_in_simulate_and_run(string what, string text, string mustName)
    {
        string file = Write("config.yaml", text);
        string scenario = Write("scenario.yaml", SmallScenario);
        string[] names = mustName.Length == 0 ? new[] { file } : new[] { file, mustName };

        string simulate = CheckRefused(Run("simulate", "-f", scenario, "--config", file), names);
        Assert.True(simulate.Length == 0, $"{what}: simulate: {simulate}");
        string run = CheckParseOptions("--config", file, names);
        Assert.True(run.Length == 0, $"{what}: run: {run}");
    }

    [Fact]
    public void Randomly_mutated_policies_and_configurations_never_crash()
    {
        var random = new Random(Seed);
        string scenario = Write("scenario.yaml", SmallScenario);
        var failures = new List<string>();
        foreach ((string flag, string source) in new[] { ("--policy-config-file", PolicyJson), ("--config", PackingYaml) })
        {
            string original = File.ReadAllText(source);
            for (int i = 0; i < 120; i++)
            {
                string file = Write($"mutant-{i:D3}{Path.GetExtension(source)}", Mutate(original, random));
                (int Code, string Stdout, string Stderr) r = Run("simulate", "-f", scenario, flag, file);
                if (r.Code != 0 && CheckRefused(r, file) is { Length: > 0 } simulate) failures.Add($"{flag} mutant-{i:D3}: simulate: {simulate}");
                string run = CheckParseOptions(flag, file, new[] { file }, acceptSuccess: true);
                if (run.Length > 0) failures.Add($"{flag} mutant-{i:D3}: run: {run}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>`run`'s option parsing: a UsageException naming <paramref name="mustName"/>, nothing else (or success, if accepted).</summary>
    private static string CheckParseOptions(string flag, string file, string[] mustName, bool acceptSuccess = false)
    {
        // The lease flags keep a configuration's own leader-election timings from mattering here.
        Task<string> parse = Task.Run(() =>
        {
            try
            {
                RunCommand.ParseOptions(new[] { flag, file, "--leader-elect=false" });
                return acceptSuccess ? "" : "accepted";
            }
            catch (UsageException e)
            {
                string missing = string.Join(", ", mustName.Where(s => !e.Message.Contains(s, StringComparison.Ordinal)));
                return missing.Length == 0 ? "" : $"the message does not name {missing}: {Truncate(e.Message)}";
            }
            catch (Exception e)
            {
                return $"crash: {e}";
            }
        });
        return parse.Wait(HangLimit) ? parse.Result : $"hang past {HangLimit}";
    }
}
