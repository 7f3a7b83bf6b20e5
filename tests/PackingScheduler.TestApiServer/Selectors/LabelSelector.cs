using System.Text.RegularExpressions;

namespace PackingScheduler.TestApiServer;

/// <summary>
/// A parsed <c>labelSelector</c> query: comma-separated (AND) terms of <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>,
/// <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c>, <c>k&gt;n</c>, <c>k&lt;n</c>.
/// </summary>
internal sealed partial class LabelSelector
{
    public static readonly LabelSelector Everything = new([]);

    private readonly IReadOnlyList<LabelRequirement> _requirements;

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements)
    {
        _requirements = requirements;
    }

    public bool IsEverything => _requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var raw in SplitTopLevel(text))
        {
            var term = raw.Trim();
            requirements.Add(ParseTerm(term, text));
        }

        return new LabelSelector(requirements);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in _requirements)
        {
            if (!r.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    private static LabelRequirement ParseTerm(string term, string whole)
    {
        if (term.Length == 0)
        {
            throw Error(whole, "empty requirement");
        }

        if (term[0] == '!')
        {
            return new LabelRequirement(Key(term[1..].Trim(), whole), LabelOperator.DoesNotExist, []);
        }

        var set = SetTerm().Match(term);
        if (set.Success)
        {
            var values = set.Groups[3].Value.Split(',').Select(v => Value(v.Trim(), whole)).ToList();
            var op = set.Groups[2].Value == "in" ? LabelOperator.In : LabelOperator.NotIn;
            return new LabelRequirement(Key(set.Groups[1].Value, whole), op, values);
        }

        foreach (var (token, op) in new[]
                 {
                     ("!=", LabelOperator.NotEquals), ("==", LabelOperator.Equals), ("=", LabelOperator.Equals),
                     (">", LabelOperator.GreaterThan), ("<", LabelOperator.LessThan),
                 })
        {
            var at = term.IndexOf(token, StringComparison.Ordinal);
            if (at >= 0)
            {
                var key = Key(term[..at].Trim(), whole);
                var value = Value(term[(at + token.Length)..].Trim(), whole);
                return new LabelRequirement(key, op, [value]);
            }
        }

        return new LabelRequirement(Key(term, whole), LabelOperator.Exists, []);
    }

    private static string Key(string key, string whole) =>
        KeyPattern().IsMatch(key) ? key : throw Error(whole, $"invalid label key \"{key}\"");

    private static string Value(string value, string whole) =>
        ValuePattern().IsMatch(value) ? value : throw Error(whole, $"invalid label value: \"{value}\"");

    private static ApiStatusException Error(string whole, string why) =>
        ApiStatusException.BadRequest($"unable to parse requirement: {why} (selector \"{whole}\")");

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9._/-]*)\s+(in|notin)\s*\(([^)]*)\)$")]
    private static partial Regex SetTerm();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?$")]
    private static partial Regex ValuePattern();
}
