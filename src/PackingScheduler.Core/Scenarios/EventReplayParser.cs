using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// Replays one document's events as a stream of its own, so that the representation model (which
/// only loads whole streams) can load documents one at a time, in file order, keeping their marks.
/// </summary>
internal sealed class EventReplayParser(IReadOnlyList<ParsingEvent> documentEvents) : IParser
{
    // -1: before the stream; 0: StreamStart; 1..Count: the document; Count + 1: StreamEnd.
    private int position = -1;

    public ParsingEvent? Current { get; private set; }

    public bool MoveNext()
    {
        if (position > documentEvents.Count)
            return false;
        position++;
        Current = position switch
        {
            0 => new StreamStart(),
            _ when position <= documentEvents.Count => documentEvents[position - 1],
            _ => new StreamEnd(),
        };
        return true;
    }
}
