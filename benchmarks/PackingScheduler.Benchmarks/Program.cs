using BenchmarkDotNet.Running;
using PackingScheduler.Benchmarks;

// engine | e2e | cache-memory: this harness's own modes; anything else goes to BenchmarkDotNet.
return args.Length > 0 && Modes.TryGet(args[0]) is { } mode
    ? await mode(args[1..], Console.Out, Console.Error)
    : Run(args);

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(DecisionBenchmarks).Assembly).Run(args);
    return 0;
}
