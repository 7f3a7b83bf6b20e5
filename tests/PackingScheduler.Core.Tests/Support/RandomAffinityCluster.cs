using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Tests.Support;

/// <summary>
/// Seeded random clusters for property tests of the affinity index and the engine: a few
/// namespaces (labelled, unlabelled, one pods use but the cluster does not know), nodes with
/// hostname / zone / region labels (some without zone), pods with app / tier labels and every
/// kind of pod (anti-)affinity term (In, NotIn, Exists, DoesNotExist, empty and null selectors,
/// namespaces lists and namespaceSelectors, three topology keys), and random mutations:
/// pods added and removed, nodes relabelled, removed and added back.
/// </summary>
public sealed class RandomAffinityCluster
{
    private static readonly string[] Namespaces = { "ns-a", "ns-b", "ns-c", "ns-ghost" };
    private static readonly string[] TopologyKeys = { "kubernetes.io/hostname", "zone", "region" };
    private static readonly string[] Apps = { "a0", "a1", "a2", "a3" };

    private readonly Random _random;
    private readonly List<string> _nodeNames = new();
    private int _seq;

    public RandomAffinityCluster(int seed, int nodes = 12, double termProbability = 0.4, int cpuMilli = 8000)
    {
        _random = new Random(seed);
        TermProbability = termProbability;
        CpuMilli = cpuMilli;
        State = new ClusterState(Interner);
        State.SetNamespace("ns-a", new Dictionary<string, string> { ["team"] = "x" });
        State.SetNamespace("ns-b", new Dictionary<string, string> { ["team"] = "y" });
        State.SetNamespace("ns-c", null);
        for (int i = 0; i < nodes; i++)
        {
            string name = $"n{i:D3}";
            _nodeNames.Add(name);
            State.AddOrUpdateNode(NewNode(name));
        }
    }

    public Interner Interner { get; } = new();
    public ClusterState State { get; }
    public double TermProbability { get; }
    public int CpuMilli { get; }
    public Random Random => _random;

