namespace PackingScheduler.Core.Replay;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a seeded generator written out here rather than
/// System.Random, so that a trace seed gives the same trace on every .NET version and platform.
/// </summary>
public sealed class SplitMix64Random : IRandomSource
{
    private ulong _state;

    public SplitMix64Random(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The top 53 bits as a fraction: every double in [0, 1) with that spacing, equally likely.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
