using System.Buffers;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Scores;

namespace PackingScheduler.Core.Engine;

/// <summary>
/// Decides where one pod goes: PreFilter, Filter (plugins in upstream's order, each node
/// reported under the first that rejects it), Score, NormalizeScore, weighted sum, select.
/// Ties go to the node whose name sorts first (ordinal), so that every run, simulate and live,
/// decides the same way; upstream picks among ties at random.
/// One cycle at a time per engine: plugins keep their per-cycle state in reusable fields.
/// </summary>
public sealed partial class SchedulingEngine
{
    public const string NoNodesMessage = "no nodes available to schedule pods";

    private const int MinFeasibleNodesToFind = 100;
    private const int MinFeasibleNodesPercentageToFind = 5;

    private readonly IFilter[] _filters;
    private readonly IScorer[] _scorers;
    private readonly long[] _weights;
    private int _nextStartNodeIndex;

    public SchedulingEngine(SchedulerProfile profile, Interner interner)
    {
        Profile = profile;
        Interner = interner;
        var filters = new List<IFilter>();
        foreach (FilterPlugin p in Enum.GetValues<FilterPlugin>())
        {
            if (!profile.Filters.Contains(p)) continue;
            filters.Add(p switch
            {
                FilterPlugin.NodeUnschedulable => new NodeUnschedulable(interner),
                FilterPlugin.NodeName => new NodeName(),
                FilterPlugin.TaintToleration => new TaintToleration(interner),
                FilterPlugin.NodeAffinity => new NodeAffinity(interner),
                FilterPlugin.NodePorts => new NodePorts(interner),
                FilterPlugin.NodeResourcesFit => new NodeResourcesFit(interner, profile.IgnoredResources, profile.IgnoredResourceGroups),
                FilterPlugin.VolumeRestrictions => new VolumeRestrictions(),
                FilterPlugin.VolumeZone => new VolumeZone(interner),
                FilterPlugin.InterPodAffinity => new InterPodAffinity(interner),
                _ => throw new InvalidOperationException($"no filter for {p}"),
            });
        }
        _filters = filters.ToArray();
        var scorers = new List<IScorer>();
        var weights = new List<long>();
        foreach (WeightedScore s in profile.Scores)
        {
            scorers.Add(s.Plugin switch
            {
                ScorePlugin.NodeResourcesFit when profile.ScoringStrategy.Type == ScoringStrategyType.SlotBestFit =>
                    new SlotBestFitScore(profile.ScoringStrategy, interner),
                ScorePlugin.NodeResourcesFit => new NodeResourcesFitScore(profile.ScoringStrategy, interner),
                ScorePlugin.InterPodAffinity => new InterPodAffinityScore(interner, profile.HardPodAffinityWeight, profile.IgnorePreferredTermsOfExistingPods),
                ScorePlugin.NodeAffinity => new NodeAffinityScore(interner),
                ScorePlugin.TaintToleration => new TaintTolerationScore(),
                _ => throw new InvalidOperationException($"no scorer for {s.Plugin}"),
            });
            weights.Add(s.Weight);
        }
        _scorers = scorers.ToArray();
        _weights = weights.ToArray();
    }

    public SchedulerProfile Profile { get; }
    public Interner Interner { get; }

    /// <summary>Upstream's numFeasibleNodesToFind: how many feasible nodes are enough to stop filtering.</summary>
    public int NumFeasibleNodesToFind(int numAllNodes)
    {
        if (numAllNodes < MinFeasibleNodesToFind) return numAllNodes;
        int percentage = Profile.PercentageOfNodesToScore;
        if (percentage == 0)
        {
            percentage = 50 - numAllNodes / 125;
            if (percentage < MinFeasibleNodesPercentageToFind) percentage = MinFeasibleNodesPercentageToFind;
        }
        if (percentage >= 100) return numAllNodes;
        int n = (int)((long)numAllNodes * percentage / 100);
        return n < MinFeasibleNodesToFind ? MinFeasibleNodesToFind : n;
    }

