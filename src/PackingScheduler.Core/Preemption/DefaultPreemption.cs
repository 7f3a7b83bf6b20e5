using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Preemption;

/// <summary>A node where the preemptor fits once <see cref="Victims"/> are gone (most important first).</summary>
public sealed record PreemptionCandidate(NodeInfo Node, IReadOnlyList<PodInfo> Victims, int PdbViolations);

/// <summary>
/// What a preemption decided: the chosen candidate, or why there is none (<see cref="Message"/>,
/// upstream's PostFilter status text starting "preemption: ", appended to the FailedScheduling
/// message). <see cref="LowerPriorityNominated"/> are pods nominated to the chosen node with a
/// lower priority than the preemptor: their nomination is to be cleared, as they may not fit there any more.
/// </summary>
public sealed record PreemptionResult(PreemptionCandidate? Chosen, string? Message, IReadOnlyList<PodInfo> LowerPriorityNominated)
{
    /// <summary>
    /// False when the pod may not preempt at all (preemptionPolicy Never, or its victims still
    /// terminating): upstream then leaves its nomination as it is, where a failed search clears it.
    /// </summary>
    public bool Eligible { get; init; } = true;

    public static PreemptionResult Failed(string message) => new(null, "preemption: " + message, Array.Empty<PodInfo>());

    public static PreemptionResult NotEligible(string message) => Failed(message) with { Eligible = false };
}

/// <summary>
/// Upstream's DefaultPreemption PostFilter, for a pod the engine found no node for:
/// <list type="number">
/// <item>eligibility: not with preemptionPolicy Never; not while lower-priority pods this pod
/// already preempted are still terminating on its nominated node;</item>
/// <item>candidates: every node whose failure is resolvable by eviction, dry-run in name order
/// until enough are found (minCandidateNodesPercentage/Absolute): all lower-priority pods taken
/// off, the pod must then pass every filter (inter-pod affinity included, nominated pods
/// counted); then victims are reprieved one at a time, most important first, PDB-violating ones
/// before the others, each kept if the pod still fits;</item>
/// <item>choice: fewest PDB violations, then the lowest highest-victim priority, the lowest sum
/// of victim priorities, the fewest victims; then (not upstream) the node the profile's
/// NodeResourcesFit score likes best with the victims gone and the pod placed, so that eviction
/// completes a multicore slot rather than opening a hole elsewhere; then the latest start of the
/// most important victims, then the smallest node name.</item>
/// </list>
/// Upstream starts the dry run at a random node and breaks final ties by map order; here both are
/// deterministic, so that simulate and the live scheduler choose alike. The cluster is changed
/// during the dry run and restored before returning; call it under the cache's lock.
/// </summary>
public sealed class DefaultPreemption
{
    public const string NotHelpful = "Preemption is not helpful for scheduling";
    public const string NoVictims = "No preemption victims found for incoming pod";
    public const string NeverPolicy = "not eligible due to preemptionPolicy=Never.";
    public const string TerminatingOnNominated = "not eligible due to a terminating pod on the nominated node.";

    private readonly SchedulingEngine _engine;
    private readonly SchedulerProfile _profile;
    private readonly Interner _interner;

    public DefaultPreemption(SchedulingEngine engine)
    {
        _engine = engine;
        _profile = engine.Profile;
        _interner = engine.Interner;
    }

