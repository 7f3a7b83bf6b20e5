using YamlDotNet.Core.Events;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// One non-empty YAML document of a scenario: its parsing events (with absolute marks) and its
/// source text, which starts at the beginning of line <paramref name="TextStartLine"/> so that the
/// typed deserializer's line numbers can be made absolute and its columns are already right.
/// </summary>
/// <param name="Index">1-based, counting only non-empty documents.</param>
/// <param name="Line">The first content line (after the "---" and any comments).</param>
internal sealed record RawDocument(int Index, int Line, IReadOnlyList<ParsingEvent> Events, string Text, int TextStartLine);
