using System.Runtime.CompilerServices;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Tests.Support;

namespace PackingScheduler.Core.Tests.Cache;

/// <summary>The node rows ClusterState keeps mirror the NodeInfos after any sequence of pod and node changes.</summary>
public sealed class NodeRowTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Rows_equal_rows_recomputed_from_the_nodes(int seed)
    {
        var c = new RandomAffinityCluster(seed, nodes: 20, termProbability: 0.2, cpuMilli: 4000);
        for (int step = 0; step < 600; step++)
        {
            c.Mutate();
            if (step % 25 != 24) continue;
            ReadOnlySpan<NodeRow> rows = c.State.NodeRows;
            Assert.Equal(c.State.Nodes.Count, rows.Length);
            for (int i = 0; i < rows.Length; i++)
            {
                NodeInfo node = c.State.Nodes[i];
                NodeRow row = rows[i];
                Assert.Equal(node.Taints, c.State.TaintSets[row.TaintSet]);
                Assert.Equal(new NodeRow(node, row.TaintSet), row);
                Assert.Equal(node.Pods.Count, row.PodCount);
                Assert.Equal(node.Requested.MilliCpu, row.RequestedMilliCpu);
            }
        }
    }

    [Fact]
    public void A_row_is_80_bytes() => Assert.Equal(80, Unsafe.SizeOf<NodeRow>());

    [Fact]
    public void Reciprocals_follow_the_allocatable()
    {
        var c = new RandomAffinityCluster(5, nodes: 20, termProbability: 0.2, cpuMilli: 4000);
        foreach (NodeRow row in c.State.NodeRows)
        {
            Assert.Equal(Core.Scores.ExactDivision.Reciprocal(row.AllocatableMilliCpu), row.CpuReciprocal);
            Assert.Equal(Core.Scores.ExactDivision.Reciprocal(row.AllocatableMemory), row.MemoryReciprocal);
        }
    }

    [Fact]
    public void Free_amounts_and_flags_follow_the_node()
    {
        var c = new RandomAffinityCluster(6, nodes: 20, termProbability: 0.2, cpuMilli: 4000);
        for (int i = 0; i < c.State.Nodes.Count; i++)
        {
            NodeInfo node = c.State.Nodes[i];
            NodeRow row = c.State.NodeRows[i];
            Assert.Equal(unchecked(node.Allocatable.MilliCpu - node.Requested.MilliCpu), row.FreeMilliCpu);
            Assert.Equal(unchecked(node.Allocatable.Memory - node.Requested.Memory), row.FreeMemory);
            Assert.Equal(node.Requested.MilliCpu, row.RequestedMilliCpu);
            Assert.Equal(node.Requested.Memory, row.RequestedMemory);
            Assert.Equal(node.Unschedulable, row.Unschedulable);
        }
        var wrapping = new NodeInfo("w", 0) { Allocatable = new ResourceAmounts(long.MinValue + 1, long.MaxValue, 0), Unschedulable = true };
        var w = new NodeRow(wrapping, 0);
        Assert.Equal(0, w.RequestedMilliCpu);
        Assert.True(w.Unschedulable);
        Assert.False(w.HasNoScheduleTaints);
    }
}