    public PreemptionResult Preempt(PodInfo pod, ClusterState cluster, ScheduleResult failed)
    {
        IReadOnlyDictionary<string, NodeVerdict> verdicts = failed.Verdicts ?? new Dictionary<string, NodeVerdict>();

        // 1) Eligibility.
        if (pod.PreemptionNever) return PreemptionResult.NotEligible(NeverPolicy);
        if (pod.NominatedNodeName is { } nominated
            && !(verdicts.TryGetValue(nominated, out NodeVerdict? onNominated) && onNominated.Unresolvable)
            && cluster.FindNode(nominated) is { } nominatedNode)
        {
            foreach (PodInfo p in nominatedNode.Pods)
            {
                if (p.Priority < pod.Priority && p.TerminatingByPreemption) return PreemptionResult.NotEligible(TerminatingOnNominated);
            }
        }

        // 2) Candidates: nodes whose failure eviction could resolve.
        ReadOnlySpan<NodeInfo> nodes = cluster.NodeSpan;
        int total = nodes.Length;
        var potential = new List<NodeInfo>();
        foreach (NodeInfo node in nodes)
        {
            if (verdicts.TryGetValue(node.Name, out NodeVerdict? v) && !v.Unresolvable) potential.Add(node);
        }
        var statuses = new List<IReadOnlyList<string>>();
        if (potential.Count == 0) return PreemptionResult.Failed(FitMessage(total, statuses));

        int wanted = NumCandidates(potential.Count);
        var budgets = new List<DisruptionBudget>(cluster.DisruptionBudgets);
        var nonViolating = new List<PreemptionCandidate>();
        var violating = new List<PreemptionCandidate>();
        foreach (NodeInfo node in potential)
        {
            (PreemptionCandidate? candidate, IReadOnlyList<string>? reasons) = SelectVictimsOnNode(pod, cluster, node, budgets);
            if (candidate is null)
            {
                statuses.Add(reasons!);
                continue;
            }
            (candidate.PdbViolations == 0 ? nonViolating : violating).Add(candidate);
            if (nonViolating.Count > 0 && nonViolating.Count + violating.Count >= wanted) break;
        }
        var candidates = new List<PreemptionCandidate>(nonViolating.Count + violating.Count);
        candidates.AddRange(nonViolating);
        candidates.AddRange(violating);
        if (candidates.Count == 0) return PreemptionResult.Failed(FitMessage(total, statuses));

        // 3) The best candidate, and the lower-priority pods nominated there.
        PreemptionCandidate chosen = Pick(pod, cluster, candidates);
        var lower = new List<PodInfo>();
        foreach (PodInfo q in cluster.NominatedPods(chosen.Node.Name))
        {
            if (q.Priority < pod.Priority) lower.Add(q);
        }
        return new PreemptionResult(chosen, null, lower);
    }

    /// <summary>Upstream calculateNumCandidates.</summary>
    public int NumCandidates(int potentialNodes)
    {
        int n = (int)((long)potentialNodes * _profile.MinCandidateNodesPercentage / 100);
        if (n < _profile.MinCandidateNodesAbsolute) n = _profile.MinCandidateNodesAbsolute;
        return n > potentialNodes ? potentialNodes : n;
    }

    /// <summary>
    /// Upstream SelectVictimsOnNode: the smallest set of lower-priority pods, least important
    /// first, whose removal lets the pod fit; or null and the reasons it cannot fit even with all of them gone.
    /// </summary>
    private (PreemptionCandidate? Candidate, IReadOnlyList<string>? Reasons) SelectVictimsOnNode(
        PodInfo pod, ClusterState cluster, NodeInfo node, List<DisruptionBudget> budgets)
    {
        var potential = new List<PodInfo>();
        foreach (PodInfo p in node.Pods)
        {
            if (p.Priority < pod.Priority) potential.Add(p);
        }
        if (potential.Count == 0) return (null, new[] { NoVictims });

        foreach (PodInfo p in potential) cluster.RemovePod(p.Key);
        try
        {
            NodeVerdict? verdict = _engine.Evaluate(pod, cluster, node);
            if (verdict is not null) return (null, verdict.Reasons);

            potential.Sort(MoreImportantFirst);
            (List<PodInfo> violatingPods, List<PodInfo> nonViolatingPods) = SplitByBudgetViolation(potential, budgets);
            var victims = new List<PodInfo>();
            int violations = 0;
            foreach (PodInfo p in violatingPods)
            {
                if (!Reprieve(pod, cluster, node, p))
                {
                    victims.Add(p);
                    violations++;
                }
            }
            foreach (PodInfo p in nonViolatingPods)
            {
                if (!Reprieve(pod, cluster, node, p)) victims.Add(p);
            }
            if (violatingPods.Count > 0 && nonViolatingPods.Count > 0) victims.Sort(MoreImportantFirst);
            return (new PreemptionCandidate(node, victims, violations), null);
        }
        finally
        {
            // Whatever the outcome, the node gets back every pod taken off for the dry run.
            foreach (PodInfo p in potential)
            {
                if (cluster.FindPod(p.Key) is null) cluster.AddPod(p);
            }
        }
    }

    /// <summary>Puts <paramref name="victim"/> back; keeps it if the pod still fits, else takes it off again.</summary>
    private bool Reprieve(PodInfo pod, ClusterState cluster, NodeInfo node, PodInfo victim)
    {
        cluster.AddPod(victim);
        if (_engine.Evaluate(pod, cluster, node) is null) return true;
        cluster.RemovePod(victim.Key);
        return false;
    }

