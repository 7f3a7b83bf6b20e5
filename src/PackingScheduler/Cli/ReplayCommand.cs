using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Replay;

namespace PackingScheduler.Cli;

/// <summary>
/// `packing-scheduler replay`: replays a trace of grid jobs arriving and finishing under each
/// strategy with the real engine, and prints how well 8-core pilots fit (docs/packing.md).
/// </summary>
public static class ReplayCommand
{
    public const string Usage = """
        packing-scheduler replay -f TRACE [--strategies a,b,c] [-o json|table] [--svg FILE] [--seed N]

        Replays the jobs of a trace (docs/packing.md; examples/traces/) arriving and finishing on
        its cluster, in virtual time, once per strategy with the scheduler's own engine, and once
        on the repacking bound. Prints, per strategy: the share of 8-core pilots placed on
        arrival, wait percentiles of 8-core and 1-core jobs, stranded core-hours, nodes in use and
        utilization.

          -f, --file FILE      the trace (YAML)
          --strategies LIST    NodeResourcesFit scoring strategies to compare, comma-separated
                               (LeastAllocated, MostAllocated, SlotBestFit; default all three)
          -o, --output FORMAT  table (default) or json
          --svg FILE           also draw waiting 8-core pilots and utilization over time
          --seed N             replace a generated trace's seed
        """;

    private static readonly Dictionary<string, bool> Flags = new()
    {
        ["file"] = true,
        ["strategies"] = true,
        ["output"] = true,
        ["svg"] = true,
        ["seed"] = true,
    };

    private static readonly Dictionary<string, string> Aliases = new() { ["f"] = "file", ["o"] = "output" };

    public static int Run(string[] args, TextWriter stdout)
    {
        CommandLine cl = CommandLine.Parse("replay", args, Flags, Aliases);
        string file = cl.Require("file");
        string output = cl.Get("output") ?? "table";
        if (output is not ("json" or "table")) throw new UsageException($"replay: --output must be json or table, not \"{output}\"");
        ulong? seed = null;
        if (cl.Get("seed") is { } s)
        {
            if (!ulong.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong parsed))
                throw new UsageException($"replay: --seed takes a whole number, not \"{s}\"");
            seed = parsed;
        }

        var strategies = new List<(string, SchedulerProfile)>();
        IEnumerable<string> names = cl.Get("strategies") is { } list
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : ReplayStrategies.Default;
        foreach (string name in names)
        {
            SchedulerProfile profile = ReplayStrategies.Profile(name)
                ?? throw new UsageException($"replay: unknown strategy \"{name}\"; known: {string.Join(", ", ReplayStrategies.Known)}");
            if (strategies.Exists(x => x.Item1 == name)) throw new UsageException($"replay: strategy \"{name}\" given twice");
            strategies.Add((name, profile));
        }
        if (strategies.Count == 0) throw new UsageException("replay: --strategies names none");

        ReplayTrace trace;
        try
        {
            trace = TraceReader.ReadFile(file, seed);
        }
        catch (ConfigurationException e)
        {
            throw new UsageException(e.Message);
        }

        ReplayReport report = ReplayRunner.Run(trace, strategies);
        if (output == "json") ReplayJson.Write(stdout, report);
        else ReplayTable.Write(stdout, report, file);

        if (cl.Get("svg") is { } svg)
        {
            try
            {
                File.WriteAllText(svg, ReplayChart.Render(report, $"{Path.GetFileName(file)}: 8-core pilots waiting and utilization"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"replay: cannot write {svg}: {e.Message}");
            }
        }
        return Entry.Ok;
    }
}
