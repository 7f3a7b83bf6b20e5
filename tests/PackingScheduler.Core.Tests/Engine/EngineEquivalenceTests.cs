using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Tests.Support;
using PackingScheduler.Core.Tests.Support.Reference;
using PackingScheduler.Core.Workloads;

namespace PackingScheduler.Core.Tests.Engine;

/// <summary>
/// The engine (node rows, skipped filters and scores, the affinity index, parallel filtering)
/// against the reference engine that calls every filter and score on every node with the
/// scan-every-pod affinity plugins: on seeded random clusters, pod after pod (each placed pod
/// assumed), the same node, score, message, counts, verdicts and explanation.
/// </summary>
public sealed class EngineEquivalenceTests
{
    public static TheoryData<int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int>();
        // seed, nodes, percentageOfNodesToScore (0 = adaptive)
        for (int seed = 1; seed <= 6; seed++) data.Add(seed, 14, 100);
        data.Add(7, 320, 100);
        data.Add(8, 320, 10);
        data.Add(9, 450, 0);
        data.Add(10, 1200, 100);
        data.Add(11, 1200, 30);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decisions_equal_the_reference_engine(int seed, int nodes, int percentage)
    {
        var c = new RandomAffinityCluster(seed, nodes, termProbability: nodes > 100 ? 0.1 : 0.3, cpuMilli: 4000);
        SchedulerProfile profile = WorkloadProfiles.AllPlugins() with { PercentageOfNodesToScore = percentage };
        var engine = new SchedulingEngine(profile, c.Interner);
        var reference = new ReferenceSchedulingEngine(profile, c.Interner);
        int pods = nodes > 100 ? 400 : 250;
        for (int i = 0; i < pods; i++)
        {
            PodInfo pod = c.NewPod(bound: false);
            bool explain = i % 7 == 0;
            ScheduleResult expected = reference.Schedule(pod, c.State, explain);
            ScheduleResult actual = engine.Schedule(pod, c.State, explain);
            AssertSame(expected, actual, $"pod {i} ({pod.Key})");
            if (actual.Node is not null)
            {
                pod.NodeName = actual.Node.Name;
                c.State.AddPod(pod);
            }
            if (i % 10 == 9) c.Mutate();
            Nominations(c, i);
        }
    }

    /// <summary>
    /// The plain pod's fused scoring (fit by reciprocals, selection in the same pass) under other
    /// strategies and resource weights: power-of-two and other weight sums, a zero weight (the
    /// general path), and weights on the fit score and TaintToleration other than 1.
    /// </summary>
    [Theory]
    [InlineData(31, ScoringStrategyType.MostAllocated, 1, 2, 1)]
    [InlineData(32, ScoringStrategyType.LeastAllocated, 1, 1, 3)]
    [InlineData(33, ScoringStrategyType.LeastAllocated, 3, 5, 1)]
    [InlineData(34, ScoringStrategyType.MostAllocated, 0, 1, 2)]
    [InlineData(35, ScoringStrategyType.MostAllocated, 7, 3, 5)]
    public void Fit_strategies_and_weights_decide_as_the_reference_engine(int seed, ScoringStrategyType type, long cpuWeight, long memoryWeight, long fitWeight)
    {
        var c = new RandomAffinityCluster(seed, 320, termProbability: 0.1, cpuMilli: 4000);
        SchedulerProfile all = WorkloadProfiles.AllPlugins();
        var scores = new List<WeightedScore>();
        foreach (WeightedScore s in all.Scores) scores.Add(s.Plugin == ScorePlugin.NodeResourcesFit ? s with { Weight = fitWeight } : s);
        SchedulerProfile profile = all with
        {
            Scores = scores,
            ScoringStrategy = new ScoringStrategy(type, new[] { new ResourceWeight("cpu", cpuWeight), new ResourceWeight("memory", memoryWeight) },
                Array.Empty<UtilizationShapePoint>()),
        };
        var engine = new SchedulingEngine(profile, c.Interner);
        var reference = new ReferenceSchedulingEngine(profile, c.Interner);
        for (int i = 0; i < 300; i++)
        {
            PodInfo pod = c.NewPod(bound: false);
            bool explain = i % 7 == 0;
            ScheduleResult expected = reference.Schedule(pod, c.State, explain);
            ScheduleResult actual = engine.Schedule(pod, c.State, explain);
            AssertSame(expected, actual, $"pod {i} ({pod.Key})");
            if (actual.Node is not null)
            {
                pod.NodeName = actual.Node.Name;
                c.State.AddPod(pod);
            }
            if (i % 10 == 9) c.Mutate();
        }
    }

