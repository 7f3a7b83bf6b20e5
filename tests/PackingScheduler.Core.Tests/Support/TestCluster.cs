using k8s.Models;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;

namespace PackingScheduler.Core.Tests.Support;

/// <summary>
/// A cluster built from Kubernetes objects through the real translator, and helpers that run one
/// filter or one scorer over it the way the engine does (PreFilter once, then Filter per node;
/// PreScore, Score per node, Normalize).
/// </summary>
public sealed class TestCluster
{
    public TestCluster()
    {
        Translator = new ObjectTranslator(Interner);
        State = new ClusterState(Interner);
    }

    public Interner Interner { get; } = new();
    public ObjectTranslator Translator { get; }
    public ClusterState State { get; }

    private readonly List<NodeInfo> _given = new();

    public TestCluster Nodes(params NodeBuilder[] nodes)
    {
        foreach (NodeBuilder n in nodes) _given.Add(State.AddOrUpdateNode(Translator.TranslateNode(n.Build())));
        return this;
    }

    /// <summary>Running pods: each must name its node.</summary>
    public TestCluster Running(params PodBuilder[] pods)
    {
        foreach (PodBuilder p in pods)
        {
            PodInfo info = Translator.TranslatePod(p.Build());
            Assert.NotNull(info.NodeName);
            State.AddPod(info);
        }
        return this;
    }

    /// <summary>A namespace with labels (the API server's kubernetes.io/metadata.name is added).</summary>
    public TestCluster Namespace(string name, params (string Key, string Value)[] labels)
    {
        State.SetNamespace(name, labels.ToDictionary(l => l.Key, l => l.Value));
        return this;
    }

    public PodInfo Pod(PodBuilder pod) => Translator.TranslatePod(pod.Build());

    public NodeInfo Node(string name) => State.FindNode(name) ?? throw new InvalidOperationException($"no node {name}");

    /// <summary>Runs PreFilter, which must not reject, then Filter on one node.</summary>
    public FilterResult Filter(IFilter filter, PodBuilder pod, string node)
    {
        PodInfo p = Pod(pod);
        string? rejection = filter.PreFilter(p, State);
        Assert.Null(rejection);
        return filter.Filter(p, Node(node));
    }

    /// <summary>Runs PreFilter, which must not reject, then Filter on every node in order.</summary>
    public FilterResult[] FilterAll(IFilter filter, PodBuilder pod)
    {
        PodInfo p = Pod(pod);
        string? rejection = filter.PreFilter(p, State);
        Assert.Null(rejection);
        return State.Nodes.Select(n => filter.Filter(p, n)).ToArray();
    }

    /// <summary>Scores every node (all taken as feasible), normalized, as "name=score" pairs in node order.</summary>
    public long[] Score(IScorer scorer, PodBuilder pod, bool normalize = true)
    {
        PodInfo p = Pod(pod);
        // In the order the test gave the nodes (the cluster keeps them sorted by name).
        NodeInfo[] nodes = _given.Where(n => State.FindNode(n.Name) is not null).ToArray();
        scorer.PreScore(p, State, nodes);
        long[] scores = nodes.Select(n => scorer.Score(p, n)).ToArray();
        if (normalize) scorer.Normalize(scores);
        return scores;
    }
}

public static class FilterResults
{
    /// <summary>All reasons of a verdict; empty for success.</summary>
    public static string[] Reasons(this FilterResult r)
    {
        var list = new List<string>();
        r.AddReasonsTo(list);
        return list.ToArray();
    }
}
