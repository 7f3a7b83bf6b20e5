namespace PackingScheduler.Core.Replay;

/// <summary>
/// Identical worker nodes, the compact form of a trace's cluster: <see cref="Count"/> nodes named
/// NAME-001, NAME-002, ... with the given allocatable cpu (millicores), memory (bytes) and pods.
/// </summary>
public sealed record NodeGroup(string Name, int Count, long MilliCpu, long Memory, long Pods = 110);
