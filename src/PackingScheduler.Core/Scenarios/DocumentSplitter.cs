using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// Splits a multi-document YAML stream with YamlDotNet's parser (not by searching for "---",
/// which may occur inside strings), one document at a time so that errors come in file order.
/// Empty documents (a leading "---", a trailing one, comments only) are skipped and not counted.
/// </summary>
internal sealed class DocumentSplitter(string text, string sourceName)
{
    private readonly Parser parser = new(new StringReader(text));
    private int count;

    /// <summary>The next non-empty document, or null at the end of the stream.</summary>
    public RawDocument? Next()
    {
        List<ParsingEvent>? events = null;
        try
        {
            while (parser.MoveNext())
            {
                ParsingEvent e = parser.Current!;
                if (e is DocumentStart)
                {
                    events = [e];
                    continue;
                }
                if (events is null)
                    continue;
                events.Add(e);
                if (e is not DocumentEnd)
                    continue;
                if (IsEmpty(events))
                {
                    events = null;
                    continue;
                }
                count++;
                return Cut(events);
            }
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet's parser throws YamlException, and on some malformed input other exceptions
            // (InvalidOperationException from its scanner): all mean the text is not valid YAML.
            // A syntax error belongs to the document being read, which would have been the next one.
            throw new DocumentContext(sourceName, count + 1).FromYamlFailure(e, "invalid YAML: ", 0);
        }
    }

    private RawDocument Cut(List<ParsingEvent> events)
    {
        Mark start = events[0].Start;
        Mark end = events[^1].Start;
        // From the beginning of the line, so that the deserializer's columns match the file's.
        int from = (int)(start.Index - (start.Column - 1));
        int to = Math.Max(from, (int)end.Index);
        return new RawDocument(count, (int)events[1].Start.Line, events, text[from..to], (int)start.Line);
    }

    // A document with nothing but a null scalar: "---" followed by another "---" or comments.
    private static bool IsEmpty(List<ParsingEvent> events)
        => events.Count == 3
           && events[1] is Scalar { Style: ScalarStyle.Plain or ScalarStyle.Any, IsKey: false } s
           && s.Tag.IsEmpty
           && s.Anchor.IsEmpty
           && KubectlScalars.Resolve(s.Value) == PlainScalarKind.Null;
}