    /// <summary>
    /// The plain pod's selection by taint-count buckets (best fit score per PreferNoSchedule
    /// count, then merged): equal-sized nodes, so that totals tie across and within buckets;
    /// TaintToleration weights that make the totals wrap (the buckets must give way); a node with
    /// more PreferNoSchedule taints than the buckets hold, and one without memory (scored out of line).
    /// </summary>
    [Theory]
    [InlineData(41, 1L, false)]
    [InlineData(42, 3L, true)]
    [InlineData(43, long.MaxValue / 150, false)]
    [InlineData(44, 1L << 20, true)]
    [InlineData(45, 0L, false)]
    [InlineData(46, 0L, true)]
    [InlineData(47, long.MaxValue / 100, false)]
    public void Taint_count_buckets_decide_as_the_reference_engine(int seed, long taintWeight, bool manyTaints)
    {
        var c = new RandomAffinityCluster(seed, 200, termProbability: 0.05, cpuMilli: 4000);
        if (manyTaints)
        {
            NodeInfo node = c.NewNode("x-many");
            node.Taints = Enumerable.Range(0, 70)
                .Select(t => new Taint(c.Interner.Intern($"soft{t}"), c.Interner.Intern("yes"), TaintEffect.PreferNoSchedule)).ToArray();
            node.Unschedulable = false;
            c.State.AddOrUpdateNode(node);
        }
        NodeInfo noMemory = c.NewNode("x-no-memory");
        noMemory.Allocatable = new ResourceAmounts(4000, 0, 0);
        c.State.AddOrUpdateNode(noMemory);
        SchedulerProfile all = WorkloadProfiles.AllPlugins();
        var scores = new List<WeightedScore>();
        foreach (WeightedScore s in all.Scores) scores.Add(s.Plugin == ScorePlugin.TaintToleration ? s with { Weight = taintWeight } : s);
        SchedulerProfile profile = all with { Scores = scores };
        var engine = new SchedulingEngine(profile, c.Interner);
        var reference = new ReferenceSchedulingEngine(profile, c.Interner);
        for (int i = 0; i < 300; i++)
        {
            PodInfo pod = c.NewPod(bound: false);
            bool explain = i % 11 == 0;
            ScheduleResult expected = reference.Schedule(pod, c.State, explain);
            ScheduleResult actual = engine.Schedule(pod, c.State, explain);
            AssertSame(expected, actual, $"pod {i} ({pod.Key})");
            if (actual.Node is not null)
            {
                pod.NodeName = actual.Node.Name;
                c.State.AddPod(pod);
            }
            if (i % 10 == 9) c.Mutate();
        }
    }

