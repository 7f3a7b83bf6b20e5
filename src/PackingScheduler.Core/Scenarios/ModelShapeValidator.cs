using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s.Models;
using PackingScheduler.Core.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// Walks a document's YAML tree alongside the KubernetesClient model type it will be read into,
/// before it is read, and reports the first mismatch with its field path and line. Without this,
/// KubernetesYaml either fails with "Exception during deserialization" or, worse, accepts what the
/// API server would reject (an unquoted `true` as a label value, a misspelt field that it drops).
/// Quantities in resource lists are checked with our own exact parser, which the engine uses too.
/// </summary>
internal static partial class ModelShapeValidator
{
    private const string ModelNamespace = "k8s.Models";

    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, PropertyInfo>> FieldsByType = new();

    public static void Validate(YamlNode root, Type modelType, DocumentContext context)
        => CheckField(root, modelType, "", context);

    // A field set to null is the same as a field left out, for kubectl as for KubernetesYaml.
    private static void CheckField(YamlNode node, Type type, string path, DocumentContext context)
    {
        if (IsNull(node))
            return;
        CheckValue(node, type, path, context);
    }

    // A null list item or map value is not "absent": it would reach the engine as a null.
    private static void CheckElement(YamlNode node, Type type, string path, DocumentContext context)
    {
        if (IsNull(node))
        {
            string hint = type == typeof(string) ? "; write \"\" for an empty string" : "";
            throw context.Error(path, $"expected {Expected(type)}, got null{hint}", node);
        }
        CheckValue(node, type, path, context);
    }

