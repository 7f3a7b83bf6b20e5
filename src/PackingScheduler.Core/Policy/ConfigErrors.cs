namespace PackingScheduler.Core.Policy;

/// <summary>
/// Builds the messages of <see cref="ConfigurationException"/>: every one starts with the file
/// (so a person running several schedulers knows which file to open), then where in the file,
/// then what is wrong and what would be accepted instead.
/// </summary>
internal static class ConfigErrors
{
    /// <summary>Reads a configuration file; a file that cannot be read is a ConfigurationException naming it.</summary>
    public static string ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{path}: cannot read the {what}: {e.Message}", e);
        }
    }

    public static ConfigurationException At(string source, string path, string message) =>
        new(path.Length == 0 ? $"{source}: {message}" : $"{source}: {path}: {message}");

    /// <summary>file:line:column first, the form editors and terminals turn into a jump.</summary>
    public static ConfigurationException At(string source, int line, int column, string path, string message) =>
        new(path.Length == 0 ? $"{source}:{line}:{column}: {message}" : $"{source}:{line}:{column}: {path}: {message}");

    public static string Child(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    public static string Index(string path, int index) => $"{path}[{index}]";

    public static string List(IEnumerable<string> names) =>
        string.Join(", ", names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    public static string Quoted(string value) => "\"" + value + "\"";

    /// <summary>" (did you mean "X"?)" when one candidate is a likely typo of <paramref name="name"/>, else "".</summary>
    public static string Suggestion(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            int distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        // A third of the name, at least 1 and at most 3 edits: close enough to be a slip, far
        // enough apart that "NodeName" is not offered for "NodePorts".
        int allowed = Math.Clamp(name.Length / 3, 1, 3);
        return best is not null && bestDistance <= allowed ? $" (did you mean {Quoted(best)}?)" : "";
    }

    /// <summary>Edit distance counting a swap of neighbours as one edit, the commonest slip in a name.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(d[i - 1, j - 1] + cost, Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
