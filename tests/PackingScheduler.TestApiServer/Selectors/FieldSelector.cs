using System.Text;
using System.Text.Json;

namespace PackingScheduler.TestApiServer;

/// <summary>
/// A parsed <c>fieldSelector</c> query: comma-separated (AND) <c>field=value</c>, <c>field==value</c>, <c>field!=value</c>
/// terms, with the API server's escaping (<c>\,</c> <c>\=</c> <c>\\</c>) and its per-resource list of supported fields.
/// </summary>
internal sealed class FieldSelector
{
    public static readonly FieldSelector Everything = new([]);

    /// <summary>Fields whose value the API server reports as a formatted bool even when unset.</summary>
    private static readonly Dictionary<string, string> Defaults = new(StringComparer.Ordinal)
    {
        ["spec.hostNetwork"] = "false",
        ["spec.unschedulable"] = "false",
    };

    private readonly IReadOnlyList<FieldRequirement> _requirements;

    private FieldSelector(IReadOnlyList<FieldRequirement> requirements)
    {
        _requirements = requirements;
    }

    public IReadOnlyList<FieldRequirement> Requirements => _requirements;

    public static FieldSelector Parse(string? text, ResourceType rt)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }

        var requirements = new List<FieldRequirement>();
        foreach (var term in SplitUnescaped(text))
        {
            if (term.Length == 0)
            {
                continue;
            }

            requirements.Add(ParseTerm(term, rt));
        }

        return new FieldSelector(requirements);
    }

    public bool Matches(JsonElement root, ResourceType rt)
    {
        foreach (var r in _requirements)
        {
            var actual = Value(root, rt, r.Field);
            if ((actual == r.Value) == r.Negated)
            {
                return false;
            }
        }

        return true;
    }

    private static string Value(JsonElement root, ResourceType rt, string field)
    {
        var path = field == "source" && rt == ResourceRegistry.CoreEvents ? "source.component" : field;
        var value = ObjectJson.FieldValue(root, path);
        return value.Length == 0 && Defaults.TryGetValue(field, out var dflt) ? dflt : value;
    }

    private static FieldRequirement ParseTerm(string term, ResourceType rt)
    {
        for (var i = 0; i < term.Length; i++)
        {
            if (term[i] == '\\')
            {
                i++;
                continue;
            }

            (int Length, bool Negated)? op = term[i] switch
            {
                '!' when i + 1 < term.Length && term[i + 1] == '=' => (2, true),
                '=' when i + 1 < term.Length && term[i + 1] == '=' => (2, false),
                '=' => (1, false),
                _ => null,
            };
            if (op is { } found)
            {
                var field = term[..i];
                if (!rt.FieldLabels.Contains(field))
                {
                    throw ApiStatusException.BadRequest($"field label not supported: {field}");
                }

                return new FieldRequirement(field, found.Negated, Unescape(term[(i + found.Length)..]));
            }
        }

        throw ApiStatusException.BadRequest($"invalid selector: '{term}'; can't understand '{term}'");
    }

    private static string Unescape(string value)
    {
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                if (i + 1 >= value.Length || value[i + 1] is not ('\\' or ',' or '='))
                {
                    throw ApiStatusException.BadRequest($"invalid field selector value escape in '{value}'");
                }

                i++;
            }

            sb.Append(value[i]);
        }

        return sb.ToString();
    }

    private static List<string> SplitUnescaped(string text)
    {
        var terms = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == ',')
            {
                terms.Add(text[start..i]);
                start = i + 1;
            }
        }

        terms.Add(text[start..]);
        return terms;
    }
}
