using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Engine;

/// <summary>
/// A predicate (upstream: a Filter plugin with its PreFilter). PreFilter runs once per
/// scheduling cycle and computes what Filter reads for every node; Filter must not allocate on
/// its success path and must be safe to call concurrently for different nodes.
/// </summary>
public interface IFilter
{
    FilterPlugin Plugin { get; }

    /// <summary>Per-cycle precomputation. Returns a message when the pod fits no node at all, else null.</summary>
    string? PreFilter(PodInfo pod, ClusterState cluster);

    FilterResult Filter(PodInfo pod, NodeInfo node);

    /// <summary>
    /// After PreFilter: the only node names that can pass (upstream's PreFilterResult), or null for
    /// all. Nodes outside it are not filtered; they count as "didn't satisfy plugin(s) [...]".
    /// </summary>
    IReadOnlySet<string>? PreFilterNodeNames => null;
}
