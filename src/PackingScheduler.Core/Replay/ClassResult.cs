namespace PackingScheduler.Core.Replay;

/// <summary>Wait times of the measured jobs of one class (or of all 8-core or all 1-core jobs).</summary>
public sealed record ClassResult(
    string Name,
    int Count,
    int Unplaced,
    double? PlacedOnArrival,
    long? WaitP50Seconds,
    long? WaitP95Seconds,
    double? WaitMeanSeconds);
