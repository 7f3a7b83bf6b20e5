using System.Diagnostics;

namespace PackingScheduler.Core.Model;

/// <summary>Interned labels, sorted by key id so that a lookup is a binary search with no allocation.</summary>
[DebuggerDisplay("Count = {Count}")]
public sealed class LabelSet
{
    public static readonly LabelSet Empty = new(Array.Empty<int>(), Array.Empty<int>());

    private readonly int[] _keys;
    private readonly int[] _values;

    private LabelSet(int[] keys, int[] values)
    {
        _keys = keys;
        _values = values;
    }

    public int Count => _keys.Length;
    public ReadOnlySpan<int> Keys => _keys;
    public ReadOnlySpan<int> Values => _values;

    public static LabelSet From(IDictionary<string, string>? labels, Interner interner)
    {
        if (labels is null || labels.Count == 0) return Empty;
        var keys = new int[labels.Count];
        var values = new int[labels.Count];
        int i = 0;
        foreach (KeyValuePair<string, string> kv in labels)
        {
            keys[i] = interner.Intern(kv.Key);
            values[i] = interner.Intern(kv.Value ?? string.Empty);
            i++;
        }
        Array.Sort(keys, values);
        return new LabelSet(keys, values);
    }

    public bool TryGetValue(int key, out int value)
    {
        int i = Array.BinarySearch(_keys, key);
        if (i >= 0)
        {
            value = _values[i];
            return true;
        }
        value = Interner.None;
        return false;
    }

    public bool ContainsKey(int key) => Array.BinarySearch(_keys, key) >= 0;
}
