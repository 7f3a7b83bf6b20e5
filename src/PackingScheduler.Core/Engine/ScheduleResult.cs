using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Engine;

/// <summary>
/// The outcome of one scheduling cycle: the chosen node and its total weighted score, or the
/// FailedScheduling message, plus per-node detail when an explanation was asked for.
/// </summary>
public sealed record ScheduleResult(
    NodeInfo? Node,
    long Score,
    string? Message,
    int EvaluatedNodes,
    int FeasibleNodes,
    IReadOnlyList<NodeExplanation>? Explanation = null)
{
    public bool Scheduled => Node is not null;

    /// <summary>The filter failures per node that were not resolvable by preemption (for later use by preemption).</summary>
    public IReadOnlyDictionary<string, NodeVerdict>? Verdicts { get; init; }
}

/// <summary>How one filter treated one node.</summary>
public sealed record NodeVerdict(string Plugin, IReadOnlyList<string> Reasons, bool Unresolvable);

/// <summary>One score plugin's contribution on one node.</summary>
public sealed record ScoreComponent(string Plugin, long Raw, long Normalized, long Weight)
{
    public long Weighted => Normalized * Weight;
}

/// <summary>Why a node was rejected, or how it scored.</summary>
public sealed record NodeExplanation(string Node, NodeVerdict? Rejected, IReadOnlyList<ScoreComponent>? Scores, long? Total, bool Chosen)
{
    public bool Evaluated => Rejected is not null || Scores is not null;
}
