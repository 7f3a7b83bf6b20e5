namespace PackingScheduler.Cli;

/// <summary>A command-line usage error: exit code 2 and the message, never a stack trace.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}

/// <summary>
/// Parsed flags of one command, kube-style: "--name value", "--name=value", boolean flags
/// without a value, and single-dash short forms where a command declares them.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    private CommandLine(string command) => Command = command;

    public string Command { get; }

    /// <summary>Parses <paramref name="args"/> against the flags the command declares: name → takes a value.</summary>
    public static CommandLine Parse(string command, IReadOnlyList<string> args, IReadOnlyDictionary<string, bool> flags,
        IReadOnlyDictionary<string, string>? aliases = null)
    {
        var cl = new CommandLine(command);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith('-') || arg == "-" || arg == "--")
                throw new UsageException($"{command}: unexpected argument \"{arg}\"");
            string name = arg.TrimStart('-');
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (aliases is not null && aliases.TryGetValue(name, out string? full)) name = full;
            if (!flags.TryGetValue(name, out bool takesValue))
                throw new UsageException($"{command}: unknown flag \"{arg}\"; known: {string.Join(", ", flags.Keys.Select(k => "--" + k))}");
            if (takesValue && value is null)
            {
                if (i + 1 >= args.Count) throw new UsageException($"{command}: flag --{name} needs a value");
                value = args[++i];
            }
            else if (!takesValue && value is not null && value is not ("true" or "false"))
            {
                throw new UsageException($"{command}: flag --{name} takes no value (or true/false), not \"{value}\"");
            }
            if (cl._values.ContainsKey(name)) throw new UsageException($"{command}: flag --{name} given twice");
            cl._values[name] = takesValue ? value : (value ?? "true");
        }
        return cl;
    }

    public string? Get(string name) => _values.TryGetValue(name, out string? v) ? v : null;

    public bool Has(string name) => _values.ContainsKey(name);

    public bool GetBool(string name) => Get(name) == "true";

    public string Require(string name) => Get(name) ?? throw new UsageException($"{Command}: flag --{name} is required");

    public int GetInt(string name, int defaultValue, int min, int max)
    {
        string? v = Get(name);
        if (v is null) return defaultValue;
        if (!int.TryParse(v, out int n) || n < min || n > max)
            throw new UsageException($"{Command}: flag --{name}: \"{v}\" is not a whole number from {min} to {max}");
        return n;
    }
}