    private static void CheckValue(YamlNode node, Type type, string path, DocumentContext context)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
            RequireString(node, path, context);
        else if (type == typeof(bool))
            RequireBool(node, path, context);
        else if (type == typeof(int))
            RequireInteger(node, path, int.MinValue, int.MaxValue, context);
        else if (type == typeof(long))
            RequireInteger(node, path, long.MinValue, long.MaxValue, context);
        else if (type == typeof(double) || type == typeof(float))
            RequireNumber(node, path, context);
        else if (type == typeof(ResourceQuantity))
            RequireQuantity(node, path, resourceName: null, context);
        else if (type == typeof(IntOrString) || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(byte[]))
            RequireScalar(node, type, path, context);
        else if (DictionaryValueType(type) is Type valueType)
            CheckMap(node, type, valueType, path, context);
        else if (ListElementType(type) is Type elementType)
            CheckList(node, type, elementType, path, context);
        else if (type.IsClass && type.Namespace == ModelNamespace)
            CheckObject(node, type, path, context);
        // Anything else (object, JsonElement): free-form; the deserializer decides.
    }

    private static void CheckObject(YamlNode node, Type type, string path, DocumentContext context)
    {
        YamlMappingNode mapping = RequireMapping(node, type, path, context);
        IReadOnlyDictionary<string, PropertyInfo> fields = Fields(type);
        foreach ((YamlNode keyNode, YamlNode value) in mapping.Children)
        {
            string key = RequireKey(keyNode, path, context);
            string fieldPath = Child(path, key);
            if (!fields.TryGetValue(key, out PropertyInfo? property))
                throw context.Error(fieldPath, UnknownField(key, fields.Keys), keyNode);
            CheckField(value, property.PropertyType, fieldPath, context);
        }
    }

    private static void CheckMap(YamlNode node, Type type, Type valueType, string path, DocumentContext context)
    {
        YamlMappingNode mapping = RequireMapping(node, type, path, context);
        foreach ((YamlNode keyNode, YamlNode value) in mapping.Children)
        {
            string key = RequireKey(keyNode, path, context);
            string entryPath = Child(path, key);
            if (valueType == typeof(ResourceQuantity))
            {
                if (IsNull(value))
                    throw context.Error(entryPath, "expected a quantity (such as 500m or 2Gi), got null", value);
                RequireQuantity(value, entryPath, key, context);
            }
            else
            {
                CheckElement(value, valueType, entryPath, context);
            }
        }
    }

    private static void CheckList(YamlNode node, Type type, Type elementType, string path, DocumentContext context)
    {
        if (node is not YamlSequenceNode sequence)
        {
            string hint = node is YamlMappingNode ? "; list items start with '- '" : "";
            throw context.Error(path, $"expected {Expected(type)}, got {Describe(node)}{hint}", node);
        }
        int i = 0;
        foreach (YamlNode item in sequence.Children)
        {
            CheckElement(item, elementType, $"{path}[{i}]", context);
            i++;
        }
    }

    private static YamlMappingNode RequireMapping(YamlNode node, Type type, string path, DocumentContext context)
        => node as YamlMappingNode
           ?? throw context.Error(path, $"expected {Expected(type)}, got {Describe(node)}", node);

    private static string RequireKey(YamlNode keyNode, string path, DocumentContext context)
        => keyNode is YamlScalarNode { Value: { } key }
            ? key
            : throw context.Error(path, $"expected field names as keys, got {Describe(keyNode)} as a key", keyNode);

    private static YamlScalarNode RequireScalar(YamlNode node, Type type, string path, DocumentContext context)
        => node as YamlScalarNode
           ?? throw context.Error(path, $"expected {Expected(type)}, got {Describe(node)}", node);

    private static void RequireString(YamlNode node, string path, DocumentContext context)
    {
        YamlScalarNode scalar = RequireScalar(node, typeof(string), path, context);
        PlainScalarKind kind = KubectlScalars.Resolve(scalar);
        if (kind is PlainScalarKind.Bool or PlainScalarKind.Int or PlainScalarKind.Float)
        {
            throw context.Error(path,
                $"expected a string, got {Describe(scalar)}; quote it (\"{scalar.Value}\") - kubectl rejects an unquoted {(kind == PlainScalarKind.Bool ? "boolean" : "number")} here too",
                node);
        }
    }

    private static void RequireBool(YamlNode node, string path, DocumentContext context)
    {
        YamlScalarNode scalar = RequireScalar(node, typeof(bool), path, context);
        if (KubectlScalars.Resolve(scalar) == PlainScalarKind.Bool)
            return;
        throw context.Error(path, $"expected true or false, got {Describe(scalar)}{QuotedHint(scalar, PlainScalarKind.Bool)}", node);
    }

    private static void RequireInteger(YamlNode node, string path, long min, long max, DocumentContext context)
    {
        YamlScalarNode scalar = RequireScalar(node, typeof(long), path, context);
        if (KubectlScalars.Resolve(scalar) != PlainScalarKind.Int || !KubectlScalars.TryParseInteger(scalar.Value!, out long value))
            throw context.Error(path, $"expected an integer, got {Describe(scalar)}{QuotedHint(scalar, PlainScalarKind.Int)}", node);
        if (value < min || value > max)
            throw context.Error(path, $"integer {scalar.Value} is out of range ({min} to {max})", node);
    }

    private static void RequireNumber(YamlNode node, string path, DocumentContext context)
    {
        YamlScalarNode scalar = RequireScalar(node, typeof(double), path, context);
        if (KubectlScalars.Resolve(scalar) is not (PlainScalarKind.Int or PlainScalarKind.Float))
            throw context.Error(path, $"expected a number, got {Describe(scalar)}{QuotedHint(scalar, PlainScalarKind.Float)}", node);
    }

    /// <summary>
    /// A quantity may be written as a string or as a YAML number (`cpu: 2`, `cpu: 0.5`). Inside a
    /// resource list (<paramref name="resourceName"/> set) it must also be non-negative and fit
    /// the engine's integers: millicores for cpu, whole units for everything else.
    /// </summary>
    private static void RequireQuantity(YamlNode node, string path, string? resourceName, DocumentContext context)
    {
        YamlScalarNode scalar = RequireScalar(node, typeof(ResourceQuantity), path, context);
        if (KubectlScalars.Resolve(scalar) is PlainScalarKind.Bool or PlainScalarKind.Null)
            throw context.Error(path, $"expected a quantity (such as 500m or 2Gi), got {Describe(scalar)}", node);
        string text = scalar.Value ?? "";
        string error;
        bool ok = resourceName switch
        {
            null => Quantity.TryParse(text, out _, out error),
            "cpu" => Quantity.TryParseMilli(text, out _, out error),
            _ => Quantity.TryParseValue(text, out _, out error),
        };
        if (!ok)
            throw context.Error(path, error, node);
    }

    // kubectl does not read "5" as a number or "true" as a boolean: quotes make a string.
    private static string QuotedHint(YamlScalarNode scalar, PlainScalarKind wanted)
    {
        if (scalar.Style is not (ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted))
            return "";
        PlainScalarKind unquoted = KubectlScalars.Resolve(scalar.Value);
        bool fits = unquoted == wanted || (wanted == PlainScalarKind.Float && unquoted == PlainScalarKind.Int);
        return fits ? "; remove the quotes" : "";
    }

    private static string UnknownField(string key, IEnumerable<string> known)
    {
        string? suggestion = known
            .Select(k => (Name: k, Distance: EditDistance(key.ToLowerInvariant(), k.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(1, key.Length / 4))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        return suggestion is null
            ? "unknown field (kubectl would reject it)"
            : $"unknown field (kubectl would reject it); did you mean '{suggestion}'?";
    }

    private static int EditDistance(string a, string b)
    {
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static bool IsNull(YamlNode node)
        => node is YamlScalarNode scalar && KubectlScalars.Resolve(scalar) == PlainScalarKind.Null;

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => KubectlScalars.Resolve(s) switch
        {
            PlainScalarKind.Null => "null",
            PlainScalarKind.Bool => $"the boolean {s.Value}",
            PlainScalarKind.Int or PlainScalarKind.Float => $"the number {s.Value}",
            _ => $"'{s.Value}'",
        },
        _ => "an alias",
    };

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(ResourceQuantity)) return "a quantity (such as 500m or 2Gi)";
        if (type == typeof(IntOrString)) return "a number or a string";
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return "a timestamp";
        if (DictionaryValueType(type) is not null) return "a mapping";
        if (ListElementType(type) is not null) return "a list";
        return "a mapping";
    }

    /// <summary>"spec.containers" + "resources"; keys that are not plain names go in brackets, as Kubernetes' own field paths do.</summary>
    private static string Child(string path, string key)
    {
        if (!PlainName().IsMatch(key))
            return $"{path}[{key}]";
        return path.Length == 0 ? key : $"{path}.{key}";
    }

    private static Type? DictionaryValueType(Type type)
        => GenericArguments(type, typeof(IDictionary<,>)) is [var keyType, var valueType] && keyType == typeof(string)
            ? valueType
            : null;

    private static Type? ListElementType(Type type)
        => type != typeof(string) && GenericArguments(type, typeof(IEnumerable<>)) is [var elementType]
            ? elementType
            : null;

    private static Type[]? GenericArguments(Type type, Type openInterface)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == openInterface)
            return type.GetGenericArguments();
        Type? found = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface);
        return found?.GetGenericArguments();
    }

    // KubernetesYaml maps YAML keys to properties through their [JsonPropertyName]; so do we.
    private static IReadOnlyDictionary<string, PropertyInfo> Fields(Type type)
        => FieldsByType.GetOrAdd(type, static t => t
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(p => p.Name is not null)
            .ToDictionary(p => p.Name!, p => p.Property, StringComparer.Ordinal));

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex PlainName();
}
