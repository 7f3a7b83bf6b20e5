using System.Text.Json;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// <c>replay -o json</c>: <c>{"strategies":[{...}], "bound": {...}}</c>, one object per strategy
/// with the headline keys first (name, multicorePlacedOnArrival, multicoreWaitP95Seconds,
/// singleCoreWaitP95Seconds, strandedCoreHours, nodesUsedMax) and more after; the bound has the
/// same keys. A figure with nothing to measure (no 8-core pilot in the window) is null.
/// </summary>
public static class ReplayJson
{
    public static void Write(TextWriter output, ReplayReport report)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("strategies");
            foreach (StrategyResult r in report.Strategies) WriteResult(w, r);
            w.WriteEndArray();
            w.WritePropertyName("bound");
            WriteResult(w, report.Bound);
            w.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteResult(Utf8JsonWriter w, StrategyResult r)
    {
        w.WriteStartObject();
        w.WriteString("name", r.Name);
        Number(w, "multicorePlacedOnArrival", r.MulticorePlacedOnArrival, 4);
        Number(w, "multicoreWaitP95Seconds", r.Multicore.WaitP95Seconds);
        Number(w, "singleCoreWaitP95Seconds", r.SingleCore.WaitP95Seconds);
        Number(w, "strandedCoreHours", r.StrandedCoreHours, 1);
        w.WriteNumber("nodesUsedMax", r.NodesUsedMax);
        Number(w, "multicoreRepackableOnArrival", r.MulticoreRepackableOnArrival, 4);
        Number(w, "multicoreWaitP50Seconds", r.Multicore.WaitP50Seconds);
        Number(w, "singleCoreWaitP50Seconds", r.SingleCore.WaitP50Seconds);
        Number(w, "multicoreWaitMeanSeconds", r.Multicore.WaitMeanSeconds, 0);
        Number(w, "singleCoreWaitMeanSeconds", r.SingleCore.WaitMeanSeconds, 0);
        w.WriteNumber("multicoreCount", r.Multicore.Count);
        w.WriteNumber("singleCoreCount", r.SingleCore.Count);
        Number(w, "multicoreWaitingMean", r.MulticoreWaitingMean, 2);
        Number(w, "nodesUsedMean", r.NodesUsedMean, 2);
        Number(w, "utilizationMean", r.UtilizationMean, 4);
        w.WriteNumber("decisions", r.Decisions);
        w.WriteNumber("windowStartSeconds", r.WindowStart);
        w.WriteNumber("windowEndSeconds", r.WindowEnd);
        w.WriteStartArray("classes");
        foreach (ClassResult c in r.Classes)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteNumber("count", c.Count);
            w.WriteNumber("unplaced", c.Unplaced);
            Number(w, "placedOnArrival", c.PlacedOnArrival, 4);
            Number(w, "waitP50Seconds", c.WaitP50Seconds);
            Number(w, "waitP95Seconds", c.WaitP95Seconds);
            Number(w, "waitMeanSeconds", c.WaitMeanSeconds, 0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static void Number(Utf8JsonWriter w, string name, double? value, int decimals)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, decimals, MidpointRounding.AwayFromZero));
        else w.WriteNull(name);
    }
}