    public ScheduleResult Schedule(PodInfo pod, ClusterState cluster, bool explain = false)
    {
        IReadOnlyList<NodeInfo> allNodes = cluster.Nodes;
        int n = allNodes.Count;
        if (n == 0) return new ScheduleResult(null, 0, NoNodesMessage, 0, 0);

        (int rejectedBy, string? rejection, IReadOnlySet<string>? allowed, string? restrictedBy) = RunPreFilters(pod, cluster);
        if (rejection is not null)
            return new ScheduleResult(null, 0, $"0/{n} nodes are available: {rejection}.", 0, 0,
                explain ? PreFilterExplanation(allNodes, _filters[rejectedBy].Plugin, rejection) : null)
            {
                Verdicts = PreFilterVerdicts(allNodes, _filters[rejectedBy].Plugin, rejection),
            };
        bool nominations = cluster.NominatedPodCount > 0;

        // Upstream evaluateNominatedNode: a pod that preempted tries the node it freed first, and
        // takes it without scoring the others when it fits there.
        if (pod.NominatedNodeName is { } nominatedName && cluster.FindNode(nominatedName) is { } nominatedNode
            && (allowed is null || allowed.Contains(nominatedName)))
        {
            FilterResult onNominated = nominations ? FilterWithNominatedPods(pod, nominatedNode, cluster, out _) : FilterNode(pod, nominatedNode, out _);
            if (onNominated.IsSuccess) return ScoreOne(pod, cluster, nominatedNode, allNodes, explain);
        }

        // Upstream filters only the nodes a PreFilter result allows; the rest share one verdict.
        IReadOnlyList<NodeInfo> nodes = allNodes;
        List<NodeInfo>? restricted = null;
        NodeVerdict? absent = null;
        if (allowed is not null)
        {
            var list = restricted = new List<NodeInfo>(allowed.Count);
            foreach (NodeInfo node in allNodes)
            {
                if (allowed.Contains(node.Name)) list.Add(node);
            }
            nodes = list;
            absent = new NodeVerdict(restrictedBy!, new[] { $"node(s) didn't satisfy plugin(s) [{restrictedBy}]" }, Unresolvable: true);
        }
        int c = nodes.Count;
        if (c == 0)
            return new ScheduleResult(null, 0, FailureMessage(n, nodes, absent, 0, 0, Array.Empty<FilterResult>(), Array.Empty<int>()), 0, 0,
                explain ? Explain(allNodes, nodes, absent, 0, 0, Array.Empty<FilterResult>(), Array.Empty<int>(), default, null, null) : null)
            {
                Verdicts = Verdicts(allNodes, nodes, absent, 0, 0, Array.Empty<FilterResult>(), Array.Empty<int>()),
            };

        (NodeInfo[] feasible, FilterResult[] failures, int[] failedBy, int[] feasibleIndex) = NodeBuffers(c);
        long[]? scoreBuffer = null;
        try
        {
            ReadOnlySpan<NodeInfo> span = restricted is null ? cluster.NodeSpan : System.Runtime.InteropServices.CollectionsMarshal.AsSpan(restricted);
            // Rows are by cluster node index: only when the candidates are all the nodes.
            ReadOnlySpan<NodeRow> nodeRows = restricted is null ? cluster.NodeRows : default;
            PlanFilters();
            int toFind = NumFeasibleNodesToFind(c);
            int start = _nextStartNodeIndex % c;
            int feasibleCount = 0, processed = 0;
            // The row mask loop may also score (the plain pod); checked against PreScore before use.
            PlanFusedFit(pod, !nominations && !explain && restricted is null);
            if (nominations)
            {
                // Nominated pods are added to the cluster around each node's check: the plain sequential loop.
                for (int k = 0, i = start; k < c && feasibleCount < toFind; k++, i = i + 1 == c ? 0 : i + 1)
                {
                    NodeInfo node = span[i];
                    processed++;
                    FilterResult r = nominations ? FilterWithNominatedPods(pod, node, cluster, out int by) : FilterNode(pod, node, out by);
                    failedBy[i] = by;
                    if (!r.IsSuccess) failures[i] = r;
                    if (failedBy[i] < 0)
                    {
                        feasibleIndex[feasibleCount] = i;
                        feasible[feasibleCount++] = node;
                    }
                }
                _feasibleUsed = feasibleCount;
            }
            else
            {
                (feasibleCount, processed) = FilterNodes(pod, span, nodeRows, restricted is null ? cluster.Table : null, start, toFind, feasible, feasibleIndex, failures, failedBy);
            }
            _nextStartNodeIndex = (start + processed) % c;

            if (feasibleCount == 0)
            {
                return new ScheduleResult(null, 0, FailureMessage(n, nodes, absent, start, processed, failures, failedBy), processed, 0,
                    explain ? Explain(allNodes, nodes, absent, start, processed, failures, failedBy, default, null, null) : null)
                {
                    Verdicts = Verdicts(allNodes, nodes, absent, start, processed, failures, failedBy),
                };
            }

            // Scores: one row of feasibleCount per scorer, raw then normalized in place.
            int rows = _scorers.Length;
            scoreBuffer = ArrayPool<long>.Shared.Rent(Math.Max(1, rows * feasibleCount * (explain ? 2 : 1)));
            ReadOnlySpan<NodeInfo> candidates = feasible.AsSpan(0, feasibleCount);
            long constant = 0;
            int varying = 0;
            for (int s = 0; s < rows; s++)
            {
                IScorer scorer = _scorers[s];
                scorer.PreScore(pod, cluster, candidates);
                // A row that is the same on every node only shifts every total: added once, not per node.
                if (!explain && ConstantScore(scorer) is { } same)
                {
                    constant += same * _weights[s];
                    continue;
                }
                VaryingRow(varying++, s);
            }

            int best;
            long bestTotal;
            // The plain pod: the rows give every varying score; scored and selected in one pass.
            if (explain || !TrySelectFromRows(nodeRows, feasibleCount, feasibleIndex, varying, constant, out best, out bestTotal))
            {
                for (int k = 0; k < varying; k++)
                {
                    int s = _varyingRows[k];
                    IScorer scorer = _scorers[s];
                    Span<long> row = scoreBuffer.AsSpan(s * feasibleCount, feasibleCount);
                    ScoreNodes(pod, scorer, candidates, nodeRows, feasibleIndex.AsSpan(0, feasibleCount), row);
                    if (explain) row.CopyTo(scoreBuffer.AsSpan((rows + s) * feasibleCount, feasibleCount));
                    scorer.Normalize(row);
                }
                (best, bestTotal) = SelectBest(scoreBuffer, feasibleCount, feasibleIndex, varying, constant);
            }
            NodeInfo chosen = candidates[best];
            IReadOnlyList<NodeExplanation>? explanation = explain
                ? Explain(allNodes, nodes, absent, start, processed, failures, failedBy, candidates, scoreBuffer, chosen)
                : null;
            return new ScheduleResult(chosen, bestTotal, null, processed, feasibleCount, explanation);
        }
        finally
        {
            ReleaseNodeBuffers();
            if (scoreBuffer is not null) ArrayPool<long>.Shared.Return(scoreBuffer);
        }
    }