    public NodeInfo NewNode(string name)
    {
        var labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name, ["region"] = $"r{_random.Next(2)}" };
        if (_random.Next(5) != 0) labels["zone"] = $"z{_random.Next(3)}";
        return new NodeInfo(name, Interner.Intern(name))
        {
            Labels = LabelSet.From(labels, Interner),
            Allocatable = new ResourceAmounts(CpuMilli, 32L << 30, 0),
            AllowedPodNumber = 110,
            Unschedulable = _random.Next(12) == 0,
            Taints = _random.Next(8) switch
            {
                0 => new[] { new Taint(Interner.Intern("soft"), Interner.Intern("yes"), TaintEffect.PreferNoSchedule) },
                1 => new[] { new Taint(Interner.Intern("dedicated"), Interner.Intern("cms"), TaintEffect.NoSchedule) },
                2 => new[]
                {
                    new Taint(Interner.Intern("soft"), Interner.Intern("yes"), TaintEffect.PreferNoSchedule),
                    new Taint(Interner.Intern("soft2"), Interner.Intern("yes"), TaintEffect.PreferNoSchedule),
                },
                _ => Array.Empty<Taint>(),
            },
        };
    }

    /// <summary>A pod with random labels and terms; bound to a random node (or one that does not exist) when <paramref name="bound"/>.</summary>
    public PodInfo NewPod(bool bound)
    {
        string ns = Namespaces[_random.Next(Namespaces.Length)];
        var labels = new Dictionary<string, string>();
        if (_random.Next(6) != 0) labels["app"] = Apps[_random.Next(Apps.Length)];
        if (_random.Next(2) == 0) labels["tier"] = _random.Next(2) == 0 ? "t0" : "t1";
        int nsId = Interner.Intern(ns);
        long cpu = 100 * (1 + _random.Next(10));
        return new PodInfo
        {
            Name = $"p{++_seq}",
            Priority = _random.Next(3),
            NamespaceName = ns,
            Namespace = nsId,
            Labels = LabelSet.From(labels, Interner),
            NodeName = bound ? (_random.Next(15) == 0 ? "ghost" : _nodeNames[_random.Next(_nodeNames.Count)]) : null,
            Request = new ResourceAmounts(cpu, 1L << 30, 0),
            NonZeroMilliCpu = cpu,
            NonZeroMemory = 1L << 30,
            Tolerations = _random.Next(5) switch
            {
                0 => new[] { new Toleration(Interner.Intern("dedicated"), TolerationOperator.Equal, Interner.Intern("cms"), TaintEffect.NoSchedule) },
                1 => new[] { new Toleration(Interner.Intern("soft"), TolerationOperator.Exists, Interner.None, TaintEffect.None) },
                2 => new[] { new Toleration(Interner.None, TolerationOperator.Exists, Interner.None, TaintEffect.None) },
                _ => Array.Empty<Toleration>(),
            },
            RequiredAffinityTerms = Terms(nsId, required: true),
            RequiredAntiAffinityTerms = Terms(nsId, required: true),
            PreferredAffinityTerms = Terms(nsId, required: false),
            PreferredAntiAffinityTerms = Terms(nsId, required: false),
        };
    }

    private AffinityTerm[] Terms(int ownNamespace, bool required)
    {
        if (_random.NextDouble() >= TermProbability) return Array.Empty<AffinityTerm>();
        var terms = new AffinityTerm[1 + (_random.Next(4) == 0 ? 1 : 0)];
        for (int i = 0; i < terms.Length; i++) terms[i] = Term(ownNamespace, required ? 0 : 1 + _random.Next(100));
        return terms;
    }

    private AffinityTerm Term(int ownNamespace, int weight)
    {
        int app = Interner.Intern("app"), tier = Interner.Intern("tier");
        int[] Values(params string[] v) => v.Select(Interner.Intern).Order().ToArray();
        LabelSelector selector = _random.Next(10) switch
        {
            0 => LabelSelector.Everything,
            1 => LabelSelector.Nothing,
            2 => new LabelSelector(new[] { new SelectorRequirement(app, SelectorOperator.In, Values(Apps[_random.Next(4)], Apps[_random.Next(4)]).Distinct().ToArray()) }),
            3 => new LabelSelector(new[] { new SelectorRequirement(app, SelectorOperator.NotIn, Values(Apps[_random.Next(4)])) }),
            4 => new LabelSelector(new[] { new SelectorRequirement(tier, SelectorOperator.Exists, Array.Empty<int>()) }),
            5 => new LabelSelector(new[]
            {
                new SelectorRequirement(tier, SelectorOperator.In, Values("t0")),
                new SelectorRequirement(app, SelectorOperator.In, Values(Apps[_random.Next(4)])),
            }),
            6 => new LabelSelector(new[] { new SelectorRequirement(tier, SelectorOperator.DoesNotExist, Array.Empty<int>()) }),
            _ => new LabelSelector(new[] { new SelectorRequirement(app, SelectorOperator.In, Values(Apps[_random.Next(4)])) }),
        };
        int[] namespaces;
        LabelSelector nsSelector;
        switch (_random.Next(5))
        {
            case 0:
                namespaces = Array.Empty<int>();
                nsSelector = LabelSelector.Everything;
                break;
            case 1:
                namespaces = Array.Empty<int>();
                nsSelector = new LabelSelector(new[] { new SelectorRequirement(Interner.Intern("team"), SelectorOperator.In, Values("x")) });
                break;
            case 2:
                namespaces = new[] { Interner.Intern(Namespaces[_random.Next(Namespaces.Length)]) };
                nsSelector = new LabelSelector(new[] { new SelectorRequirement(Interner.Intern("team"), SelectorOperator.In, Values("y")) });
                break;
            case 3:
                namespaces = Values(Namespaces[_random.Next(Namespaces.Length)], Namespaces[_random.Next(Namespaces.Length)]).Distinct().ToArray();
                nsSelector = LabelSelector.Nothing;
                break;
            default:
                namespaces = new[] { ownNamespace };
                nsSelector = LabelSelector.Nothing;
                break;
        }
        return new AffinityTerm(selector, namespaces, nsSelector, Interner.Intern(TopologyKeys[_random.Next(TopologyKeys.Length)]), weight);
    }

    /// <summary>Keys of the pods nominated so far (some may have been dropped).</summary>
    public IEnumerable<string> NominatedKeys() => _nominated.Where(k => State.FindNominated(k) is not null);

    private readonly List<string> _nominated = new();

    /// <summary>Nominates a pending pod to a node (with a random priority, so it holds room against some pods and not others).</summary>
    public void Nominate(PodInfo pod, string nodeName)
    {
        State.Nominate(pod, nodeName);
        _nominated.Add(pod.Key);
    }

    /// <summary>One random change: mostly pod adds, then removals, node relabels, node removals and re-adds, namespace relabels.</summary>
    public void Mutate()
    {
        int roll = _random.Next(100);
        if (roll < 55) State.AddPod(NewPod(bound: true));
        else if (roll < 80 && State.PodCount > 0) State.RemovePod(State.Pods.ElementAt(_random.Next(State.PodCount)).Key);
        else if (roll < 88) State.AddOrUpdateNode(NewNode(_nodeNames[_random.Next(_nodeNames.Count)]));
        else if (roll < 93) State.RemoveNode(_nodeNames[_random.Next(_nodeNames.Count)]);
        else if (roll < 97)
        {
            string name = _nodeNames[_random.Next(_nodeNames.Count)];
            if (State.FindNode(name) is null) State.AddOrUpdateNode(NewNode(name));
        }
        else State.SetNamespace("ns-c", _random.Next(2) == 0 ? null : new Dictionary<string, string> { ["team"] = "x" });
    }
}
