using System.Globalization;
using PackingScheduler.Kubernetes;
using PackingScheduler.Soak;

// dotnet run -c Release --project benchmarks/PackingScheduler.Soak -- --minutes 30 [--nodes N] [--rate R]
TolerantQuantityJson.Install();

const string Usage = """
    PackingScheduler.Soak: the live scheduler under sustained pod churn against the in-process test API server.
      --minutes M | --seconds S   how long to churn (default 30 minutes)
      --nodes N                   nodes, 32 cores each (default 50)
      --rate R                    pods created per second (default 100)
      --interval S                seconds between report lines (default 10)
      --lifetime MIN-MAX          seconds a bound pod runs before it is deleted (default 3-12)
      --cancel F                  fraction of pods deleted 0-3 s after creation, bound or not (default 0.05)
      --seed N                    random seed (default 1)
    Exit code 0 when nothing was lost, nothing over-committed, the cache agrees and the scheduler still runs.
    """;

var options = new SoakOptions();
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
        double Number() => double.Parse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture);
        switch (args[i])
        {
            case "--minutes": options.Duration = TimeSpan.FromMinutes(Number()); break;
            case "--seconds": options.Duration = TimeSpan.FromSeconds(Number()); break;
            case "--nodes": options.Nodes = (int)Number(); break;
            case "--rate": options.Rate = Number(); break;
            case "--interval": options.Interval = TimeSpan.FromSeconds(Number()); break;
            case "--cancel": options.CancelFraction = Number(); break;
            case "--seed": options.Seed = (int)Number(); break;
            case "--lifetime":
                string[] range = Value().Split('-');
                options.MinLifetime = TimeSpan.FromSeconds(double.Parse(range[0], CultureInfo.InvariantCulture));
                options.MaxLifetime = TimeSpan.FromSeconds(double.Parse(range[^1], CultureInfo.InvariantCulture));
                break;
            case "--help" or "-h":
                Console.WriteLine(Usage);
                return 0;
            default:
                throw new FormatException($"unknown argument {args[i]}");
        }
    }
}
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
SoakResult result = await SoakRun.RunAsync(options, Console.Out, cancel.Token);
return result.Passed ? 0 : 1;