    /// <summary>Runs every filter's PreFilter: the first rejection (filter index and message), else the node-name restriction if any.</summary>
    private (int RejectedBy, string? Rejection, IReadOnlySet<string>? Allowed, string? RestrictedBy) RunPreFilters(PodInfo pod, ClusterState cluster)
    {
        IReadOnlySet<string>? allowed = null;
        string? restrictedBy = null;
        for (int f = 0; f < _filters.Length; f++)
        {
            string? rejection = _filters[f].PreFilter(pod, cluster);
            if (rejection is not null) return (f, rejection, null, null);
            if (_filters[f].PreFilterNodeNames is { } names)
            {
                allowed = names;
                restrictedBy = _filters[f].Plugin.ToString();
            }
        }
        return (-1, null, allowed, restrictedBy);
    }

    /// <summary>The filters in order on one node, after PreFilter: the first failure and its filter's index, or success and -1.</summary>
    private FilterResult FilterNode(PodInfo pod, NodeInfo node, out int failedBy)
    {
        for (int f = 0; f < _filters.Length; f++)
        {
            FilterResult r = _filters[f].Filter(pod, node);
            if (!r.IsSuccess)
            {
                failedBy = f;
                return r;
            }
        }
        failedBy = -1;
        return FilterResult.Success;
    }

    /// <summary>
    /// Upstream RunFilterPluginsWithNominatedPods: pods nominated to this node with a priority at
    /// least the incoming pod's count there as if running (so a smaller pod cannot take the room a
    /// preemption freed), and the pod must also fit without them (affinity to a nominated pod
    /// does not count, since it may never arrive). The pods are added to the cluster for the check
    /// and PreFilter state is computed again after, so the rest of the cycle is unaffected.
    /// Not for concurrent use: it changes the cluster for the duration of the check.
    /// </summary>
    private FilterResult FilterWithNominatedPods(PodInfo pod, NodeInfo node, ClusterState cluster, out int failedBy)
    {
        IReadOnlyList<PodInfo> nominated = cluster.NominatedPods(node.Name);
        List<string>? added = null;
        for (int q = 0; q < nominated.Count; q++)
        {
            PodInfo other = nominated[q];
            if (other.Priority < pod.Priority || other.Key == pod.Key || cluster.FindPod(other.Key) is not null) continue;
            cluster.AddPod(other.CopyOnNode(node.Name));
            (added ??= new List<string>(nominated.Count)).Add(other.Key);
        }
        if (added is null) return FilterNode(pod, node, out failedBy);

        FilterResult withNominated;
        try
        {
            (int rejectedBy, string? rejection, _, _) = RunPreFilters(pod, cluster);
            if (rejection is not null)
            {
                failedBy = rejectedBy;
                withNominated = FilterResult.Fail(rejection, unresolvable: true);
            }
            else
            {
                withNominated = FilterNode(pod, node, out failedBy);
            }
        }
        finally
        {
            foreach (string key in added) cluster.RemovePod(key);
            RunPreFilters(pod, cluster);
        }
        return withNominated.IsSuccess ? FilterNode(pod, node, out failedBy) : withNominated;
    }