    /// <summary>
    /// Upstream filterPodsWithPDBViolation: in the given order, each pod uses one disruption of
    /// every budget protecting it (unless already listed as disrupted there); a pod that takes a
    /// budget below zero would violate it.
    /// </summary>
    private (List<PodInfo> Violating, List<PodInfo> NonViolating) SplitByBudgetViolation(List<PodInfo> pods, List<DisruptionBudget> budgets)
    {
        var violating = new List<PodInfo>();
        var nonViolating = new List<PodInfo>();
        if (budgets.Count == 0)
        {
            nonViolating.AddRange(pods);
            return (violating, nonViolating);
        }
        int[] allowed = new int[budgets.Count];
        for (int i = 0; i < budgets.Count; i++) allowed[i] = budgets[i].DisruptionsAllowed;
        foreach (PodInfo p in pods)
        {
            bool violates = false;
            for (int i = 0; i < budgets.Count; i++)
            {
                DisruptionBudget b = budgets[i];
                if (!b.Protects(p, _interner) || b.DisruptedPods.Contains(p.Name)) continue;
                if (--allowed[i] < 0) violates = true;
            }
            (violates ? violating : nonViolating).Add(p);
        }
        return (violating, nonViolating);
    }

    /// <summary>Upstream MoreImportantPod: higher priority first; equal priority, the one started earlier (not started: last); then by key, for a stable order.</summary>
    private static int MoreImportantFirst(PodInfo a, PodInfo b)
    {
        if (a.Priority != b.Priority) return b.Priority.CompareTo(a.Priority);
        long sa = a.StartTimeTicks ?? long.MaxValue, sb = b.StartTimeTicks ?? long.MaxValue;
        if (sa != sb) return sa.CompareTo(sb);
        return string.CompareOrdinal(a.Key, b.Key);
    }

    /// <summary>pickOneNodeForPreemption, with the packing criterion before the start-time one.</summary>
    private PreemptionCandidate Pick(PodInfo pod, ClusterState cluster, List<PreemptionCandidate> candidates)
    {
        if (candidates.Count == 1) return candidates[0];
        List<PreemptionCandidate> best = candidates;
        best = Keep(best, c => -c.PdbViolations);
        if (best.Count > 1) best = Keep(best, c => -(long)c.Victims[0].Priority);
        if (best.Count > 1)
            best = Keep(best, c =>
            {
                long sum = 0;
                // Offset so that more victims of the same negative priority never look cheaper.
                foreach (PodInfo v in c.Victims) sum += v.Priority + (long)int.MaxValue + 1;
                return -sum;
            });
        if (best.Count > 1) best = Keep(best, c => -(long)c.Victims.Count);
        if (best.Count > 1) best = Keep(best, c => PackingScore(pod, cluster, c));
        if (best.Count > 1) best = Keep(best, c => EarliestStartOfMostImportant(c.Victims));
        if (best.Count > 1) best.Sort((a, b) => string.CompareOrdinal(a.Node.Name, b.Node.Name));
        return best[0];
    }

    private static List<PreemptionCandidate> Keep(List<PreemptionCandidate> candidates, Func<PreemptionCandidate, long> score)
    {
        var kept = new List<PreemptionCandidate>();
        long max = long.MinValue;
        foreach (PreemptionCandidate c in candidates)
        {
            long s = score(c);
            if (s > max)
            {
                max = s;
                kept.Clear();
            }
            if (s == max) kept.Add(c);
        }
        return kept;
    }

    /// <summary>The preemptor's resource-fit score on the candidate with its victims gone (the cluster is restored after).</summary>
    private long PackingScore(PodInfo pod, ClusterState cluster, PreemptionCandidate c)
    {
        foreach (PodInfo v in c.Victims) cluster.RemovePod(v.Key);
        try
        {
            return _engine.ResourceFitScore(pod, cluster, c.Node);
        }
        finally
        {
            foreach (PodInfo v in c.Victims)
            {
                if (cluster.FindPod(v.Key) is null) cluster.AddPod(v);
            }
        }
    }

    /// <summary>GetEarliestPodStartTime: the earliest start among the highest-priority victims (not started counts as now, i.e. latest).</summary>
    private static long EarliestStartOfMostImportant(IReadOnlyList<PodInfo> victims)
    {
        int top = victims[0].Priority;
        long earliest = long.MaxValue;
        foreach (PodInfo v in victims)
        {
            if (v.Priority > top)
            {
                top = v.Priority;
                earliest = long.MaxValue;
            }
            if (v.Priority == top) earliest = Math.Min(earliest, v.StartTimeTicks ?? long.MaxValue);
        }
        return earliest;
    }

    /// <summary>The FitError of the dry run: each tried node under its reasons, every other node "Preemption is not helpful for scheduling".</summary>
    private static string FitMessage(int total, List<IReadOnlyList<string>> statuses)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (IReadOnlyList<string> reasons in statuses)
        {
            foreach (string r in reasons) counts[r] = counts.GetValueOrDefault(r) + 1;
        }
        if (total > statuses.Count) counts[NotHelpful] = counts.GetValueOrDefault(NotHelpful) + total - statuses.Count;
        return FitError.Format(total, counts);
    }
}
