namespace PackingScheduler.Core.Replay;

/// <summary>
/// One replay's figures (docs/packing.md defines each). Waits are in seconds, nearest-rank
/// percentiles over the measured jobs; the time integrals cover the measured window.
/// </summary>
public sealed record StrategyResult
{
    public required string Name { get; init; }

    /// <summary>Share of measured 8-core pilots placed the moment they arrived (0..1); null without any.</summary>
    public double? MulticorePlacedOnArrival { get; init; }

    /// <summary>
    /// Share of measured 8-core pilots that were placed on arrival or, when they were not, would
    /// have fit had every running job been moved at that moment (the cpu was free, only scattered):
    /// the most a better placement could have achieved from the same state. The gap to
    /// <see cref="MulticorePlacedOnArrival"/> is what fragmentation cost.
    /// </summary>
    public double? MulticoreRepackableOnArrival { get; init; }

    public required ClassResult Multicore { get; init; }
    public required ClassResult SingleCore { get; init; }
    public required IReadOnlyList<ClassResult> Classes { get; init; }

    /// <summary>∫ (free cores that cannot take an 8-core pilot) dt over the times an 8-core pilot waits, in core-hours.</summary>
    public double StrandedCoreHours { get; init; }
    public int NodesUsedMax { get; init; }
    public double NodesUsedMean { get; init; }
    public double UtilizationMean { get; init; }

    /// <summary>Time-average number of 8-core pilots waiting.</summary>
    public double MulticoreWaitingMean { get; init; }

    public long TotalMilliCpu { get; init; }

    /// <summary>The measured window in seconds of trace time.</summary>
    public long WindowStart { get; init; }
    public long WindowEnd { get; init; }

    /// <summary>Scheduling cycles the engine ran (the bound counts its fit checks).</summary>
    public long Decisions { get; init; }

    public required TimeSeries Series { get; init; }
}