    /// <summary>
    /// Whether <paramref name="pod"/> fits on <paramref name="node"/> in the cluster as it is now
    /// (PreFilter, then the filters, nominated pods counted): null when it fits, else the verdict.
    /// Preemption's dry run calls this after taking pods off the node.
    /// </summary>
    public NodeVerdict? Evaluate(PodInfo pod, ClusterState cluster, NodeInfo node)
    {
        (int rejectedBy, string? rejection, IReadOnlySet<string>? allowed, string? restrictedBy) = RunPreFilters(pod, cluster);
        if (rejection is not null) return new NodeVerdict(_filters[rejectedBy].Plugin.ToString(), new[] { rejection }, Unresolvable: true);
        if (allowed is not null && !allowed.Contains(node.Name))
            return new NodeVerdict(restrictedBy!, new[] { $"node(s) didn't satisfy plugin(s) [{restrictedBy}]" }, Unresolvable: true);
        FilterResult r = cluster.NominatedPodCount > 0 ? FilterWithNominatedPods(pod, node, cluster, out int by) : FilterNode(pod, node, out by);
        return r.IsSuccess ? null : Verdict(r, by);
    }

    /// <summary>
    /// The profile's NodeResourcesFit score of <paramref name="pod"/> on <paramref name="node"/> as
    /// the node is now (raw, before normalization; 0 when the profile has no such score). Preemption
    /// compares it across candidate nodes with their victims taken off: with MostAllocated or
    /// SlotBestFit the higher score is the node the preemption leaves best packed.
    /// </summary>
    public long ResourceFitScore(PodInfo pod, ClusterState cluster, NodeInfo node)
    {
        for (int s = 0; s < _scorers.Length; s++)
        {
            if (_scorers[s].Plugin != ScorePlugin.NodeResourcesFit) continue;
            NodeInfo[] one = { node };
            _scorers[s].PreScore(pod, cluster, one);
            return _scorers[s].Score(pod, node);
        }
        return 0;
    }

    /// <summary>The nominated node fits: it is chosen, scored alone (so the result carries its score).</summary>
    private ScheduleResult ScoreOne(PodInfo pod, ClusterState cluster, NodeInfo node, IReadOnlyList<NodeInfo> allNodes, bool explain)
    {
        int rows = _scorers.Length;
        long[] scores = new long[Math.Max(1, rows * 2)];
        NodeInfo[] one = { node };
        long total = 0;
        for (int s = 0; s < rows; s++)
        {
            IScorer scorer = _scorers[s];
            scorer.PreScore(pod, cluster, one);
            Span<long> row = scores.AsSpan(s, 1);
            row[0] = scorer.Score(pod, node);
            scores[rows + s] = row[0];
            scorer.Normalize(row);
            total += row[0] * _weights[s];
        }
        IReadOnlyList<NodeExplanation>? explanation = explain
            ? Explain(allNodes, allNodes, null, 0, 0, Array.Empty<FilterResult>(), Array.Empty<int>(), one, scores, node)
            : null;
        return new ScheduleResult(node, total, null, 1, 1, explanation);
    }

    private static Dictionary<string, NodeVerdict> PreFilterVerdicts(IReadOnlyList<NodeInfo> nodes, FilterPlugin plugin, string message)
    {
        var verdict = new NodeVerdict(plugin.ToString(), new[] { message }, true);
        var result = new Dictionary<string, NodeVerdict>(nodes.Count, StringComparer.Ordinal);
        foreach (NodeInfo node in nodes) result[node.Name] = verdict;
        return result;
    }

