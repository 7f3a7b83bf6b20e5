using PackingScheduler.Cli;
using PackingScheduler.Kubernetes;

// First, before anything reads Kubernetes JSON: a malformed quantity must not hide or hang the informers.
TolerantQuantityJson.Install();
return await Entry.RunAsync(args, Console.Out, Console.Error);
