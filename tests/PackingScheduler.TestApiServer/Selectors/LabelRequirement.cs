using System.Globalization;

namespace PackingScheduler.TestApiServer;

/// <summary>One term of a label selector, with the API server's semantics (e.g. <c>!=</c> and <c>notin</c> match a missing label).</summary>
internal sealed record LabelRequirement(string Key, LabelOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            LabelOperator.Equals => has && value == Values[0],
            LabelOperator.NotEquals => !has || value != Values[0],
            LabelOperator.In => has && Values.Contains(value!),
            LabelOperator.NotIn => !has || !Values.Contains(value!),
            LabelOperator.Exists => has,
            LabelOperator.DoesNotExist => !has,
            LabelOperator.GreaterThan => has && TryInt(value!, out var g) && TryInt(Values[0], out var gv) && g > gv,
            LabelOperator.LessThan => has && TryInt(value!, out var l) && TryInt(Values[0], out var lv) && l < lv,
            _ => false,
        };
    }

    private static bool TryInt(string s, out long v) => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v);
}
