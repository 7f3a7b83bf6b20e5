using System.Diagnostics;

namespace PackingScheduler.Core.Model;

/// <summary>
/// Maps strings (label keys and values, namespaces, resource names, node names) to dense
/// integer ids so that the engine compares ints, never strings. Id 0 is reserved for "absent".
/// Not thread-safe for writers; readers may run concurrently with no writer.
/// </summary>
[DebuggerDisplay("Count = {Count}")]
public sealed class Interner
{
    public const int None = 0;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _strings = new() { string.Empty };
    private readonly List<long?> _asInt64 = new() { null };

    public int Count => _strings.Count - 1;

    public int Intern(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_ids.TryGetValue(value, out int id))
            return id;
        id = _strings.Count;
        _strings.Add(value);
        _asInt64.Add(long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign,
            System.Globalization.CultureInfo.InvariantCulture, out long n) ? n : null);
        _ids.Add(value, id);
        return id;
    }

    /// <summary>Id of an already interned string, or <see cref="None"/>; never adds.</summary>
    public int Find(string value) => _ids.TryGetValue(value, out int id) ? id : None;

    public string this[int id] => _strings[id];

    /// <summary>The value parsed as a 64-bit integer (for the Gt and Lt operators), if it is one.</summary>
    public bool TryGetInt64(int id, out long value)
    {
        long? v = _asInt64[id];
        value = v.GetValueOrDefault();
        return v.HasValue;
    }
}
