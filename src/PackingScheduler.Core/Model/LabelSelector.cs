using System.Diagnostics;

namespace PackingScheduler.Core.Model;

public enum SelectorOperator : byte { In, NotIn, Exists, DoesNotExist, Gt, Lt }

/// <summary>One compiled requirement: key, operator and interned values (sorted) or the integer bound for Gt/Lt.</summary>
[DebuggerDisplay("{Key} {Operator}")]
public readonly struct SelectorRequirement
{
    public SelectorRequirement(int key, SelectorOperator op, int[] values, long bound = 0)
    {
        Key = key;
        Operator = op;
        Values = values;
        Bound = bound;
    }

    public int Key { get; }
    public SelectorOperator Operator { get; }
    public int[] Values { get; }
    public long Bound { get; }

    public bool Matches(LabelSet labels, Interner interner)
    {
        bool has = labels.TryGetValue(Key, out int value);
        switch (Operator)
        {
            case SelectorOperator.In:
                return has && Array.IndexOf(Values, value) >= 0;
            case SelectorOperator.NotIn:
                return !has || Array.IndexOf(Values, value) < 0;
            case SelectorOperator.Exists:
                return has;
            case SelectorOperator.DoesNotExist:
                return !has;
            case SelectorOperator.Gt:
                return has && interner.TryGetInt64(value, out long g) && g > Bound;
            case SelectorOperator.Lt:
                return has && interner.TryGetInt64(value, out long l) && l < Bound;
            default:
                return false;
        }
    }
}

/// <summary>
/// A compiled metav1.LabelSelector: requirements ANDed. A null selector in the API selects
/// nothing (<see cref="Nothing"/>); an empty one selects everything.
/// </summary>
public sealed class LabelSelector
{
    public static readonly LabelSelector Nothing = new(Array.Empty<SelectorRequirement>(), matchesNothing: true);
    public static readonly LabelSelector Everything = new(Array.Empty<SelectorRequirement>(), matchesNothing: false);

    public LabelSelector(SelectorRequirement[] requirements, bool matchesNothing = false)
    {
        Requirements = requirements;
        MatchesNothing = matchesNothing;
    }

    public SelectorRequirement[] Requirements { get; }
    public bool MatchesNothing { get; }
    public bool IsEverything => !MatchesNothing && Requirements.Length == 0;

    public bool Matches(LabelSet labels, Interner interner)
    {
        if (MatchesNothing) return false;
        SelectorRequirement[] reqs = Requirements;
        for (int i = 0; i < reqs.Length; i++)
        {
            if (!reqs[i].Matches(labels, interner)) return false;
        }
        return true;
    }
}
