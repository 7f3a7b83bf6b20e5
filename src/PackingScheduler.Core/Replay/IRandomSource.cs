namespace PackingScheduler.Core.Replay;

/// <summary>
/// Where the trace generator's randomness comes from, injected so that a seed fixes the trace
/// and tests can pass their own source.
/// </summary>
public interface IRandomSource
{
    /// <summary>A uniform double in [0, 1).</summary>
    double NextDouble();
}
