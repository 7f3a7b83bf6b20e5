namespace PackingScheduler.Core.Replay;

/// <summary>
/// Time averages over equal buckets of the measured window: 8-core pilots waiting and cpu
/// utilization (0..1). <see cref="Start"/> is bucket 0's start in seconds of trace time.
/// </summary>
public sealed record TimeSeries(long Start, long BucketSeconds, IReadOnlyList<double> WaitingMulticore, IReadOnlyList<double> Utilization);
