using System.Text.RegularExpressions;
using PackingScheduler.Cli;
using PackingScheduler.Core.Policy;
using PackingScheduler.Hosting;

namespace PackingScheduler.Tests.Cli;

/// <summary>`packing-scheduler run`'s flags, kube-scheduler's names and defaults, parsed into <see cref="SchedulerOptions"/>.</summary>
public sealed class RunCommandTests : IDisposable
{
    private static readonly string PackingYaml = Path.Combine(RepoPaths.Policies, "node-packing.yaml");
    private static readonly string PolicyJson = Path.Combine(RepoPaths.Policies, "scheduler-policy.json");

    private readonly string _temp = Path.Combine(Path.GetTempPath(), $"ps-run-{Guid.NewGuid():N}");

    public RunCommandTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static SchedulerOptions Parse(params string[] args) => RunCommand.ParseOptions(args);

    private static string Error(params string[] args) => Assert.Throws<UsageException>(() => RunCommand.ParseOptions(args)).Message;

    private string WriteTemp(string name, string text)
    {
        string path = Path.Combine(_temp, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>policies/node-packing.yaml with its leaderElection block replaced by <paramref name="blocks"/>.</summary>
    private string PackingConfigWith(string blocks)
    {
        string yaml = File.ReadAllText(PackingYaml);
        string without = Regex.Replace(yaml, @"^leaderElection:\r?\n(?:[ \t]+.*\r?\n)+", "", RegexOptions.Multiline);
        Assert.NotEqual(yaml, without);
        return WriteTemp("config.yaml", without + "\n" + blocks);
    }

    // ---- Defaults ----

    [Fact]
    public void Without_flags_the_options_are_kube_schedulers_defaults_for_the_packing_scheduler()
    {
        SchedulerOptions o = Parse();

        Assert.Equal("node-packing-scheduler", o.SchedulerName);
        Assert.True(o.LeaderElect);
        Assert.Equal(TimeSpan.FromSeconds(15), o.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), o.RenewDeadline);
        Assert.Equal(TimeSpan.FromSeconds(2), o.RetryPeriod);
        Assert.Equal("kube-system", o.LockNamespace);
        Assert.Equal("node-packing-scheduler", o.LockName);
        Assert.Equal(50f, o.KubeApiQps);
        Assert.Equal(100, o.KubeApiBurst);
        Assert.Equal(10251, o.Port);
        Assert.Equal("0.0.0.0", o.BindAddress);
        Assert.Equal(2, o.Verbosity);
        Assert.Equal("text", o.LogFormat);
        Assert.Null(o.Kubeconfig);
        Assert.Null(o.Master);
        Assert.Equal(TimeSpan.FromSeconds(1), o.PodInitialBackoff);
        Assert.Equal(TimeSpan.FromSeconds(10), o.PodMaxBackoff);
        // The built-in profile, under the scheduler's name.
        Assert.Equal("node-packing-scheduler", o.Profile.SchedulerName);
        Assert.Equal(SchedulerProfile.NodePacking().Filters.Order(), o.Profile.Filters.Order());
        Assert.Equal(SchedulerProfile.NodePacking().Scores, o.Profile.Scores);
        Assert.Equal(ScoringStrategyType.MostAllocated, o.Profile.ScoringStrategy.Type);
    }

    // ---- Every flag ----

    [Fact]
    public void Every_flag_is_parsed()
    {
        SchedulerOptions o = Parse(
            "--kubeconfig", "/etc/kubernetes/scheduler.conf",
            "--master", "https://10.0.0.1:6443",
            "--scheduler-name", "packer",
            "--leader-elect=true",
            "--leader-elect-lease-duration", "1m30s",
            "--leader-elect-renew-deadline", "1m",
            "--leader-elect-retry-period", "1.5s",
            "--leader-elect-resource-namespace", "scheduling",
            "--leader-elect-resource-name", "packer-lock",
            "--kube-api-qps", "12.5",
            "--kube-api-burst", "25",
            "--port", "10259",
            "--bind-address", "127.0.0.1",
            "-v", "4",
            "--logging-format", "json");

        Assert.Equal("/etc/kubernetes/scheduler.conf", o.Kubeconfig);
        Assert.Equal("https://10.0.0.1:6443", o.Master);
        Assert.Equal("packer", o.SchedulerName);
        Assert.Equal("packer", o.Profile.SchedulerName);
        Assert.True(o.LeaderElect);
        Assert.Equal(TimeSpan.FromSeconds(90), o.LeaseDuration);
        Assert.Equal(TimeSpan.FromMinutes(1), o.RenewDeadline);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), o.RetryPeriod);
        Assert.Equal("scheduling", o.LockNamespace);
        Assert.Equal("packer-lock", o.LockName);
        Assert.Equal(12.5f, o.KubeApiQps);
        Assert.Equal(25, o.KubeApiBurst);
        Assert.Equal(10259, o.Port);
        Assert.Equal("127.0.0.1", o.BindAddress);
        Assert.Equal(4, o.Verbosity);
        Assert.Equal("json", o.LogFormat);
    }

    [Theory]
    [InlineData("15s", 15_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("20500ms", 20_500)]
    [InlineData("1.5m", 90_000)]
    public void Durations_are_go_durations(string text, long milliseconds)
    {
        SchedulerOptions o = Parse("--leader-elect-lease-duration", text, "--leader-elect-renew-deadline", "11s");
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), o.LeaseDuration);
    }

    [Fact]
    public void Flags_take_their_value_after_an_equals_sign_too()
    {
        SchedulerOptions o = Parse("--scheduler-name=packer", "--port=0", "--leader-elect-retry-period=3s", "--v=5");

        Assert.Equal("packer", o.SchedulerName);
        Assert.Equal(0, o.Port);
        Assert.Equal(TimeSpan.FromSeconds(3), o.RetryPeriod);
        Assert.Equal(5, o.Verbosity);
    }

    [Theory]
    [InlineData(new[] { "--leader-elect=false" }, false)]
    [InlineData(new[] { "--leader-elect=true" }, true)]
    [InlineData(new[] { "--leader-elect" }, true)]
    public void Leader_election_is_a_boolean_flag(string[] args, bool expected)
    {
        Assert.Equal(expected, Parse(args).LeaderElect);
    }

    [Fact]
    public void Without_leader_election_the_lease_timings_are_not_checked()
    {
        SchedulerOptions o = Parse("--leader-elect=false", "--leader-elect-lease-duration", "5s");

        Assert.False(o.LeaderElect);
        Assert.Equal(TimeSpan.FromSeconds(5), o.LeaseDuration);
    }

    [Fact]
    public void The_lock_object_flags_are_aliases_of_the_leader_elect_resource_flags()
    {
        SchedulerOptions o = Parse("--lock-object-namespace", "scheduling", "--lock-object-name", "packer-lock");

        Assert.Equal("scheduling", o.LockNamespace);
        Assert.Equal("packer-lock", o.LockName);
        // One flag under two names: giving both is giving it twice.
        Assert.Contains("--leader-elect-resource-namespace",
            Error("--lock-object-namespace", "a", "--leader-elect-resource-namespace", "b"));
    }

    [Fact]
    public void The_log_format_flag_is_an_alias_of_logging_format()
    {
        Assert.Equal("json", Parse("--log-format", "json").LogFormat);
    }

    [Fact]
    public void The_lock_is_named_after_the_scheduler_unless_named_explicitly()
    {
        Assert.Equal("packer", Parse("--scheduler-name", "packer").LockName);
        Assert.Equal("lock", Parse("--scheduler-name", "packer", "--lock-object-name", "lock").LockName);
    }

    [Theory]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("10.1.2.3")]
    public void Bind_address_takes_ipv4_and_ipv6(string address)
    {
        Assert.Equal(address, Parse("--bind-address", address).BindAddress);
    }

    // ---- Policy and configuration files ----

    [Fact]
    public void The_legacy_policy_file_loads_as_the_profile()
    {
        SchedulerOptions o = Parse("--policy-config-file", PolicyJson);

        Assert.Equal("node-packing-scheduler", o.Profile.SchedulerName);
        Assert.Equal(SchedulerProfile.NodePacking().Filters.Order(), o.Profile.Filters.Order());
        Assert.Equal(SchedulerProfile.NodePacking().Scores.OrderBy(s => s.Plugin), o.Profile.Scores.OrderBy(s => s.Plugin));
        Assert.Equal(ScoringStrategyType.MostAllocated, o.Profile.ScoringStrategy.Type);
        // A policy has no process settings: the flags' defaults stand.
        Assert.Equal("kube-system", o.LockNamespace);
        Assert.Equal("node-packing-scheduler", o.LockName);
    }

    [Fact]
    public void A_policy_file_is_read_not_assumed()
    {
        string policy = WriteTemp("policy.json", """
            {
              "kind": "Policy",
              "apiVersion": "v1",
              "predicates": [ { "name": "PodFitsResources" } ],
              "priorities": [ { "name": "LeastRequestedPriority", "weight": 3 } ]
            }
            """);

        SchedulerOptions o = Parse("--policy-config-file", policy, "--scheduler-name", "spreader");

        Assert.Equal("spreader", o.Profile.SchedulerName);
        Assert.Equal(ScoringStrategyType.LeastAllocated, o.Profile.ScoringStrategy.Type);
        Assert.Equal(new[] { new WeightedScore(ScorePlugin.NodeResourcesFit, 3) }, o.Profile.Scores);
        Assert.Contains(FilterPlugin.NodeResourcesFit, o.Profile.Filters);
        Assert.DoesNotContain(FilterPlugin.InterPodAffinity, o.Profile.Filters);
    }

    [Fact]
    public void The_packing_configuration_loads_its_profile_and_lock()
    {
        SchedulerOptions o = Parse("--config", PackingYaml);

        Assert.Equal("node-packing-scheduler", o.Profile.SchedulerName);
        Assert.Equal(SchedulerProfile.NodePacking().Filters.Order(), o.Profile.Filters.Order());
        Assert.Equal(SchedulerProfile.NodePacking().Scores.OrderBy(s => s.Plugin), o.Profile.Scores.OrderBy(s => s.Plugin));
        Assert.Equal(ScoringStrategyType.MostAllocated, o.Profile.ScoringStrategy.Type);
        Assert.Equal(100, o.Profile.PercentageOfNodesToScore);
        Assert.True(o.LeaderElect);
        Assert.Equal("kube-system", o.LockNamespace);
        Assert.Equal("node-packing-scheduler", o.LockName);
        Assert.Equal(TimeSpan.FromSeconds(15), o.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), o.RenewDeadline);
        Assert.Equal(TimeSpan.FromSeconds(2), o.RetryPeriod);
        Assert.Equal(50f, o.KubeApiQps);
        Assert.Equal(100, o.KubeApiBurst);
    }

    private const string CustomBlocks = """
        leaderElection:
          leaderElect: true
          leaseDuration: 30s
          renewDeadline: 20s
          retryPeriod: 4s
          resourceName: packing-lock
          resourceNamespace: scheduling
        clientConnection:
          kubeconfig: /etc/kubernetes/from-config.conf
          qps: 20
          burst: 40
        podInitialBackoffSeconds: 2
        podMaxBackoffSeconds: 20

        """;

    [Fact]
    public void The_configurations_process_settings_become_the_defaults()
    {
        SchedulerOptions o = Parse("--config", PackingConfigWith(CustomBlocks));

        Assert.True(o.LeaderElect);
        Assert.Equal(TimeSpan.FromSeconds(30), o.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(20), o.RenewDeadline);
        Assert.Equal(TimeSpan.FromSeconds(4), o.RetryPeriod);
        Assert.Equal("scheduling", o.LockNamespace);
        Assert.Equal("packing-lock", o.LockName);
        Assert.Equal("/etc/kubernetes/from-config.conf", o.Kubeconfig);
        Assert.Equal(20f, o.KubeApiQps);
        Assert.Equal(40, o.KubeApiBurst);
        Assert.Equal(TimeSpan.FromSeconds(2), o.PodInitialBackoff);
        Assert.Equal(TimeSpan.FromSeconds(20), o.PodMaxBackoff);
    }

    [Fact]
    public void Flags_given_explicitly_override_the_configuration()
    {
        SchedulerOptions o = Parse("--config", PackingConfigWith(CustomBlocks),
            "--leader-elect-lease-duration", "1m",
            "--leader-elect-renew-deadline", "40s",
            "--lock-object-namespace", "other-ns",
            "--lock-object-name", "other-lock",
            "--kubeconfig", "/root/.kube/config",
            "--kube-api-qps", "7",
            "--kube-api-burst", "9");

        Assert.Equal(TimeSpan.FromMinutes(1), o.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(40), o.RenewDeadline);
        // Not given: still the configuration's.
        Assert.Equal(TimeSpan.FromSeconds(4), o.RetryPeriod);
        Assert.Equal("other-ns", o.LockNamespace);
        Assert.Equal("other-lock", o.LockName);
        Assert.Equal("/root/.kube/config", o.Kubeconfig);
        Assert.Equal(7f, o.KubeApiQps);
        Assert.Equal(9, o.KubeApiBurst);
    }

    [Fact]
    public void The_leader_elect_flag_overrides_the_configuration_both_ways()
    {
        Assert.False(Parse("--config", PackingYaml, "--leader-elect=false").LeaderElect);
        string off = PackingConfigWith("leaderElection:\n  leaderElect: false\n  resourceName: x\n");
        Assert.False(Parse("--config", off).LeaderElect);
        Assert.True(Parse("--config", off, "--leader-elect").LeaderElect);
    }

    [Fact]
    public void A_flag_against_the_configurations_timings_is_checked_against_them()
    {
        // The configuration's lease (30s) is the default: a 30s renew deadline no longer fits under it.
        string message = Error("--config", PackingConfigWith(CustomBlocks), "--leader-elect-renew-deadline", "30s");

        Assert.Contains("--leader-elect-lease-duration", message);
        Assert.Contains("--leader-elect-renew-deadline", message);
    }

    [Fact]
    public void A_configuration_without_leader_election_uses_upstreams_lock()
    {
        // Upstream's default lock is the default scheduler's own: kube-system/kube-scheduler.
        string config = PackingConfigWith("");

        SchedulerOptions o = Parse("--config", config);

        Assert.Equal("kube-system", o.LockNamespace);
        Assert.Equal("kube-scheduler", o.LockName);
    }

    // ---- Errors ----

    [Fact]
    public void An_unknown_flag_is_named()
    {
        string message = Error("--leader-elect-lease", "15s");
        Assert.Contains("unknown flag \"--leader-elect-lease\"", message);
    }

    [Fact]
    public void A_positional_argument_is_refused()
    {
        Assert.Contains("\"extra\"", Error("extra"));
    }

    [Fact]
    public void A_flag_without_its_value_is_named()
    {
        Assert.Contains("--port", Error("--port"));
    }

    [Theory]
    [InlineData("leader-elect-lease-duration", "15")]
    [InlineData("leader-elect-lease-duration", "fifteen")]
    [InlineData("leader-elect-renew-deadline", "-5s")]
    [InlineData("leader-elect-retry-period", "0s")]
    [InlineData("leader-elect-retry-period", "")]
    [InlineData("leader-elect-retry-period", "2x")]
    public void A_bad_duration_is_named(string flag, string value)
    {
        string message = Error("--" + flag, value);
        Assert.Contains("--" + flag, message);
        Assert.Contains($"\"{value}\"", message);
    }

    [Theory]
    [InlineData("10s", "10s", "2s")]
    [InlineData("10s", "15s", "2s")]
    [InlineData("15s", "10s", "10s")]
    [InlineData("15s", "10s", "12s")]
    public void Lease_timings_must_decrease_from_lease_to_renew_to_retry(string lease, string renew, string retry)
    {
        string message = Error("--leader-elect-lease-duration", lease, "--leader-elect-renew-deadline", renew,
            "--leader-elect-retry-period", retry);

        Assert.Contains("--leader-elect-lease-duration", message);
        Assert.Contains("--leader-elect-renew-deadline", message);
    }

    [Fact]
    public void Lease_not_above_the_default_renew_deadline_is_refused()
    {
        Assert.Contains("--leader-elect-lease-duration", Error("--leader-elect-lease-duration", "10s"));
    }

    [Theory]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("http")]
    [InlineData("10251.5")]
    public void A_bad_port_is_named(string port)
    {
        string message = Error("--port", port);
        Assert.Contains("--port", message);
        Assert.Contains($"\"{port}\"", message);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("0.0.0.0:10251")]
    [InlineData("256.0.0.1")]
    [InlineData("")]
    public void A_bad_bind_address_is_named(string address)
    {
        Assert.Contains("--bind-address", Error("--bind-address", address));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("fast")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void A_bad_qps_is_named(string qps)
    {
        string message = Error("--kube-api-qps", qps);
        Assert.Contains("--kube-api-qps", message);
        Assert.Contains($"\"{qps}\"", message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("many")]
    public void A_bad_burst_is_named(string burst)
    {
        Assert.Contains("--kube-api-burst", Error("--kube-api-burst", burst));
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("JSON")]
    [InlineData("")]
    public void A_bad_logging_format_is_named(string format)
    {
        string message = Error("--logging-format", format);
        Assert.Contains("--logging-format", message);
        Assert.Contains($"\"{format}\"", message);
    }

    [Theory]
    [InlineData("11")]
    [InlineData("loud")]
    public void A_bad_verbosity_is_named(string v)
    {
        Assert.Contains("--v", Error("-v", v));
    }

    [Fact]
    public void A_flag_given_twice_is_named()
    {
        Assert.Contains("--port", Error("--port", "1", "--port", "2"));
    }

    [Fact]
    public void The_leader_elect_flag_takes_only_true_or_false()
    {
        Assert.Contains("--leader-elect", Error("--leader-elect=no"));
    }

    [Fact]
    public void A_configuration_and_a_policy_together_are_refused()
    {
        string message = Error("--config", PackingYaml, "--policy-config-file", PolicyJson);

        Assert.Contains(PackingYaml, message);
        Assert.Contains(PolicyJson, message);
        Assert.Contains("use one", message);
    }

    [Fact]
    public void A_missing_configuration_file_is_named()
    {
        string missing = Path.Combine(_temp, "missing.yaml");
        Assert.Contains(missing, Error("--config", missing));
    }

    [Fact]
    public void A_missing_policy_file_is_named()
    {
        string missing = Path.Combine(_temp, "missing.json");
        Assert.Contains(missing, Error("--policy-config-file", missing));
    }

    [Fact]
    public void A_configuration_without_the_schedulers_profile_is_refused()
    {
        string message = Error("--config", PackingYaml, "--scheduler-name", "packer");

        Assert.Contains("\"packer\"", message);
        Assert.Contains(PackingYaml, message);
    }

    [Fact]
    public void A_bad_leader_election_block_in_the_configuration_is_a_usage_error()
    {
        string config = PackingConfigWith("leaderElection:\n  leaseDuration: 5s\n  renewDeadline: 10s\n");

        string message = Error("--config", config);

        Assert.Contains(config, message);
        Assert.Contains("leaseDuration", message);
    }
}