    /// <summary>kube-scheduler's FitError text: "0/N nodes are available: " and the reason histogram, sorted.</summary>
    private static string FailureMessage(int n, IReadOnlyList<NodeInfo> candidates, NodeVerdict? absent,
        int start, int processed, FilterResult[] failures, int[] failedBy)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (absent is not null && n > candidates.Count) counts[absent.Reasons[0]] = n - candidates.Count;
        var reasons = new List<string>(4);
        for (int k = 0; k < processed; k++)
        {
            int i = (start + k) % candidates.Count;
            if (failedBy[i] < 0) continue;
            reasons.Clear();
            failures[i].AddReasonsTo(reasons);
            foreach (string r in reasons) counts[r] = counts.GetValueOrDefault(r) + 1;
        }
        return FitError.Format(n, counts);
    }

    private Dictionary<string, NodeVerdict> Verdicts(IReadOnlyList<NodeInfo> allNodes, IReadOnlyList<NodeInfo> candidates, NodeVerdict? absent,
        int start, int processed, FilterResult[] failures, int[] failedBy)
    {
        var result = new Dictionary<string, NodeVerdict>(StringComparer.Ordinal);
        if (absent is not null)
        {
            foreach (NodeInfo node in allNodes) result[node.Name] = absent;
        }
        for (int k = 0; k < processed; k++)
        {
            int i = (start + k) % candidates.Count;
            if (failedBy[i] >= 0) result[candidates[i].Name] = Verdict(failures[i], failedBy[i]);
            else result.Remove(candidates[i].Name);
        }
        return result;
    }

    private NodeVerdict Verdict(FilterResult r, int filterIndex)
    {
        var reasons = new List<string>(2);
        r.AddReasonsTo(reasons);
        return new NodeVerdict(_filters[filterIndex].Plugin.ToString(), reasons, r.Unresolvable);
    }

    private static List<NodeExplanation> PreFilterExplanation(IReadOnlyList<NodeInfo> nodes, FilterPlugin plugin, string message)
    {
        var verdict = new NodeVerdict(plugin.ToString(), new[] { message }, true);
        var list = new List<NodeExplanation>(nodes.Count);
        foreach (NodeInfo node in nodes) list.Add(new NodeExplanation(node.Name, verdict, null, null, false));
        return list;
    }

    private List<NodeExplanation> Explain(IReadOnlyList<NodeInfo> allNodes, IReadOnlyList<NodeInfo> candidates, NodeVerdict? absent,
        int start, int processed, FilterResult[] failures, int[] failedBy, ReadOnlySpan<NodeInfo> feasible, long[]? scores, NodeInfo? chosen)
    {
        int rows = _scorers.Length, fc = feasible.Length;
        var feasibleIndex = new Dictionary<NodeInfo, int>(fc);
        for (int j = 0; j < fc; j++) feasibleIndex[feasible[j]] = j;
        var rejected = new Dictionary<NodeInfo, NodeVerdict>();
        var evaluated = new HashSet<NodeInfo>();
        for (int k = 0; k < processed; k++)
        {
            int i = (start + k) % candidates.Count;
            evaluated.Add(candidates[i]);
            if (failedBy[i] >= 0) rejected[candidates[i]] = Verdict(failures[i], failedBy[i]);
        }
        var list = new List<NodeExplanation>(allNodes.Count);
        foreach (NodeInfo node in allNodes)
        {
            if (rejected.TryGetValue(node, out NodeVerdict? verdict))
            {
                list.Add(new NodeExplanation(node.Name, verdict, null, null, false));
            }
            else if (scores is not null && feasibleIndex.TryGetValue(node, out int j))
            {
                var components = new List<ScoreComponent>(rows);
                long total = 0;
                for (int s = 0; s < rows; s++)
                {
                    long normalized = scores[s * fc + j];
                    long raw = scores[(rows + s) * fc + j];
                    components.Add(new ScoreComponent(_scorers[s].Plugin.ToString(), raw, normalized, _weights[s]));
                    total += normalized * _weights[s];
                }
                list.Add(new NodeExplanation(node.Name, null, components, total, ReferenceEquals(node, chosen)));
            }
            else if (absent is not null && !evaluated.Contains(node) && !ContainsNode(candidates, node))
            {
                list.Add(new NodeExplanation(node.Name, absent, null, null, false));
            }
            else
            {
                list.Add(new NodeExplanation(node.Name, null, null, null, false));
            }
        }
        return list;
    }

    private static bool ContainsNode(IReadOnlyList<NodeInfo> nodes, NodeInfo node)
    {
        for (int i = 0; i < nodes.Count; i++)
        {
            if (ReferenceEquals(nodes[i], node)) return true;
        }
        return false;
    }
}
