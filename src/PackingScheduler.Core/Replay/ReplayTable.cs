using System.Globalization;
using System.Text;

namespace PackingScheduler.Core.Replay;

/// <summary><c>replay</c>'s default output: the trace in one line, then one row per strategy and the bound, then waits per class.</summary>
public static class ReplayTable
{
    public static void Write(TextWriter output, ReplayReport report, string traceName)
    {
        ReplayTrace t = report.Trace;
        StrategyResult first = report.Strategies.Count > 0 ? report.Strategies[0] : report.Bound;
        string origin = t.Generator is { } g
            ? $"generated: seed {g.Seed}, offered load {g.Load.ToString("0.00", CultureInfo.InvariantCulture)}"
            : "explicit";
        // What the measured jobs ask for: cores × run time over the cluster's cores × the window.
        double demanded = 0;
        foreach (TracePod p in t.Pods)
        {
            if (t.IsMeasured(p.Arrival)) demanded += p.MilliCpu / 1000.0 * p.Duration;
        }
        double window = Math.Max(1, first.WindowEnd - first.WindowStart);
        string offered = (demanded / (first.TotalMilliCpu / 1000.0 * window)).ToString("0.00", CultureInfo.InvariantCulture);
        output.WriteLine($"trace {traceName} ({origin}): {t.Nodes.Count} nodes, {first.TotalMilliCpu / 1000} cores, {t.Pods.Count} jobs; " +
                         $"measured {Duration(first.WindowStart)} to {Duration(first.WindowEnd)}, offered load of the measured jobs {offered}");
        output.WriteLine();

        var rows = new List<string[]>
        {
            new[] { "STRATEGY", "8-CORE ON ARRIVAL", "IF REPACKED", "8-CORE WAIT P50", "P95", "1-CORE WAIT P50", "P95", "STRANDED CORE-H", "NODES MAX", "MEAN", "UTILIZATION" },
        };
        foreach (StrategyResult r in report.Strategies) rows.Add(Row(r));
        rows.Add(Row(report.Bound));
        WriteAligned(output, rows, leftColumns: 1);

        output.WriteLine();
        var classRows = new List<string[]> { new[] { "STRATEGY", "CLASS", "JOBS", "ON ARRIVAL", "WAIT P50", "P95", "MEAN" } };
        foreach (StrategyResult r in report.Strategies) AddClasses(classRows, r);
        AddClasses(classRows, report.Bound);
        WriteAligned(output, classRows, leftColumns: 2);
        output.WriteLine();
        output.WriteLine("bound: the same queue on a cluster that repacks every running job for free at every decision (docs/packing.md).");
    }

    private static string[] Row(StrategyResult r) => new[]
    {
        r.Name,
        Share(r.MulticorePlacedOnArrival),
        Share(r.MulticoreRepackableOnArrival),
        Duration(r.Multicore.WaitP50Seconds),
        Duration(r.Multicore.WaitP95Seconds),
        Duration(r.SingleCore.WaitP50Seconds),
        Duration(r.SingleCore.WaitP95Seconds),
        r.StrandedCoreHours.ToString("0.0", CultureInfo.InvariantCulture),
        r.NodesUsedMax.ToString(CultureInfo.InvariantCulture),
        r.NodesUsedMean.ToString("0.0", CultureInfo.InvariantCulture),
        Share(r.UtilizationMean),
    };

    private static void AddClasses(List<string[]> rows, StrategyResult r)
    {
        foreach (ClassResult c in r.Classes)
        {
            rows.Add(new[]
            {
                r.Name, c.Name,
                c.Unplaced > 0 ? $"{c.Count} ({c.Unplaced} never placed)" : c.Count.ToString(CultureInfo.InvariantCulture),
                Share(c.PlacedOnArrival), Duration(c.WaitP50Seconds), Duration(c.WaitP95Seconds),
                c.WaitMeanSeconds is { } m ? Duration((long)Math.Round(m)) : "-",
            });
        }
    }

    private static string Share(double? v) => v is { } x ? (x * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";

    /// <summary>Seconds as 0s, 45s, 12m30s, 3h05m, 1d02h: short enough for a column, exact enough to compare.</summary>
    public static string Duration(long? seconds)
    {
        if (seconds is not { } s) return "-";
        if (s < 60) return $"{s}s";
        if (s < 3600) return s % 60 == 0 ? $"{s / 60}m" : $"{s / 60}m{s % 60:D2}s";
        if (s < 86400) return $"{s / 3600}h{s % 3600 / 60:D2}m";
        return $"{s / 86400}d{s % 86400 / 3600:D2}h";
    }

    private static void WriteAligned(TextWriter output, List<string[]> rows, int leftColumns)
    {
        int columns = rows[0].Length;
        var widths = new int[columns];
        foreach (string[] row in rows)
        {
            for (int c = 0; c < columns; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        }
        var sb = new StringBuilder();
        foreach (string[] row in rows)
        {
            sb.Clear();
            for (int c = 0; c < columns; c++)
            {
                if (c > 0) sb.Append("  ");
                // Names to the left, figures to the right.
                sb.Append(c < leftColumns ? row[c].PadRight(widths[c]) : row[c].PadLeft(widths[c]));
            }
            output.WriteLine(sb.ToString().TrimEnd());
        }
    }
}
