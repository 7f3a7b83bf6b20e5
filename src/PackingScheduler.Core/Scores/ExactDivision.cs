using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace PackingScheduler.Core.Scores;

/// <summary>
/// Integer division by a divisor known ahead (a node's allocatable, a weight sum) as a multiply by
/// its precomputed reciprocal and one correction step: the same quotient as <c>x / d</c> for every
/// <c>0 &lt;= x</c> and <c>d &gt;= 1</c>, at a fraction of a 64-bit division's latency.
/// </summary>
/// <remarks>
/// With <c>r = floor((2^64 - 1) / d)</c>, <c>x·r / 2^64</c> lies in <c>(x/d - 1, x/d]</c> for
/// <c>x &lt; 2^63</c> (the error is <c>x·(2^64/d - r) / 2^64 &lt; 2x / 2^64 &lt; 1</c>), so its
/// floor is the quotient or one less; the remainder tells which. Callers keep the plain division
/// for the inputs outside the range (negative numbers, overflow), so results never change.
/// </remarks>
public static class ExactDivision
{
    /// <summary>The reciprocal of <paramref name="d"/>, or 0 (no fast path) when <paramref name="d"/> &lt; 1.</summary>
    public static ulong Reciprocal(long d) => d >= 1 ? ulong.MaxValue / (ulong)d : 0;

    /// <summary><c>x / d</c> for <c>0 &lt;= x</c>, <c>d &gt;= 1</c> and <c>reciprocal = Reciprocal(d)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Divide(ulong x, long d, ulong reciprocal)
    {
        // The high half of the product only (BMI2 mulx without the low half's store where available).
        ulong q = Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(x, reciprocal) : Math.BigMul(x, reciprocal, out _);
        // Without a branch: whether the correction applies depends on the data and mispredicts.
        bool low = x - q * (ulong)d >= (ulong)d;
        return (long)(q + Unsafe.BitCast<bool, byte>(low));
    }

    /// <summary>Largest request for which <c>request * 100</c> does not overflow.</summary>
    internal const long MaxScaled = long.MaxValue / ScoreNormalization.MaxNodeScore;

    /// <summary>
    /// <see cref="NodeResourcesFitScore.MostRequested"/> with the capacity's reciprocal (0: none):
    /// the same result for every input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long MostRequested(long requested, long capacity, ulong reciprocal)
    {
        if (requested > capacity) requested = capacity;
        // reciprocal != 0: capacity >= 1; the unsigned compare also sends negative requests to the division.
        if (reciprocal != 0 && (ulong)requested <= MaxScaled)
            return Divide((ulong)requested * ScoreNormalization.MaxNodeScore, capacity, reciprocal);
        return NodeResourcesFitScore.MostRequested(requested, capacity);
    }

    /// <summary><see cref="NodeResourcesFitScore.LeastRequested"/> with the capacity's reciprocal (0: none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long LeastRequested(long requested, long capacity, ulong reciprocal)
    {
        if (reciprocal == 0 || requested > capacity) return NodeResourcesFitScore.LeastRequested(requested, capacity);
        // capacity >= requested and capacity >= 1: the difference is >= 0 unless it wrapped (then negative: the division).
        long free = capacity - requested;
        if ((ulong)free <= MaxScaled) return Divide((ulong)free * ScoreNormalization.MaxNodeScore, capacity, reciprocal);
        return NodeResourcesFitScore.LeastRequested(requested, capacity);
    }
}
