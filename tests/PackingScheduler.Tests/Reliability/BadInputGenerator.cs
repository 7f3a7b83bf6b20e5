using System.Text.Json.Nodes;

namespace PackingScheduler.Tests.Reliability;

/// <summary>
/// Seeded generator of malformed pods and nodes, as JSON objects (which are also YAML): each bad
/// pod carries the field a correct error message must name. Categories: malformed quantities,
/// huge and negative numbers, invalid selector and toleration operators, missing fields, odd
/// label values, affinity terms by the thousand, unsupported resource names, out-of-range ports
/// and weights. Everything is derived from the seed, so a failure names a reproducible case.
/// </summary>
internal sealed class BadInputGenerator
{
    public const string SchedulerName = "node-packing-scheduler";

    private readonly Random _random;

    public BadInputGenerator(int seed) => _random = new Random(seed);

    /// <summary>A pod (or node) and, for a pod, the field path its error must name.</summary>
    public sealed record Case(string Category, string Name, JsonObject Object, string Field)
    {
        /// <summary>Valid but unschedulable: <see cref="Field"/> is then the reason the message must give.</summary>
        public bool Valid { get; init; }

        /// <summary>Another correct name for the field: simulate names a defaulted request by the limit it came from.</summary>
        public string? AltField { get; init; }

        /// <summary>
        /// The ways a message may name the field: as given, or with a last key that holds '/' or '.'
        /// in brackets (simulate writes requests[example.com/gpu], the live path requests.example.com/gpu).
        /// </summary>
        public IEnumerable<string> FieldForms()
        {
            foreach (string f in AltField is null ? new[] { Field } : new[] { Field, AltField })
            {
                yield return f;
                int requests = Math.Max(f.LastIndexOf(".requests.", StringComparison.Ordinal), f.LastIndexOf(".limits.", StringComparison.Ordinal));
                if (requests < 0) continue;
                int keyAt = f.IndexOf('.', requests + 1) + 1;
                yield return $"{f[..(keyAt - 1)]}[{f[keyAt..]}]";
            }
        }
    }

    private static readonly string[] MalformedQuantities =
    {
        "abc", "1Zi", "", " ", "--1", "1..5", "0x10", "+", ".", "e3", "1e", "1e999999", "1e-999999", "Infinity", "NaN",
        "5 m", "1,5", "\u0663", "1\u00a0Gi", "1mm", "1KiB", "\u2212" + "1", "1e+", "12Ki3",
    };

    private static readonly string[] HugeQuantities =
    {
        "1e40", "99999999999999999999", "9223372036854775807", "9999Ei", "18446744073709551616", "1E", "10E", "-1", "-500m", "-0.001",
    };

    private static readonly string[] BadOperators = { "Sometimes", "in", "IN", "", "Equals", "==", "!", "Exist", "NotExists", "\u00c9xists", "In ", "Gte" };

    private static readonly string[] BadLabelValues =
    {
        "has space", new string('a', 64), "-leading", "trailing-", "\u00fcn\u00efcode", "a/b", "a:b", "\u0000", "*", "a..b!", "\ud83d\ude00",
    };

