using PackingScheduler.Cli;

return await Entry.RunAsync(args, Console.Out, Console.Error);