    /// <summary>
    /// Rows that fail only by their NoSchedule/NoExecute taints take their taint list's result
    /// (remembered per list within a cycle): several lists, tolerated by some pods and not
    /// others, with different reasons; some of those nodes also full or unschedulable.
    /// </summary>
    [Theory]
    [InlineData(51, 100)]
    [InlineData(52, 20)]
    [InlineData(53, 0)]
    public void Failing_rows_by_taint_list_decide_as_the_reference_engine(int seed, int percentage)
    {
        var c = new RandomAffinityCluster(seed, 150, termProbability: 0.05, cpuMilli: 4000);
        Taint T(string key, string value, TaintEffect effect) => new(c.Interner.Intern(key), c.Interner.Intern(value), effect);
        Taint[][] lists =
        {
            new[] { T("dedicated", "gpu", TaintEffect.NoSchedule) },
            new[] { T("dedicated", "cms", TaintEffect.NoSchedule), T("dedicated", "gpu", TaintEffect.NoExecute) },
            new[] { T("drain", "yes", TaintEffect.NoExecute) },
            new[] { T("soft", "yes", TaintEffect.PreferNoSchedule), T("dedicated", "cms", TaintEffect.NoSchedule) },
            new[] { T("dedicated", "cms", TaintEffect.NoSchedule) },
        };
        for (int i = 0; i < 60; i++)
        {
            NodeInfo node = c.NewNode($"x-taint-{i:D2}");
            node.Taints = lists[i % lists.Length];
            if (i % 9 == 0) node.Allocatable = new ResourceAmounts(200, 32L << 30, 0);
            c.State.AddOrUpdateNode(node);
        }
        SchedulerProfile profile = WorkloadProfiles.AllPlugins() with { PercentageOfNodesToScore = percentage };
        var engine = new SchedulingEngine(profile, c.Interner);
        var reference = new ReferenceSchedulingEngine(profile, c.Interner);
        for (int i = 0; i < 300; i++)
        {
            PodInfo pod = c.NewPod(bound: false);
            bool explain = i % 3 == 0;
            ScheduleResult expected = reference.Schedule(pod, c.State, explain);
            ScheduleResult actual = engine.Schedule(pod, c.State, explain);
            AssertSame(expected, actual, $"pod {i} ({pod.Key})");
            if (actual.Node is not null)
            {
                pod.NodeName = actual.Node.Name;
                c.State.AddPod(pod);
            }
            if (i % 10 == 9) c.Mutate();
        }
    }

    /// <summary>
    /// The row's stored free cpu/memory and flags byte: nodes unschedulable, tainted NoSchedule,
    /// both or neither, and allocatables whose "allocatable - requested" wraps (near long.MinValue
    /// and long.MaxValue) or is zero, so that the stored difference must match the filters' own.
    /// </summary>
    [Theory]
    [InlineData(61, 100)]
    [InlineData(62, 0)]
    public void Free_amounts_and_flags_in_rows_decide_as_the_reference_engine(int seed, int percentage)
    {
        var c = new RandomAffinityCluster(seed, 120, termProbability: 0.05, cpuMilli: 4000);
        Taint hard = new(c.Interner.Intern("dedicated"), c.Interner.Intern("gpu"), TaintEffect.NoSchedule);
        for (int i = 0; i < 48; i++)
        {
            NodeInfo node = c.NewNode($"x-free-{i:D2}");
            if (i % 4 == 1) node.Unschedulable = true;
            if (i % 4 == 2) node.Taints = new[] { hard };
            if (i % 4 == 3) { node.Unschedulable = true; node.Taints = new[] { hard }; }
            node.Allocatable = (i / 4 % 6) switch
            {
                0 => new ResourceAmounts(long.MinValue + 3, 32L << 30, 0),
                1 => new ResourceAmounts(8000, long.MinValue + 7, 0),
                2 => new ResourceAmounts(long.MaxValue, long.MaxValue, 0),
                3 => new ResourceAmounts(0, 0, 0),
                _ => node.Allocatable,
            };
            c.State.AddOrUpdateNode(node);
        }
        SchedulerProfile profile = WorkloadProfiles.AllPlugins() with { PercentageOfNodesToScore = percentage };
        var engine = new SchedulingEngine(profile, c.Interner);
        var reference = new ReferenceSchedulingEngine(profile, c.Interner);
        for (int i = 0; i < 250; i++)
        {
            PodInfo pod = c.NewPod(bound: false);
            bool explain = i % 3 == 0;
            ScheduleResult expected = reference.Schedule(pod, c.State, explain);
            ScheduleResult actual = engine.Schedule(pod, c.State, explain);
            AssertSame(expected, actual, $"pod {i} ({pod.Key})");
            if (actual.Node is not null)
            {
                pod.NodeName = actual.Node.Name;
                c.State.AddPod(pod);
            }
            if (i % 10 == 9) c.Mutate();
        }
    }

