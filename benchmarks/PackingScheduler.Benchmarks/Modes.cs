using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PackingScheduler.Benchmarks;

/// <summary>A console mode: arguments after the mode name, stdout, stderr; returns the exit code.</summary>
public delegate Task<int> Mode(string[] args, TextWriter stdout, TextWriter stderr);

/// <summary>The harness's own modes, dispatched on the first argument.</summary>
public static class Modes
{
    public static Mode? TryGet(string name) => name switch
    {
        "engine" => EngineMode.RunAsync,
        "e2e" => E2eMode.RunAsync,
        "cache-memory" => CacheMemoryMode.RunAsync,
        _ => null,
    };
}

/// <summary>--name value options, with defaults.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Options(string[] args, params string[] known)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string key = a switch { "-o" => "output", _ when a.StartsWith("--", StringComparison.Ordinal) => a[2..], _ => throw new ArgumentException($"unexpected argument \"{a}\"") };
            if (!known.Contains(key)) throw new ArgumentException($"unknown option \"{a}\"; known: {string.Join(", ", known.Select(k => k == "output" ? "-o" : "--" + k))}");
            if (i + 1 >= args.Length) throw new ArgumentException($"{a} needs a value");
            _values[key] = args[++i];
        }
    }

    public int Int(string key, int fallback) => _values.TryGetValue(key, out string? v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public string Str(string key, string fallback) => _values.GetValueOrDefault(key, fallback);
    public bool Json => Str("output", "text") switch { "json" => true, "text" => false, var o => throw new ArgumentException($"-o {o}: json or text") };
}

/// <summary>Process memory and machine load, and the output both modes share.</summary>
internal static class Report
{
    /// <summary>Peak resident set (VmHWM) in MB; Process.PeakWorkingSet64 where /proc is absent.</summary>
    public static double PeakRssMb() => ProcStatusKb("VmHWM:") is long kb ? kb / 1024.0 : Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

    /// <summary>Current resident set (VmRSS) in MB.</summary>
    public static double RssMb() => ProcStatusKb("VmRSS:") is long kb ? kb / 1024.0 : Process.GetCurrentProcess().WorkingSet64 / 1048576.0;

    public static double ManagedHeapMb() => GC.GetTotalMemory(false) / 1048576.0;

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static long? ProcStatusKb(string field)
    {
        if (!File.Exists("/proc/self/status")) return null;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return null;
    }

    /// <summary>The q-quantile (0..1) of sorted values, nearest rank.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0) return 0;
        int rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static void Write(TextWriter stdout, bool json, IReadOnlyList<(string Key, object Value)> fields)
    {
        if (json)
        {
            var o = new Dictionary<string, object>();
            foreach ((string k, object v) in fields) o[k] = v is double d ? Math.Round(d, 3) : v;
            stdout.WriteLine(JsonSerializer.Serialize(o));
            return;
        }
        foreach ((string k, object v) in fields)
            stdout.WriteLine($"{k,-24} {(v is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) : v is IDictionary<string, object> m ? JsonSerializer.Serialize(m) : v)}");
    }
}
