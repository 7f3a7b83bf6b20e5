using System.Text;

namespace PackingScheduler.Core.Engine;

/// <summary>kube-scheduler's FitError text, shared by the scheduling cycle and preemption's dry run.</summary>
public static class FitError
{
    /// <summary>"0/N nodes are available: " then "COUNT REASON" items sorted as strings, joined by ", ", ending with ".".</summary>
    public static string Format(int totalNodes, IReadOnlyDictionary<string, int> reasonCounts)
    {
        var items = new List<string>(reasonCounts.Count);
        foreach (KeyValuePair<string, int> kv in reasonCounts) items.Add($"{kv.Value} {kv.Key}");
        items.Sort(StringComparer.Ordinal);
        var sb = new StringBuilder();
        sb.Append("0/").Append(totalNodes).Append(" nodes are available:");
        if (items.Count > 0) sb.Append(' ').Append(string.Join(", ", items)).Append('.');
        return sb.ToString();
    }
}
