using Microsoft.AspNetCore.Builder;
using PackingScheduler.Core.Policy;
using PackingScheduler.Hosting;

namespace PackingScheduler.Cli;

/// <summary>`packing-scheduler run`: the live scheduler, with kube-scheduler's flags.</summary>
public static class RunCommand
{
    /// <summary>Flag → takes a value. Both kube-scheduler's current and older spellings where they differ.</summary>
    public static readonly IReadOnlyDictionary<string, bool> Flags = new Dictionary<string, bool>
    {
        ["kubeconfig"] = true,
        ["master"] = true,
        ["config"] = true,
        ["policy-config-file"] = true,
        ["scheduler-name"] = true,
        ["leader-elect"] = false,
        ["leader-elect-lease-duration"] = true,
        ["leader-elect-renew-deadline"] = true,
        ["leader-elect-retry-period"] = true,
        ["leader-elect-resource-namespace"] = true,
        ["leader-elect-resource-name"] = true,
        ["lock-object-namespace"] = true,
        ["lock-object-name"] = true,
        ["kube-api-qps"] = true,
        ["kube-api-burst"] = true,
        ["port"] = true,
        ["bind-address"] = true,
        ["v"] = true,
        ["logging-format"] = true,
    };

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["lock-object-namespace"] = "leader-elect-resource-namespace",
        ["lock-object-name"] = "leader-elect-resource-name",
        ["log-format"] = "logging-format",
    };

    public const string Usage = """
        packing-scheduler run [flags]
          --kubeconfig PATH             kubeconfig file (default: in-cluster configuration)
          --config PATH                 KubeSchedulerConfiguration (YAML)
          --policy-config-file PATH     legacy scheduler Policy (JSON)
          --scheduler-name NAME         schedule pods with this spec.schedulerName (default node-packing-scheduler)
          --leader-elect[=true|false]   run leader election on a Lease (default true)
          --leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period  (15s, 10s, 2s)
          --lock-object-namespace NS, --lock-object-name NAME   the Lease (default kube-system/node-packing-scheduler)
          --kube-api-qps N, --kube-api-burst N                  client-side throttling (50, 100)
          --port N, --bind-address IP   /healthz, /livez, /readyz, /metrics (default 0.0.0.0:10251)
          -v N, --logging-format text|json
        """;

    /// <summary>Parses and validates the flags into options (also used by the manifests' tests).</summary>
    public static SchedulerOptions ParseOptions(IReadOnlyList<string> args)
    {
        CommandLine cl = CommandLine.Parse("run", args, Flags, Aliases);
        var o = new SchedulerOptions();
        string? config = cl.Get("config");
        string? policy = cl.Get("policy-config-file");
        o.SchedulerName = cl.Get("scheduler-name") ?? SchedulerProfile.DefaultSchedulerName;
        o.LockName = o.SchedulerName;
        try
        {
            o.Profile = SchedulerConfigLoader.Load(config, policy, o.SchedulerName);
            if (config is not null)
            {
                // The configuration's process settings are the defaults; flags given explicitly win.
                ComponentConfig cc = ComponentConfigReader.ReadConfigurationFile(config);
                o.LeaderElect = cc.LeaderElection.LeaderElect;
                o.LeaseDuration = cc.LeaderElection.LeaseDuration;
                o.RenewDeadline = cc.LeaderElection.RenewDeadline;
                o.RetryPeriod = cc.LeaderElection.RetryPeriod;
                o.LockNamespace = cc.LeaderElection.ResourceNamespace;
                o.LockName = cc.LeaderElection.ResourceName;
                o.KubeApiQps = (float)cc.ClientConnection.Qps;
                o.KubeApiBurst = cc.ClientConnection.Burst;
                o.PodInitialBackoff = TimeSpan.FromSeconds(cc.PodInitialBackoffSeconds);
                o.PodMaxBackoff = TimeSpan.FromSeconds(cc.PodMaxBackoffSeconds);
                if (!string.IsNullOrEmpty(cc.ClientConnection.Kubeconfig)) o.Kubeconfig = cc.ClientConnection.Kubeconfig;
            }
        }
        catch (ConfigurationException e)
        {
            throw new UsageException(e.Message);
        }
        o.Kubeconfig = cl.Get("kubeconfig") ?? o.Kubeconfig;
        o.Master = cl.Get("master");
        if (cl.Has("leader-elect")) o.LeaderElect = cl.GetBool("leader-elect");
        o.LeaseDuration = Duration(cl, "leader-elect-lease-duration", o.LeaseDuration);
        o.RenewDeadline = Duration(cl, "leader-elect-renew-deadline", o.RenewDeadline);
        o.RetryPeriod = Duration(cl, "leader-elect-retry-period", o.RetryPeriod);
        if (o.LeaderElect && !(o.LeaseDuration > o.RenewDeadline && o.RenewDeadline > o.RetryPeriod))
            throw new UsageException(
                $"run: leader election needs --leader-elect-lease-duration ({o.LeaseDuration.TotalSeconds}s) > " +
                $"--leader-elect-renew-deadline ({o.RenewDeadline.TotalSeconds}s) > --leader-elect-retry-period ({o.RetryPeriod.TotalSeconds}s)");
        o.LockNamespace = cl.Get("leader-elect-resource-namespace") ?? o.LockNamespace;
        o.LockName = cl.Get("leader-elect-resource-name") ?? o.LockName;
        if (cl.Get("kube-api-qps") is { } qps)
        {
            if (!float.TryParse(qps, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float q) || !float.IsFinite(q) || q <= 0)
                throw new UsageException($"run: flag --kube-api-qps: \"{qps}\" is not a positive number");
            o.KubeApiQps = q;
        }
        o.KubeApiBurst = cl.GetInt("kube-api-burst", o.KubeApiBurst, 1, 100_000);
        o.Port = cl.GetInt("port", o.Port, 0, 65535);
        o.BindAddress = cl.Get("bind-address") ?? o.BindAddress;
        if (!System.Net.IPAddress.TryParse(o.BindAddress, out _))
            throw new UsageException($"run: flag --bind-address: \"{o.BindAddress}\" is not an IP address");
        o.Verbosity = cl.GetInt("v", o.Verbosity, 0, 10);
        o.LogFormat = cl.Get("logging-format") ?? o.LogFormat;
        if (o.LogFormat is not ("text" or "json")) throw new UsageException($"run: flag --logging-format must be text or json, not \"{o.LogFormat}\"");
        return o;
    }

    private static TimeSpan Duration(CommandLine cl, string flag, TimeSpan fallback)
    {
        string? v = cl.Get(flag);
        if (v is null) return fallback;
        if (!GoDuration.TryParse(v, out TimeSpan d) || d <= TimeSpan.Zero)
            throw new UsageException($"run: flag --{flag}: \"{v}\" is not a positive duration such as 15s or 1m30s");
        return d;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stderr)
    {
        SchedulerOptions options = ParseOptions(args);
        WebApplication app;
        try
        {
            app = SchedulerHost.Build(options);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or FileNotFoundException or IOException)
        {
            await stderr.WriteLineAsync($"error: cannot configure the Kubernetes client: {e.Message}").ConfigureAwait(false);
            return Entry.BadInput;
        }
        await app.RunAsync().ConfigureAwait(false);
        return Entry.Ok;
    }
}
