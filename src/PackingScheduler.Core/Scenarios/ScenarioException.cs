using System.Text;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// A scenario that cannot be loaded or used: names the file, the document (1-based, counting only
/// non-empty documents), the object and the field, so that the user can go straight to the mistake.
/// The CLI reports the message and exits 2.
/// </summary>
/// <example>scenario.yaml: document 4 (Pod default/job-a): spec.containers[0].resources.requests.cpu: quantity 'abc' does not start with a number (line 31, column 24)</example>
public sealed class ScenarioException : Exception
{
    public ScenarioException(
        string sourceName,
        int? documentIndex,
        string? objectDescription,
        string? fieldPath,
        string problem,
        int? line = null,
        int? column = null,
        Exception? innerException = null)
        : base(Format(sourceName, documentIndex, objectDescription, fieldPath, problem, line, column), innerException)
    {
        SourceName = sourceName;
        DocumentIndex = documentIndex;
        ObjectDescription = objectDescription;
        FieldPath = fieldPath;
        Problem = problem;
        Line = line;
        Column = column;
    }

    public string SourceName { get; }

    /// <summary>1-based index among the file's non-empty documents; null for errors about the whole file.</summary>
    public int? DocumentIndex { get; }

    /// <summary>"Pod default/job-a", "Node wn-a", or just the kind while the name is not known yet.</summary>
    public string? ObjectDescription { get; }

    /// <summary>"spec.containers[0].resources.requests.cpu"; null when the problem is not in one field.</summary>
    public string? FieldPath { get; }

    public string Problem { get; }

    /// <summary>1-based line in the file, when known.</summary>
    public int? Line { get; }

    public int? Column { get; }

    private static string Format(string sourceName, int? documentIndex, string? objectDescription, string? fieldPath, string problem, int? line, int? column)
    {
        var sb = new StringBuilder(sourceName);
        if (documentIndex is int index)
        {
            sb.Append(": document ").Append(index);
            if (!string.IsNullOrEmpty(objectDescription))
                sb.Append(" (").Append(objectDescription).Append(')');
        }
        if (!string.IsNullOrEmpty(fieldPath))
            sb.Append(": ").Append(fieldPath);
        sb.Append(": ").Append(problem);
        if (line is int l)
        {
            sb.Append(" (line ").Append(l);
            if (column is int c)
                sb.Append(", column ").Append(c);
            sb.Append(')');
        }
        return sb.ToString();
    }
}