    /// <summary>
    /// The fit score computed in the row mask loop (best key per PreferNoSchedule count kept while
    /// the row is loaded) and used when PreScore gives the same score: both strategies, power-of-two
    /// and other weight sums, fit and TaintToleration weights (0: the taint score constant or absent
    /// from the buckets), the early stop (percentage 10 and adaptive, so the ring start moves),
    /// tainted rows that some pods tolerate (feasible through the filters), equal-sized nodes (ties
    /// to the smaller index), a node with 70 PreferNoSchedule taints and one without memory (scored
    /// out of line). Few explanations, which take the unfused path.
    /// </summary>
    [Theory]
    [InlineData(71, ScoringStrategyType.MostAllocated, 1L, 1L, 1L, 1L, 100, false)]
    [InlineData(72, ScoringStrategyType.LeastAllocated, 1L, 1L, 1L, 1L, 10, true)]
    [InlineData(73, ScoringStrategyType.MostAllocated, 3L, 5L, 2L, 0L, 0, false)]
    [InlineData(74, ScoringStrategyType.LeastAllocated, 7L, 3L, 5L, 3L, 0, true)]
    [InlineData(75, ScoringStrategyType.MostAllocated, 1L, 2L, 1L, long.MaxValue / 100, 100, false)]
    [InlineData(76, ScoringStrategyType.MostAllocated, 1L, 1L, 1L, 1L, 10, true)]
    public void Fit_score_in_the_mask_loop_decides_as_the_reference_engine(int seed, ScoringStrategyType type, long cpuWeight, long memoryWeight,
        long fitWeight, long taintWeight, int percentage, bool manyTaints)
    {
        var c = new RandomAffinityCluster(seed, 300, termProbability: 0.05, cpuMilli: 4000);
        Taint T(string key, string value, TaintEffect effect) => new(c.Interner.Intern(key), c.Interner.Intern(value), effect);
        Taint[][] lists =
        {
            new[] { T("dedicated", "gpu", TaintEffect.NoSchedule) },
            new[] { T("soft", "yes", TaintEffect.PreferNoSchedule) },
            new[] { T("soft", "yes", TaintEffect.PreferNoSchedule), T("soft2", "yes", TaintEffect.PreferNoSchedule) },
            new[] { T("drain", "yes", TaintEffect.NoExecute), T("soft", "yes", TaintEffect.PreferNoSchedule) },
        };
        for (int i = 0; i < 40; i++)
        {
            NodeInfo node = c.NewNode($"x-fused-{i:D2}");
            node.Taints = i % 5 < lists.Length ? lists[i % 5] : Array.Empty<Taint>();
            node.Unschedulable = false;
            node.Allocatable = new ResourceAmounts(4000, 16L << 30, 0);
            c.State.AddOrUpdateNode(node);
        }
        if (manyTaints)
        {
            NodeInfo node = c.NewNode("x-many");
            node.Taints = Enumerable.Range(0, 70)
                .Select(t => new Taint(c.Interner.Intern($"soft{t}"), c.Interner.Intern("yes"), TaintEffect.PreferNoSchedule)).ToArray();
            node.Unschedulable = false;
            c.State.AddOrUpdateNode(node);
        }
        NodeInfo noMemory = c.NewNode("x-no-memory");
        noMemory.Allocatable = new ResourceAmounts(4000, 0, 0);
        c.State.AddOrUpdateNode(noMemory);
        SchedulerProfile all = WorkloadProfiles.AllPlugins();
        var scores = new List<WeightedScore>();
        foreach (WeightedScore s in all.Scores)
        {
            scores.Add(s.Plugin switch
            {
                ScorePlugin.NodeResourcesFit => s with { Weight = fitWeight },
                ScorePlugin.TaintToleration => s with { Weight = taintWeight },
                _ => s,
            });
        }
        SchedulerProfile profile = all with
        {
            Scores = scores,
            PercentageOfNodesToScore = percentage,
            ScoringStrategy = new ScoringStrategy(type, new[] { new ResourceWeight("cpu", cpuWeight), new ResourceWeight("memory", memoryWeight) },
                Array.Empty<UtilizationShapePoint>()),
        };
        var engine = new SchedulingEngine(profile, c.Interner);
        var unfused = new SchedulingEngine(profile, c.Interner) { FuseFitIntoFilter = false };
        var reference = new ReferenceSchedulingEngine(profile, c.Interner);
        for (int i = 0; i < 300; i++)
        {
            PodInfo pod = c.NewPod(bound: false);
            bool explain = i % 13 == 0;
            ScheduleResult expected = reference.Schedule(pod, c.State, explain);
            ScheduleResult actual = engine.Schedule(pod, c.State, explain);
            AssertSame(expected, actual, $"pod {i} ({pod.Key})");
            AssertSame(expected, unfused.Schedule(pod, c.State, explain), $"pod {i} ({pod.Key}), unfused");
            if (actual.Node is not null)
            {
                pod.NodeName = actual.Node.Name;
                c.State.AddPod(pod);
            }
            if (i % 10 == 9) c.Mutate();
            Nominations(c, i);
        }
    }

