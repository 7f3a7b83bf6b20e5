using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// Resolves unquoted scalars the way kubectl does (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1),
/// so that we reject what kubectl would reject: KubernetesYaml quietly turns `cvmfs: true` into
/// the label value "true", while kubectl fails with "cannot unmarshal bool into ... of type string".
/// A scenario should mean the same to us and to the API server.
/// </summary>
internal static partial class KubectlScalars
{
    private static readonly HashSet<string> Nulls = ["", "~", "null", "Null", "NULL"];

    private static readonly HashSet<string> Bools =
    [
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    ];

    private static readonly HashSet<string> SpecialFloats =
    [
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    ];

    public static PlainScalarKind Resolve(YamlScalarNode node)
    {
        if (node.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
            return PlainScalarKind.String;
        if (!node.Tag.IsEmpty && node.Tag.Value == "tag:yaml.org,2002:str")
            return PlainScalarKind.String;
        return Resolve(node.Value);
    }

    public static PlainScalarKind Resolve(string? plain)
    {
        plain ??= "";
        if (Nulls.Contains(plain))
            return PlainScalarKind.Null;
        if (Bools.Contains(plain))
            return PlainScalarKind.Bool;
        if (SpecialFloats.Contains(plain))
            return PlainScalarKind.Float;
        if (!"+-.0123456789".Contains(plain[0]))
            return PlainScalarKind.String;
        // go-yaml v2 drops underscores before trying strconv.ParseInt(s, 0, 64) and its float pattern.
        string digits = plain.Replace("_", "");
        if (GoInteger().IsMatch(digits))
            return PlainScalarKind.Int;
        if (YamlFloat().IsMatch(digits))
            return PlainScalarKind.Float;
        return PlainScalarKind.String;
    }

    /// <summary>A plain integer as YamlDotNet reads it into an int/long field (decimal or 0x hex).</summary>
    public static bool TryParseInteger(string plain, out long value)
    {
        string s = plain.Replace("_", "");
        bool negative = s.StartsWith('-');
        if (s.StartsWith('-') || s.StartsWith('+'))
            s = s[1..];
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(s.AsSpan(2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value)
            : long.TryParse(s, System.Globalization.NumberStyles.None, null, out value);
        if (ok && negative)
            value = -value;
        return ok;
    }

    // strconv.ParseInt with base 0: decimal, 0x hex, 0o or leading-0 octal, 0b binary.
    [GeneratedRegex(@"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$")]
    private static partial Regex GoInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlFloat();
}
