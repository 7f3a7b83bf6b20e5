using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Predicates;

/// <summary>
/// The pod's host ports must be free on the node: same protocol and port conflict when either
/// side binds 0.0.0.0 or both bind the same IP.
/// </summary>
public sealed class NodePorts : IFilter, IFilterShortcut
{
    public const string Reason = "node(s) didn't have free ports for the requested pod ports";

    private readonly int _bindAll;

    public NodePorts(Interner interner) => _bindAll = interner.Intern("0.0.0.0");

    public FilterPlugin Plugin => FilterPlugin.NodePorts;

    private bool _noPorts;

    public string? PreFilter(PodInfo pod, ClusterState cluster)
    {
        _noPorts = pod.HostPorts.Length == 0;
        return null;
    }

    bool IFilterShortcut.PassesAll => _noPorts;
    RowCondition? IFilterShortcut.RowCondition => null;

    public FilterResult Filter(PodInfo pod, NodeInfo node)
    {
        HostPort[] wanted = pod.HostPorts;
        if (wanted.Length == 0) return FilterResult.Success;
        IReadOnlyList<HostPort> used = node.UsedPorts;
        for (int i = 0; i < wanted.Length; i++)
        {
            HostPort w = wanted[i];
            for (int j = 0; j < used.Count; j++)
            {
                HostPort u = used[j];
                if (u.Port != w.Port || u.Protocol != w.Protocol) continue;
                if (w.HostIp == _bindAll || u.HostIp == _bindAll || u.HostIp == w.HostIp)
                    return FilterResult.Fail(Reason);
            }
        }
        return FilterResult.Success;
    }
}