    /// <summary>Now and then a pending pod nominated to a node (the engine then filters with it counted there), later dropped.</summary>
    private static void Nominations(RandomAffinityCluster c, int i)
    {
        if (i % 40 == 20 && c.State.Nodes.Count > 0)
            c.Nominate(c.NewPod(bound: false), c.State.Nodes[c.Random.Next(c.State.Nodes.Count)].Name);
        if (i % 40 == 39) c.State.RemoveNomination($"{c.NominatedKeys().FirstOrDefault()}");
    }

    [Theory]
    [InlineData(21, 14, 100, 2)]
    [InlineData(22, 300, 100, 2)]
    [InlineData(23, 300, 10, 3)]
    [InlineData(24, 1500, 0, 2)]
    [InlineData(25, 1500, 20, 4)]
    public void Parallel_filtering_decides_as_the_sequential_loop(int seed, int nodes, int percentage, int workers)
    {
        var c = new RandomAffinityCluster(seed, nodes, termProbability: nodes > 100 ? 0.1 : 0.3, cpuMilli: 4000);
        SchedulerProfile profile = WorkloadProfiles.AllPlugins() with { PercentageOfNodesToScore = percentage };
        var parallel = new SchedulingEngine(profile, c.Interner) { ParallelFilterThreshold = 0, Workers = workers, ParallelOnlyWithCalls = false };
        var sequential = new SchedulingEngine(profile, c.Interner) { ParallelFilterThreshold = int.MaxValue };
        for (int i = 0; i < 300; i++)
        {
            PodInfo pod = c.NewPod(bound: false);
            bool explain = i % 5 == 0;
            ScheduleResult expected = sequential.Schedule(pod, c.State, explain);
            ScheduleResult actual = parallel.Schedule(pod, c.State, explain);
            AssertSame(expected, actual, $"pod {i} ({pod.Key})");
            if (actual.Node is not null)
            {
                pod.NodeName = actual.Node.Name;
                c.State.AddPod(pod);
            }
            if (i % 10 == 9) c.Mutate();
            Nominations(c, i);
        }
    }

    internal static void AssertSame(ScheduleResult expected, ScheduleResult actual, string what)
    {
        Assert.True(expected.Node?.Name == actual.Node?.Name, $"{what}: expected {expected.Node?.Name ?? "none"}, got {actual.Node?.Name ?? "none"}");
        Assert.Equal(expected.Score, actual.Score);
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.EvaluatedNodes, actual.EvaluatedNodes);
        Assert.Equal(expected.FeasibleNodes, actual.FeasibleNodes);
        Assert.Equal(expected.Verdicts is null, actual.Verdicts is null);
        if (expected.Verdicts is not null)
        {
            Assert.Equal(expected.Verdicts.Count, actual.Verdicts!.Count);
            foreach (KeyValuePair<string, NodeVerdict> kv in expected.Verdicts)
            {
                NodeVerdict a = actual.Verdicts[kv.Key];
                Assert.Equal(kv.Value.Plugin, a.Plugin);
                Assert.Equal(kv.Value.Reasons, a.Reasons);
                Assert.Equal(kv.Value.Unresolvable, a.Unresolvable);
            }
        }
        Assert.Equal(expected.Explanation is null, actual.Explanation is null);
        if (expected.Explanation is not null) Assert.Equal(expected.Explanation.Count, actual.Explanation!.Count);
        for (int i = 0; i < (expected.Explanation?.Count ?? 0); i++)
        {
            NodeExplanation e = expected.Explanation![i], a = actual.Explanation![i];
            Assert.Equal(e.Node, a.Node);
            Assert.Equal(e.Total, a.Total);
            Assert.Equal(e.Chosen, a.Chosen);
            Assert.Equal(e.Rejected?.Reasons, a.Rejected?.Reasons);
            Assert.Equal(e.Scores, a.Scores);
        }
    }
}
