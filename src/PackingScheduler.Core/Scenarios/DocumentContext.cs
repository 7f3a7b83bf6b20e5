using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// What an error inside one document must name: the file, the document and, once known, the object.
/// </summary>
internal sealed partial class DocumentContext(string sourceName, int index)
{
    public string SourceName { get; } = sourceName;

    public int Index { get; } = index;

    /// <summary>"Pod default/job-a"; just the kind until the name has been read; null before that.</summary>
    public string? Description { get; set; }

    public ScenarioException Error(string? fieldPath, string problem, int? line = null, int? column = null, Exception? inner = null)
        => new(SourceName, Index, Description, fieldPath, problem, line, column, inner);

    public ScenarioException Error(string? fieldPath, string problem, YamlNode at)
        => Error(fieldPath, problem, (int)at.Start.Line, (int)at.Start.Column);

    /// <summary>
    /// A YamlDotNet failure as a scenario error. The deepest YamlException knows where (relative to
    /// the text that was parsed, hence <paramref name="lineOffset"/>), the innermost exception says
    /// what: the outer ones only say "Exception during deserialization".
    /// </summary>
    /// <param name="fallbackLine">Reported when YamlDotNet gives no position (it leaves some errors at Mark.Empty).</param>
    public ScenarioException FromYamlFailure(Exception failure, string prefix, int lineOffset, int? fallbackLine = null)
    {
        YamlException? located = null;
        Exception innermost = failure;
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            if (e is YamlException y)
                located = y;
            innermost = e;
        }
        string problem = prefix + CleanMessage(innermost.Message);
        if (located is null || IsEmpty(located.Start))
            return Error(null, problem, fallbackLine, inner: failure);
        return Error(null, problem, (int)located.Start.Line + lineOffset, (int)located.Start.Column, failure);
    }

    private static bool IsEmpty(Mark mark) => mark.Index == 0 && mark.Line == 1 && mark.Column == 1;

    // YamlDotNet puts positions into some messages; they are relative to the parsed text and we
    // report absolute ones separately.
    private static string CleanMessage(string message)
    {
        string m = LeadingRange().Replace(message, "");
        m = TrailingPosition().Replace(m, "");
        return m.Trim();
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex LeadingRange();

    [GeneratedRegex(@"\s*\(at Line: \d+, Col: \d+, Idx: \d+\)")]
    private static partial Regex TrailingPosition();
}
