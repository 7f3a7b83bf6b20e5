using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Policy;

/// <summary>
/// A YAML mapping of a configuration file read strictly, as kube-scheduler's strict decoder does
/// (sigs.k8s.io/yaml turns YAML into JSON, then decodes it strictly): unknown and repeated fields
/// are errors and every value must have the field's JSON type, so a quoted "100" is not a number
/// and a plain 100 is not a string. Absent and null fields read as null.
/// </summary>
internal sealed partial class YamlConfigObject
{
    private readonly YamlMappingNode _node;

    public string Source { get; }
    public string Path { get; }
    public YamlNode Node => _node;

    public YamlConfigObject(string source, string path, YamlNode node)
    {
        Source = source;
        Path = path;
        if (node is not YamlMappingNode mapping)
            throw Error(node, path, $"expected a mapping, got {Describe(node)}");
        _node = mapping;
    }

    public static ConfigurationException Error(string source, YamlNode at, string path, string message) =>
        ConfigErrors.At(source, (int)at.Start.Line, (int)at.Start.Column, path, message);

    public ConfigurationException Error(YamlNode at, string path, string message) => Error(Source, at, path, message);

    public string ChildPath(string field) => ConfigErrors.Child(Path, field);

    public void CheckFields(params string[] allowed)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in _node.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
                throw Error(key, Path, $"field names must be plain strings, got {Describe(key)}");
            if (Array.IndexOf(allowed, name) < 0)
            {
                string where = Path.Length == 0 ? "the top level" : Path;
                throw Error(key, ChildPath(name),
                    $"unknown field {ConfigErrors.Quoted(name)}{ConfigErrors.Suggestion(name, allowed)}; allowed fields at {where}: {ConfigErrors.List(allowed)}");
            }
            if (!seen.Add(name))
                throw Error(key, ChildPath(name), "field appears twice");
        }
    }

    /// <summary>The field's node, or null when absent or null.</summary>
    public YamlNode? Get(string field)
    {
        foreach (var (key, value) in _node.Children)
            if (key is YamlScalarNode { Value: { } name } && name == field)
                return IsNull(value) ? null : value;
        return null;
    }

    public YamlNode? KeyOf(string field)
    {
        foreach (var (key, _) in _node.Children)
            if (key is YamlScalarNode { Value: { } name } && name == field)
                return key;
        return null;
    }

    public string? String(string field) => Get(field) is { } node ? AsString(node, ChildPath(field)) : null;

    public string AsString(YamlNode node, string path) =>
        node is YamlScalarNode scalar && Resolve(scalar) == ScalarKind.String
            ? scalar.Value ?? ""
            : throw Error(node, path, $"expected a string, got {Describe(node)}");

    public long? Int64(string field)
    {
        if (Get(field) is not { } node) return null;
        if (node is YamlScalarNode scalar && Resolve(scalar) == ScalarKind.Integer
            && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            return value;
        throw Error(node, ChildPath(field), $"expected an integer, got {Describe(node)}");
    }

    public int? Int32(string field)
    {
        long? value = Int64(field);
        if (value is < int.MinValue or > int.MaxValue)
            throw Error(Get(field)!, ChildPath(field), $"{value} does not fit in a 32-bit integer");
        return (int?)value;
    }

    public double? Double(string field)
    {
        if (Get(field) is not { } node) return null;
        if (node is YamlScalarNode scalar && Resolve(scalar) is ScalarKind.Integer or ScalarKind.Float
            && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            return value;
        throw Error(node, ChildPath(field), $"expected a number, got {Describe(node)}");
    }

    public bool? Bool(string field)
    {
        if (Get(field) is not { } node) return null;
        if (node is YamlScalarNode scalar && Resolve(scalar) == ScalarKind.Bool)
            return TrueWords.Contains(scalar.Value!);
        throw Error(node, ChildPath(field), $"expected true or false, got {Describe(node)}");
    }

    public YamlConfigObject? Object(string field) =>
        Get(field) is { } node ? new YamlConfigObject(Source, ChildPath(field), node) : null;

    /// <summary>The sequence's items with their paths; null when absent or null.</summary>
    public IReadOnlyList<(YamlNode Node, string Path)>? List(string field)
    {
        if (Get(field) is not { } node) return null;
        if (node is not YamlSequenceNode sequence)
            throw Error(node, ChildPath(field), $"expected a list, got {Describe(node)}");
        var items = new List<(YamlNode, string)>();
        int i = 0;
        foreach (var item in sequence.Children)
            items.Add((item, ConfigErrors.Index(ChildPath(field), i++)));
        return items;
    }

    private enum ScalarKind { String, Integer, Float, Bool, Null }

    // go-yaml v2's YAML 1.1 resolution, which sigs.k8s.io/yaml uses: these plain words are booleans.
    private static readonly HashSet<string> TrueWords = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
    private static readonly HashSet<string> FalseWords = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];
    private static readonly HashSet<string> NullWords = ["", "~", "null", "Null", "NULL"];

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    private static ScalarKind Resolve(YamlScalarNode scalar)
    {
        string tag = scalar.Tag.IsEmpty ? "" : scalar.Tag.Value;
        if (tag == "tag:yaml.org,2002:str" || scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
            return ScalarKind.String;
        string value = scalar.Value ?? "";
        if (NullWords.Contains(value)) return ScalarKind.Null;
        if (TrueWords.Contains(value) || FalseWords.Contains(value)) return ScalarKind.Bool;
        if (IntegerPattern().IsMatch(value)) return ScalarKind.Integer;
        if (FloatPattern().IsMatch(value)) return ScalarKind.Float;
        return ScalarKind.String;
    }

    private static bool IsNull(YamlNode node) => node is YamlScalarNode scalar && Resolve(scalar) == ScalarKind.Null;

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => Resolve(scalar) switch
        {
            ScalarKind.String => $"the string {ConfigErrors.Quoted(scalar.Value ?? "")}",
            ScalarKind.Integer or ScalarKind.Float => $"the number {scalar.Value}",
            ScalarKind.Bool => $"the boolean {scalar.Value}",
            _ => "null",
        },
        _ => "an alias",
    };
}
