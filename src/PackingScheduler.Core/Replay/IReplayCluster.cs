namespace PackingScheduler.Core.Replay;

/// <summary>
/// Where a replay places jobs: the real scheduling engine over real nodes, or the repacking
/// bound. Jobs are named by their index in the trace.
/// </summary>
public interface IReplayCluster
{
    /// <summary>Places the job now if it fits; false leaves the cluster unchanged.</summary>
    bool TryPlace(int pod);

    /// <summary>The job finished: its resources are free again.</summary>
    void Remove(int pod);

    /// <summary>
    /// False when a job that did not fit before the last <see cref="Remove"/> calls (since
    /// <see cref="ForgetRemovals"/>) certainly still does not: no node they freed has room for it.
    /// True when it might; then <see cref="TryPlace"/> decides.
    /// </summary>
    bool MightFitAfterRemovals(int pod);

    void ForgetRemovals();

    long TotalMilliCpu { get; }

    /// <summary>cpu requested by the running jobs.</summary>
    long BusyMilliCpu { get; }

    int NodesInUse { get; }

    /// <summary>Free cpu that cannot take an 8-core pilot (see docs/packing.md for each cluster's definition).</summary>
    long StrandedMilliCpu { get; }
}
