using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scenarios;
using PackingScheduler.Core.Simulation;

namespace PackingScheduler.Cli;

/// <summary>`packing-scheduler simulate`: see scenarios/FORMAT.md for the input and the JSON output.</summary>
public static class SimulateCommand
{
    private static readonly Dictionary<string, bool> Flags = new()
    {
        ["file"] = true,
        ["config"] = true,
        ["policy-config-file"] = true,
        ["scheduler-name"] = true,
        ["output"] = true,
        ["explain"] = true,
    };

    private static readonly Dictionary<string, string> Aliases = new() { ["f"] = "file", ["o"] = "output" };

    public static int Run(string[] args, TextWriter stdout)
    {
        CommandLine cl = CommandLine.Parse("simulate", args, Flags, Aliases);
        string file = cl.Require("file");
        string output = cl.Get("output") ?? "table";
        if (output is not ("json" or "table")) throw new UsageException($"simulate: --output must be json or table, not \"{output}\"");
        string? explain = cl.Get("explain");
        if (explain is not null && explain.Count(c => c == '/') != 1)
            throw new UsageException($"simulate: --explain takes a pod as namespace/name, not \"{explain}\"");

        SchedulerProfile profile;
        Scenario scenario;
        IReadOnlyList<Placement> placements;
        try
        {
            // Simulate schedules every pending pod whatever its schedulerName; the flag only picks a profile.
            profile = SchedulerConfigLoader.Load(cl.Get("config"), cl.Get("policy-config-file"), cl.Get("scheduler-name"));
            scenario = ScenarioLoader.LoadFile(file);
            placements = Simulator.Run(scenario, profile, explain);
        }
        catch (Exception e) when (e is ConfigurationException or ScenarioException or UsageException)
        {
            throw new UsageException(e.Message);
        }

        if (output == "json")
        {
            SimulationOutput.WriteJson(stdout, placements);
        }
        else
        {
            SimulationOutput.WriteTable(stdout, placements);
        }
        return Entry.Ok;
    }
}
