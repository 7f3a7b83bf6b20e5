namespace PackingScheduler.Cli;

/// <summary>
/// packing-scheduler's commands. Exit codes: 0 success, 1 the command ran and found a problem
/// it reports, 2 bad usage or bad input (the message names what and where).
/// </summary>
public static class Entry
{
    public const int Ok = 0;
    public const int BadInput = 2;

    public const string Usage = """
        packing-scheduler: a node-packing Kubernetes scheduler.

        Commands:
          run      Schedule pods with spec.schedulerName node-packing-scheduler on a cluster
                   (in-cluster or --kubeconfig); `run --help` lists the flags.
          simulate -f FILE [--config F | --policy-config-file F] [-o json|table] [--explain NS/NAME]
                   Schedule the pending pods of a scenario (Kubernetes objects in YAML) with the
                   same engine the scheduler runs, and print where each would go.
          cluster-dump [--kubeconfig F] [-o FILE] [--scheduler-name N]
                   Write a live cluster's nodes, pods and volumes as a scenario file for simulate
                   (`cluster-dump --help` for more).
          replay   -f TRACE [--strategies a,b,c] [-o json|table] [--svg FILE]
                   Replay grid jobs arriving and finishing (virtual time) under each scoring
                   strategy and compare how well 8-core pilots fit; `replay --help` for more.
          help     Show this text.

        Configuration: --policy-config-file takes a legacy Policy (JSON), --config a
        KubeSchedulerConfiguration (YAML). Without either, the built-in node-packing policy is used
        (MostAllocated weight 1, InterPodAffinity weight 2).
        """;

    private static async Task<int> Help(TextWriter stdout, string text)
    {
        await stdout.WriteLineAsync(text).ConfigureAwait(false);
        return Ok;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            await stdout.WriteLineAsync(Usage);
            return args.Length == 0 ? BadInput : Ok;
        }
        string command = args[0];
        string[] rest = args[1..];
        try
        {
            return command switch
            {
                "simulate" => SimulateCommand.Run(rest, stdout),
                "replay" when rest is ["--help"] or ["-h"] => await Help(stdout, ReplayCommand.Usage),
                "replay" => ReplayCommand.Run(rest, stdout),
                "run" when rest is ["--help"] or ["-h"] => await Help(stdout, RunCommand.Usage),
                "run" => await RunCommand.RunAsync(rest, stderr),
                "cluster-dump" when rest is ["--help"] or ["-h"] => await Help(stdout, ClusterDumpCommand.Usage),
                "cluster-dump" => await ClusterDumpCommand.RunAsync(rest, stdout, stderr),
                _ => throw new UsageException($"unknown command \"{command}\"; known: run, simulate, replay, cluster-dump, help"),
            };
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return BadInput;
        }
    }
}
