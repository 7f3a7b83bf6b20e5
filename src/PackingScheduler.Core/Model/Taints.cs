using System.Diagnostics;

namespace PackingScheduler.Core.Model;

public enum TaintEffect : byte { None = 0, NoSchedule, PreferNoSchedule, NoExecute }

public enum TolerationOperator : byte { Equal, Exists }

[DebuggerDisplay("{Key}={Value}:{Effect}")]
public readonly record struct Taint(int Key, int Value, TaintEffect Effect);

/// <summary>A compiled toleration. Key <see cref="Interner.None"/> with Exists tolerates every taint; Effect None matches every effect.</summary>
[DebuggerDisplay("{Key} {Operator} {Value}:{Effect}")]
public readonly record struct Toleration(int Key, TolerationOperator Operator, int Value, TaintEffect Effect)
{
    public bool Tolerates(in Taint taint)
    {
        if (Effect != TaintEffect.None && Effect != taint.Effect) return false;
        if (Key != Interner.None && Key != taint.Key) return false;
        return Operator == TolerationOperator.Exists || Value == taint.Value;
    }

    public static bool AnyTolerates(ReadOnlySpan<Toleration> tolerations, in Taint taint)
    {
        for (int i = 0; i < tolerations.Length; i++)
        {
            if (tolerations[i].Tolerates(taint)) return true;
        }
        return false;
    }
}
