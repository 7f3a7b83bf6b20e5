namespace PackingScheduler.Core.Replay;

/// <summary>
/// A job in a trace: it arrives at <see cref="Arrival"/> (seconds from the trace's start), runs
/// <see cref="Duration"/> seconds once placed, and requests cpu (millicores) and memory (bytes).
/// <see cref="ClassId"/> indexes the trace's class names, for reporting per class.
/// </summary>
public sealed record TracePod(string Name, int ClassId, long Arrival, long Duration, long MilliCpu, long Memory, int Priority);
