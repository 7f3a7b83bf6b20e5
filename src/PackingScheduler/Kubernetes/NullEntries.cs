using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace PackingScheduler.Kubernetes;

/// <summary>
/// Finds a null entry in a list of a Kubernetes object (<c>tolerations: [null]</c>), which the API
/// server never stores but a lenient one, or a bug, could hand over. Used only after translating an
/// object failed unexpectedly, to name the field in the report; costs nothing otherwise.
/// </summary>
internal static class NullEntries
{
    private const int MaxDepth = 32;

    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, string Name)[]> Properties = new();

    /// <summary>The JSON path of the first null list entry (e.g. spec.tolerations[1]), or null if there is none.</summary>
    public static string? Find(object root) => Find(root, string.Empty, 0);

    private static string? Find(object obj, string path, int depth)
    {
        if (depth > MaxDepth) return null;
        foreach ((PropertyInfo property, string name) in PropertiesOf(obj.GetType()))
        {
            object? value = property.GetValue(obj);
            if (value is null || value is string) continue;
            string at = path.Length == 0 ? name : $"{path}.{name}";
            if (value is IList list)
            {
                for (int i = 0; i < list.Count; i++)
                {
                    object? item = list[i];
                    if (item is null) return $"{at}[{i}]";
                    if (IsModel(item.GetType()) && Find(item, $"{at}[{i}]", depth + 1) is { } found) return found;
                }
            }
            else if (IsModel(value.GetType()) && Find(value, at, depth + 1) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    private static bool IsModel(Type t) => t.Namespace == "k8s.Models" && t.IsClass;

    private static (PropertyInfo, string)[] PropertiesOf(Type type) => Properties.GetOrAdd(type, t => t
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
        .Select(p => (p, p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name))
        .ToArray());
}