    public static JsonObject GoodPod(string name, string cpu = "1", string ns = "atlas") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["app"] = "pilot" } },
        ["spec"] = new JsonObject
        {
            ["schedulerName"] = SchedulerName,
            ["containers"] = new JsonArray(Container("pilot", cpu)),
        },
    };

    private static JsonObject Container(string name, string cpu) => new()
    {
        ["name"] = name,
        ["image"] = "atlas/pilot",
        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu, ["memory"] = "1Gi" } },
    };

    public static JsonObject GoodNode(string name, int cores) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = name, ["topology.kubernetes.io/zone"] = "z1" } },
        ["status"] = new JsonObject
        {
            ["allocatable"] = new JsonObject { ["cpu"] = cores.ToString(), ["memory"] = $"{cores * 4}Gi", ["pods"] = "110" },
        },
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private static JsonObject Spec(JsonObject pod) => (JsonObject)pod["spec"]!;

    private JsonObject Affinity(JsonObject pod) => (JsonObject)(Spec(pod)["affinity"] ??= new JsonObject());

    /// <summary>A label selector requirement that is valid, for padding before the bad one.</summary>
    private JsonObject GoodRequirement(int i) => (i % 3) switch
    {
        0 => new JsonObject { ["key"] = $"k{i}", ["operator"] = "In", ["values"] = new JsonArray("a", "b") },
        1 => new JsonObject { ["key"] = $"k{i}", ["operator"] = "NotIn", ["values"] = new JsonArray("c") },
        _ => new JsonObject { ["key"] = $"k{i}", ["operator"] = "DoesNotExist" },
    };

    private static JsonObject Term(JsonArray expressions, string? topologyKey = "kubernetes.io/hostname")
    {
        var term = new JsonObject { ["labelSelector"] = new JsonObject { ["matchExpressions"] = expressions } };
        if (topologyKey is not null) term["topologyKey"] = topologyKey;
        return term;
    }

    /// <summary>Bad pod number <paramref name="i"/>: the category cycles, the details are random.</summary>
    public Case BadPod(int i)
    {
        string name = $"bad-{i:D3}";
        JsonObject pod = GoodPod(name);
        JsonObject spec = Spec(pod);
        const string nodeTerms = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
        switch (i % 12)
        {
            case 0:
            {
                // A malformed quantity, as a string or as some other JSON value, in a request or (defaulting the request) a limit.
                int c = _random.Next(2);
                if (c == 1) ((JsonArray)spec["containers"]!).Add(Container("sidecar", "100m"));
                string resource = _random.Next(2) == 0 ? "cpu" : "memory";
                JsonNode value = _random.Next(5) switch
                {
                    0 => JsonValue.Create(true),
                    1 => new JsonObject { ["value"] = "1" },
                    2 => new JsonArray("1"),
                    _ => JsonValue.Create(Pick(MalformedQuantities)),
                };
                JsonObject resources = (JsonObject)spec["containers"]![c]!["resources"]!;
                string field = $"spec.containers[{c}].resources.requests.{resource}";
                if (_random.Next(3) == 0)
                {
                    ((JsonObject)resources["requests"]!).Remove(resource);
                    resources["limits"] = new JsonObject { [resource] = value };
                    return new Case("malformed quantity", name, pod, field) { AltField = $"spec.containers[{c}].resources.limits.{resource}" };
                }
                resources["requests"]![resource] = value;
                return new Case("malformed quantity", name, pod, field);
            }
            case 1:
            {
                string resource = Pick(new[] { "cpu", "memory", "ephemeral-storage", "example.com/gpu" });
                // Every fourth one is a number of a million digits.
                string quantity = i / 12 % 4 == 3 ? new string('9', 1_000_000) : Pick(HugeQuantities);
                spec["containers"]![0]!["resources"]!["requests"]![resource] = quantity;
                // Some are representable (1E bytes of memory): then the pod is valid and fits nowhere.
                bool valid = resource == "cpu"
                    ? Core.Model.Quantity.TryParseMilli(quantity, out _, out _)
                    : Core.Model.Quantity.TryParseValue(quantity, out _, out _);
                return valid
                    ? new Case("huge number", name, pod, $"Insufficient {resource}") { Valid = true }
                    : new Case("huge or negative number", name, pod, $"spec.containers[0].resources.requests.{resource}");
            }
            case 2:
            {
                int before = _random.Next(4);
                var exprs = new JsonArray();
                for (int j = 0; j < before; j++) exprs.Add(GoodRequirement(j));
                exprs.Add(new JsonObject { ["key"] = "zone", ["operator"] = Pick(BadOperators), ["values"] = new JsonArray("z1") });
                Affinity(pod)["nodeAffinity"] = new JsonObject
                {
                    ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
                    {
                        ["nodeSelectorTerms"] = new JsonArray(new JsonObject { ["matchExpressions"] = exprs }),
                    },
                };
                return new Case("invalid node selector operator", name, pod, $"{nodeTerms}[0].matchExpressions[{before}].operator");
            }
            case 3:
            {
                // Gt and Lt are node-selector operators only: in a label selector they are invalid too.
                string op = Pick(new[] { "Gt", "Lt", Pick(BadOperators) });
                string kind = _random.Next(2) == 0 ? "podAffinity" : "podAntiAffinity";
                var exprs = new JsonArray(new JsonObject { ["key"] = "app", ["operator"] = op, ["values"] = new JsonArray("1") });
                Affinity(pod)[kind] = new JsonObject { ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(Term(exprs)) };
                return new Case("invalid label selector operator", name, pod,
                    $"spec.affinity.{kind}.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].operator");
            }
            case 4:
            {
                int before = _random.Next(3);
                var tolerations = new JsonArray();
                for (int j = 0; j < before; j++) tolerations.Add(new JsonObject { ["key"] = $"t{j}", ["operator"] = "Exists" });
                (JsonObject bad, string field) = _random.Next(3) switch
                {
                    0 => (new JsonObject { ["key"] = "k", ["operator"] = Pick(BadOperators), ["value"] = "v" }, "operator"),
                    1 => (new JsonObject { ["key"] = "k", ["operator"] = "Equal", ["value"] = "v", ["effect"] = Pick(new[] { "NoScheduled", "noschedule", "Never", " " }) }, "effect"),
                    _ => (new JsonObject { ["key"] = "k", ["operator"] = "Exists", ["value"] = "v" }, "value"),
                };
                tolerations.Add(bad);
                spec["tolerations"] = tolerations;
                return new Case("invalid toleration", name, pod, $"spec.tolerations[{before}].{field}");
            }
            case 5:
            {
                switch (_random.Next(6))
                {
                    case 0:
                        spec.Remove("containers");
                        return new Case("missing field", name, pod, "spec.containers");
                    case 1:
                        spec["containers"] = new JsonArray();
                        return new Case("missing field", name, pod, "spec.containers");
                    case 2:
                        Affinity(pod)["podAffinity"] = new JsonObject
                        {
                            ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(Term(new JsonArray(GoodRequirement(0)), topologyKey: null)),
                        };
                        return new Case("missing field", name, pod, "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey");
                    case 3:
                        Affinity(pod)["nodeAffinity"] = new JsonObject
                        {
                            ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject { ["nodeSelectorTerms"] = new JsonArray() },
                        };
                        return new Case("missing field", name, pod, nodeTerms);
                    case 4:
                        Affinity(pod)["nodeAffinity"] = new JsonObject
                        {
                            ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
                            {
                                ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                                {
                                    ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "zone", ["operator"] = Pick(new[] { "In", "NotIn" }) }),
                                }),
                            },
                        };
                        return new Case("missing field", name, pod, $"{nodeTerms}[0].matchExpressions[0].values");
                    default:
                        spec["tolerations"] = new JsonArray(new JsonObject { ["operator"] = "Equal", ["value"] = "v" });
                        return new Case("missing field", name, pod, "spec.tolerations[0].operator");
                }
            }
            case 6:
            {
                string value = Pick(BadLabelValues);
                var exprs = new JsonArray(new JsonObject { ["key"] = "app", ["operator"] = "In", ["values"] = new JsonArray("ok", value) });
                if (_random.Next(2) == 0)
                {
                    Affinity(pod)["podAntiAffinity"] = new JsonObject { ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(Term(exprs)) };
                    return new Case("odd label value", name, pod,
                        "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].values[1]");
                }
                Affinity(pod)["nodeAffinity"] = new JsonObject
                {
                    ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
                    {
                        ["nodeSelectorTerms"] = new JsonArray(new JsonObject { ["matchExpressions"] = exprs }),
                    },
                };
                return new Case("odd label value", name, pod, $"{nodeTerms}[0].matchExpressions[0].values[1]");
            }
            case 7:
            {
                // Affinity terms by the thousand, one of them bad.
                int count = _random.Next(1000, 3000);
                int badAt = _random.Next(count);
                bool badWeight = _random.Next(2) == 0;
                var terms = new JsonArray();
                for (int j = 0; j < count; j++)
                {
                    var exprs = new JsonArray(new JsonObject
                    {
                        ["key"] = $"k{j}",
                        ["operator"] = j == badAt && !badWeight ? Pick(BadOperators) : "Exists",
                    });
                    terms.Add(new JsonObject { ["weight"] = j == badAt && badWeight ? Pick(new[] { 0, 101, -1, int.MaxValue }) : 1 + j % 100, ["podAffinityTerm"] = Term(exprs) });
                }
                Affinity(pod)["podAffinity"] = new JsonObject { ["preferredDuringSchedulingIgnoredDuringExecution"] = terms };
                string at = $"spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[{badAt}]";
                return new Case("thousands of affinity terms", name, pod, badWeight ? at + ".weight" : at + ".podAffinityTerm.labelSelector.matchExpressions[0].operator");
            }
            case 8:
            {
                string resource = Pick(new[] { "gpu", "cpus", "Memory", "nvidia.com gpu", "storage" });
                spec["containers"]![0]!["resources"]!["requests"]![resource] = "1";
                return new Case("unsupported resource name", name, pod, $"spec.containers[0].resources.requests.{resource}");
            }
            case 9:
            {
                bool badPort = _random.Next(2) == 0;
                var port = new JsonObject { ["containerPort"] = 8080, ["hostPort"] = badPort ? Pick(new[] { 65536, 70000, int.MaxValue }) : 8080 };
                if (!badPort) port["protocol"] = Pick(new[] { "HTTP", "tcp", "QUIC" });
                spec["containers"]![0]!["ports"] = new JsonArray(port);
                return new Case("out-of-range port", name, pod, badPort ? "spec.containers[0].ports[0].hostPort" : "spec.containers[0].ports[0].protocol");
            }
            case 11:
            {
                // A null where an object is required, in a list (which no real API server would store).
                switch (_random.Next(6))
                {
                    case 0:
                        spec["tolerations"] = new JsonArray(new JsonObject { ["operator"] = "Exists" }, null);
                        return new Case("null entry", name, pod, "spec.tolerations[1]");
                    case 1:
                        spec["containers"] = new JsonArray(null, Container("pilot", "1"));
                        return new Case("null entry", name, pod, "spec.containers[0]");
                    case 2:
                        Affinity(pod)["nodeAffinity"] = new JsonObject
                        {
                            ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject { ["nodeSelectorTerms"] = new JsonArray((JsonNode?)null) },
                        };
                        return new Case("null entry", name, pod, $"{nodeTerms}[0]");
                    case 3:
                        Affinity(pod)["nodeAffinity"] = new JsonObject
                        {
                            ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
                            {
                                ["nodeSelectorTerms"] = new JsonArray(new JsonObject { ["matchExpressions"] = new JsonArray(GoodRequirement(0), null) }),
                            },
                        };
                        return new Case("null entry", name, pod, $"{nodeTerms}[0].matchExpressions[1]");
                    case 4:
                        Affinity(pod)["podAntiAffinity"] = new JsonObject { ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray((JsonNode?)null) };
                        return new Case("null entry", name, pod, "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]");
                    default:
                        Affinity(pod)["podAffinity"] = new JsonObject
                        {
                            ["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(Term(new JsonArray(null, GoodRequirement(1)))),
                        };
                        return new Case("null entry", name, pod, "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0]");
                }
            }
            default:
            {
                Affinity(pod)["nodeAffinity"] = new JsonObject
                {
                    ["preferredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(new JsonObject
                    {
                        ["weight"] = Pick(new[] { 0, 101, -5, int.MinValue }),
                        ["preference"] = new JsonObject { ["matchExpressions"] = new JsonArray(GoodRequirement(0)) },
                    }),
                };
                return new Case("out-of-range weight", name, pod, "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight");
            }
        }
    }

    /// <summary>A node the scheduler must ignore (or, with no resources, can put nothing on).</summary>
    public Case BadNode(int i)
    {
        string name = $"bad-node-{i:D2}";
        JsonObject node = GoodNode(name, 64);
        JsonObject allocatable = (JsonObject)node["status"]!["allocatable"]!;
        switch (i % 4)
        {
            case 0:
                allocatable["cpu"] = _random.Next(3) switch { 0 => JsonValue.Create(true), 1 => new JsonObject(), _ => JsonValue.Create(Pick(MalformedQuantities)) };
                return new Case("malformed allocatable", name, node, "status.allocatable.cpu");
            case 1:
                allocatable["cpu"] = Pick(new[] { "1e40", "99999999999999999999", "-4" });
                return new Case("huge allocatable", name, node, "status.allocatable.cpu");
            case 2:
                node["spec"] = new JsonObject
                {
                    ["taints"] = new JsonArray(_random.Next(2) == 0
                        ? new JsonObject { ["key"] = "k", ["effect"] = Pick(new[] { "NoScheduled", "", "Sometimes" }) }
                        : new JsonObject { ["value"] = "v", ["effect"] = "NoSchedule" }),
                };
                return new Case("invalid taint", name, node, "spec.taints[0]");
            default:
                allocatable["memory"] = Pick(MalformedQuantities);
                return new Case("malformed allocatable", name, node, "status.allocatable.memory");
        }
    }
}
