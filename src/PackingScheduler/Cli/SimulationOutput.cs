using System.Text;
using System.Text.Json;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Simulation;

namespace PackingScheduler.Cli;

/// <summary>Prints simulation results: the JSON that scenarios/FORMAT.md specifies, or a table for people.</summary>
public static class SimulationOutput
{
    public static void WriteJson(TextWriter output, IReadOnlyList<Placement> placements)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            WriteJson(w, placements);
        }
        output.WriteLine(Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
    }

    private static void WriteJson(Utf8JsonWriter w, IReadOnlyList<Placement> placements)
    {
        w.WriteStartObject();
        w.WriteStartArray("placements");
        foreach (Placement p in placements)
        {
            w.WriteStartObject();
            w.WriteString("pod", p.Pod);
            if (p.Node is null) w.WriteNull("node"); else w.WriteString("node", p.Node);
            if (p.Score is null) w.WriteNull("score"); else w.WriteNumber("score", p.Score.Value);
            if (p.Message is null) w.WriteNull("message"); else w.WriteString("message", p.Message);
            w.WriteNumber("priority", p.Priority);
            // The pods this one preempted (namespace/name), empty when none.
            w.WriteStartArray("victims");
            foreach (string v in p.Victims) w.WriteStringValue(v);
            w.WriteEndArray();
            if (p.Explanation is not null)
            {
                w.WriteStartArray("explanation");
                foreach (NodeExplanation e in p.Explanation) WriteExplanation(w, e);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteExplanation(Utf8JsonWriter w, NodeExplanation e)
    {
        w.WriteStartObject();
        w.WriteString("node", e.Node);
        w.WriteBoolean("evaluated", e.Evaluated);
        if (e.Rejected is { } r)
        {
            w.WriteString("rejectedBy", r.Plugin);
            w.WriteStartArray("reasons");
            foreach (string reason in r.Reasons) w.WriteStringValue(reason);
            w.WriteEndArray();
        }
        if (e.Scores is { } scores)
        {
            w.WriteStartArray("scores");
            foreach (ScoreComponent c in scores)
            {
                w.WriteStartObject();
                w.WriteString("plugin", c.Plugin);
                w.WriteNumber("raw", c.Raw);
                w.WriteNumber("normalized", c.Normalized);
                w.WriteNumber("weight", c.Weight);
                w.WriteNumber("weighted", c.Weighted);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("total", e.Total ?? 0);
            w.WriteBoolean("chosen", e.Chosen);
        }
        w.WriteEndObject();
    }

    public static void WriteTable(TextWriter o, IReadOnlyList<Placement> placements)
    {
        var rows = new List<string[]> { new[] { "POD", "NODE", "SCORE", "PRIORITY", "VICTIMS", "MESSAGE" } };
        foreach (Placement p in placements)
        {
            rows.Add(new[]
            {
                p.Pod, p.Node ?? "<none>", p.Score?.ToString() ?? "-", p.Priority.ToString(),
                p.Victims.Count == 0 ? "-" : string.Join(",", p.Victims), p.Message ?? string.Empty,
            });
        }
        WriteColumns(o, rows);
        int scheduled = placements.Count(p => p.Node is not null);
        int preempted = placements.Sum(p => p.Victims.Count);
        o.WriteLine();
        o.WriteLine($"{placements.Count} pending pods: {scheduled} scheduled, {placements.Count - scheduled} unschedulable"
            + (preempted > 0 ? $"; {preempted} running pod{(preempted == 1 ? "" : "s")} preempted by {placements.Count(p => p.Victims.Count > 0)} of them." : "."));
        foreach (Placement p in placements)
        {
            if (p.Explanation is not null) WriteExplanationTable(o, p);
        }
    }

    private static void WriteExplanationTable(TextWriter o, Placement p)
    {
        o.WriteLine();
        o.WriteLine(p.Node is null
            ? $"Why {p.Pod} fits no node: {p.Message}"
            : p.Victims.Count > 0
                ? $"Why {p.Pod} goes to {p.Node} (score {p.Score}) after preempting {string.Join(", ", p.Victims)}:"
                : $"Why {p.Pod} goes to {p.Node} (score {p.Score}):");
        var rows = new List<string[]> { new[] { "NODE", "RESULT", "DETAIL" } };
        IEnumerable<NodeExplanation> ordered = p.Explanation!
            .OrderByDescending(e => e.Total ?? long.MinValue).ThenBy(e => e.Node, StringComparer.Ordinal);
        foreach (NodeExplanation e in ordered)
        {
            if (e.Rejected is { } r)
                rows.Add(new[] { e.Node, "rejected by " + r.Plugin, string.Join("; ", r.Reasons) });
            else if (e.Scores is { } scores)
            {
                var sb = new StringBuilder();
                foreach (ScoreComponent c in scores)
                {
                    if (sb.Length > 0) sb.Append(" + ");
                    sb.Append($"{c.Plugin} {c.Normalized}x{c.Weight}");
                    if (c.Raw != c.Normalized) sb.Append($" (raw {c.Raw})");
                }
                rows.Add(new[] { e.Node, $"score {e.Total}" + (e.Chosen ? " <- chosen" : string.Empty), sb.ToString() });
            }
            else if (p.Victims.Count > 0)
                rows.Add(new[] { e.Node, "not evaluated", "the node this pod's preemption freed fits, so no other node is tried" });
            else
                rows.Add(new[] { e.Node, "not evaluated", "enough feasible nodes were found before it (percentageOfNodesToScore)" });
        }
        WriteColumns(o, rows);
    }

    private static void WriteColumns(TextWriter o, List<string[]> rows)
    {
        int cols = rows[0].Length;
        var width = new int[cols];
        foreach (string[] r in rows)
        {
            for (int c = 0; c < cols - 1; c++) width[c] = Math.Max(width[c], r[c].Length);
        }
        foreach (string[] r in rows)
        {
            var sb = new StringBuilder();
            for (int c = 0; c < cols; c++)
            {
                sb.Append(c < cols - 1 ? r[c].PadRight(width[c] + 2) : r[c]);
            }
            o.WriteLine(sb.ToString().TrimEnd());
        }
    }
}
