using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Scores;
using PackingScheduler.Core.Tests.Support;
using PackingScheduler.Core.Tests.Support.Reference;

namespace PackingScheduler.Core.Tests.Cache;

/// <summary>
/// Property tests of the incremental inter-pod-affinity index kept by ClusterState: after any
/// sequence of pod adds and removals, node relabels, removals and re-adds on seeded random
/// clusters, (1) its counts equal a recount from scratch, and (2) the InterPodAffinity filter and
/// score built on it give exactly what the scan-every-pod reference implementation gives.
/// </summary>
public sealed class PodAffinityIndexTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 12; seed++) data.Add(seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Counts_after_adds_and_removes_equal_a_recount_from_scratch(int seed)
    {
        var c = new RandomAffinityCluster(seed, termProbability: 0.5);
        for (int step = 0; step < 400; step++)
        {
            c.Mutate();
            if (step % 20 == 19) AssertIndexEqualsRecount(c.State);
        }
        // Removing everything leaves the index empty.
        foreach (string key in c.State.Pods.Select(p => p.Key).ToList()) c.State.RemovePod(key);
        AssertIndexEqualsRecount(c.State);
        PodAffinityIndex index = c.State.AffinityIndex;
        Assert.Equal(0, index.AttachedPods);
        Assert.Equal(0, index.RequiredAffinity.Count + index.RequiredAntiAffinity.Count + index.PreferredAffinity.Count + index.PreferredAntiAffinity.Count);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Filter_and_score_equal_the_scan_of_every_pod(int seed)
    {
        var c = new RandomAffinityCluster(seed, termProbability: 0.35);
        var filter = new InterPodAffinity(c.Interner);
        var reference = new ReferenceInterPodAffinity(c.Interner);
        foreach ((int hard, bool ignore) in new[] { (1, false), (0, false), (5, true) })
        {
            var score = new InterPodAffinityScore(c.Interner, hard, ignore);
            var referenceScore = new ReferenceInterPodAffinityScore(c.Interner, hard, ignore);
            for (int step = 0; step < 150; step++)
            {
                c.Mutate();
                if (step % 5 != 4) continue;
                for (int k = 0; k < 3; k++)
                {
                    PodInfo incoming = c.NewPod(bound: false);
                    AssertSameFilter(c.State, incoming, filter, reference);
                    AssertSameScores(c.State, incoming, score, referenceScore);
                }
            }
        }
    }

    private static void AssertSameFilter(ClusterState state, PodInfo pod, IFilter actual, IFilter expected)
    {
        Assert.Equal(expected.PreFilter(pod, state), actual.PreFilter(pod, state));
        foreach (NodeInfo node in state.Nodes)
        {
            FilterResult e = expected.Filter(pod, node), a = actual.Filter(pod, node);
            Assert.True(e.Reason == a.Reason && e.Unresolvable == a.Unresolvable,
                $"{pod.Key} on {node.Name}: expected '{e.Reason}', got '{a.Reason}'");
        }
    }

    private static void AssertSameScores(ClusterState state, PodInfo pod, IScorer actual, IScorer expected)
    {
        NodeInfo[] nodes = state.Nodes.ToArray();
        expected.PreScore(pod, state, nodes);
        actual.PreScore(pod, state, nodes);
        long[] e = nodes.Select(n => expected.Score(pod, n)).ToArray();
        long[] a = nodes.Select(n => actual.Score(pod, n)).ToArray();
        Assert.Equal(e, a);
        expected.Normalize(e);
        actual.Normalize(a);
        Assert.Equal(e, a);
    }

    /// <summary>Per kind, (term structure, topology value) → (count, summed weight), recounted over the nodes' pods.</summary>
    private static void AssertIndexEqualsRecount(ClusterState state)
    {
        PodAffinityIndex index = state.AffinityIndex;
        Assert.Equal(state.Nodes.Sum(n => n.Pods.Count), index.AttachedPods);
        Check(index.RequiredAffinity, p => p.RequiredAffinityTerms);
        Check(index.RequiredAntiAffinity, p => p.RequiredAntiAffinityTerms);
        Check(index.PreferredAffinity, p => p.PreferredAffinityTerms);
        Check(index.PreferredAntiAffinity, p => p.PreferredAntiAffinityTerms);

        // Pods by label: every attached pod under each of its labels, with its node.
        foreach (NodeInfo node in state.Nodes)
        {
            foreach (PodInfo pod in node.Pods)
            {
                for (int i = 0; i < pod.Labels.Count; i++)
                {
                    Dictionary<PodInfo, NodeInfo>? bucket = index.PodsWithLabel(pod.Labels.Keys[i], pod.Labels.Values[i]);
                    Assert.NotNull(bucket);
                    Assert.Same(node, bucket![pod]);
                }
            }
        }

        void Check(ExistingTermIndex kind, Func<PodInfo, AffinityTerm[]> terms)
        {
            var expected = new Dictionary<(AffinityTerm, int), DomainCount>(new TermAndValue());
            foreach (NodeInfo node in state.Nodes)
            {
                foreach (PodInfo pod in node.Pods)
                {
                    foreach (AffinityTerm t in terms(pod))
                    {
                        if (t.Selector.MatchesNothing || !node.Labels.TryGetValue(t.TopologyKey, out int v)) continue;
                        expected.TryGetValue((t, v), out DomainCount d);
                        expected[(t, v)] = new DomainCount(d.Count + 1, d.Weight + t.Weight);
                    }
                }
            }
            var actual = new Dictionary<(AffinityTerm, int), DomainCount>(new TermAndValue());
            foreach (TermGroup g in kind.Groups)
            {
                Assert.NotEmpty(g.Domains);
                foreach (KeyValuePair<int, DomainCount> d in g.Domains) actual.Add((g.Term, d.Key), d.Value);
            }
            Assert.Equal(expected.Count, actual.Count);
            foreach (KeyValuePair<(AffinityTerm, int), DomainCount> kv in expected)
            {
                Assert.True(actual.TryGetValue(kv.Key, out DomainCount got), "a counted domain is missing from the index");
                Assert.Equal(kv.Value, got);
            }
        }
    }

    private sealed class TermAndValue : IEqualityComparer<(AffinityTerm Term, int Value)>
    {
        public bool Equals((AffinityTerm Term, int Value) x, (AffinityTerm Term, int Value) y) =>
            x.Value == y.Value && AffinityTermStructure.Instance.Equals(x.Term, y.Term);

        public int GetHashCode((AffinityTerm Term, int Value) x) => HashCode.Combine(AffinityTermStructure.Instance.GetHashCode(x.Term), x.Value);
    }
}
