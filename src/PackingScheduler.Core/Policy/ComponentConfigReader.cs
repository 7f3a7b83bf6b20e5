using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Policy;

/// <summary>
/// Reads a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1, the file of kube-scheduler's
/// <c>--config</c>) into one <see cref="SchedulerProfile"/> per profile, plus the process settings.
/// </summary>
/// <remarks>
/// <para>
/// The rule for plugins: a profile means what it means to upstream kube-scheduler. Its plugins
/// section is applied on top of upstream's default plugin set (enabled adds, disabled removes,
/// <c>"*"</c> removes every default of that point, multiPoint enables a plugin at every point it
/// implements, a score weight of 0 or none means 1 unless the entry is an untouched default with
/// its own weight), and NodeResourcesFit scores LeastAllocated unless its args say otherwise.
/// Then every plugin that would run must be one this scheduler implements at that point, or one
/// of the mechanical PrioritySort, DefaultBinder and SchedulingGates, which are accepted without
/// effect, or DefaultPreemption, which turns preemption on (its args are read). Anything else is an error naming the plugin and how to disable it.
/// </para>
/// <para>
/// So a profile that leaves upstream's defaults alone fails, telling the user which defaults
/// (PodTopologySpread, ImageLocality, ...) to disable: running it here would not place pods as
/// kube-scheduler would, and approximating it silently is worse than refusing. A profile that is
/// accepted schedules exactly as the same file would under kube-scheduler.
/// </para>
/// <para>
/// Decoding is strict like kube-scheduler's: unknown or repeated fields and mistyped values are
/// errors, reported as <c>file:line:column: path: message</c>.
/// </para>
/// </remarks>
public static class ComponentConfigReader
{
    public const string ApiVersion = "kubescheduler.config.k8s.io/v1";
    public const string Kind = "KubeSchedulerConfiguration";

    /// <summary>v1.DefaultSchedulerName: the name a lone profile without one gets.</summary>
    public const string UpstreamDefaultSchedulerName = "default-scheduler";

    private static readonly string[] TopFields =
    [
        "apiVersion", "kind", "parallelism", "leaderElection", "clientConnection", "enableProfiling",
        "enableContentionProfiling", "percentageOfNodesToScore", "percentageOfPlacementsToScore",
        "podInitialBackoffSeconds", "podMaxBackoffSeconds", "profiles", "extenders", "delayCacheUntilActive",
    ];

    private static readonly string[] ProfileFields =
        ["schedulerName", "percentageOfNodesToScore", "percentageOfPlacementsToScore", "plugins", "pluginConfig"];

    /// <summary>Extension points of the workload-aware (TopologyAwareWorkloadScheduling) alpha, which this scheduler does not have.</summary>
    private static readonly string[] PlacementPoints = ["placementGenerate", "placementScore", "placementFeasible", "podGroupPostFilter"];

    public static IReadOnlyList<SchedulerProfile> Read(string yaml, string sourceName) => ReadConfiguration(yaml, sourceName).Profiles;

    public static IReadOnlyList<SchedulerProfile> ReadFile(string path) => ReadConfigurationFile(path).Profiles;

    public static ComponentConfig ReadConfigurationFile(string path)
    {
        return ReadConfiguration(ConfigErrors.ReadFile(path, "configuration file"), path);
    }

    public static ComponentConfig ReadConfiguration(string yaml, string sourceName)
    {
        var rootNode = Parse(yaml, sourceName);
        var root = new YamlConfigObject(sourceName, "", rootNode);

        string? kind = root.String("kind");
        if (kind != Kind)
            throw root.Error(root.Get("kind") ?? rootNode, "kind", kind is null
                ? $"required: this reader takes a {Kind}"
                : $"expected {ConfigErrors.Quoted(Kind)}, got {ConfigErrors.Quoted(kind)}" +
                  (kind == "Policy" ? "; pass a legacy Policy as the policy file, not as the configuration file" : ""));
        string? apiVersion = root.String("apiVersion");
        if (apiVersion != ApiVersion)
            throw root.Error(root.Get("apiVersion") ?? rootNode, "apiVersion",
                (apiVersion is null ? "required" : $"unsupported version {ConfigErrors.Quoted(apiVersion)}") +
                $"; this scheduler reads {ApiVersion} (upstream has removed the beta versions: convert the file to v1)");
        root.CheckFields(TopFields);

        int parallelism = root.Int32("parallelism") ?? 16;
        if (parallelism <= 0)
            throw root.Error(root.Get("parallelism")!, "parallelism", $"{parallelism}: should be an integer value greater than zero");
        var leaderElection = ReadLeaderElection(root.Object("leaderElection"));
        var clientConnection = ReadClientConnection(root.Object("clientConnection"));
        // Profiling endpoints are the process's business; read for their type only.
        root.Bool("enableProfiling");
        root.Bool("enableContentionProfiling");
        int? percentage = ReadPercentage(root, "percentageOfNodesToScore");
        RefusePlacementPercentage(root);

        long initialBackoff = root.Int64("podInitialBackoffSeconds") ?? 1;
        if (initialBackoff <= 0)
            throw root.Error(root.Get("podInitialBackoffSeconds")!, "podInitialBackoffSeconds", $"{initialBackoff}: must be greater than 0");
        long maxBackoff = root.Int64("podMaxBackoffSeconds") ?? 10;
        if (maxBackoff < initialBackoff)
            throw root.Error(root.Get("podMaxBackoffSeconds") ?? rootNode, "podMaxBackoffSeconds",
                $"{maxBackoff}: must be greater than or equal to podInitialBackoffSeconds ({initialBackoff})");
        if (root.List("extenders") is { Count: > 0 } extenders)
            throw root.Error(extenders[0].Node, extenders[0].Path, "scheduler extenders are not supported by this scheduler; remove the extenders");
        bool delayCache = root.Bool("delayCacheUntilActive") ?? false;

        return new ComponentConfig
        {
            Profiles = ReadProfiles(root, percentage),
            Parallelism = parallelism,
            LeaderElection = leaderElection,
            ClientConnection = clientConnection,
            PodInitialBackoffSeconds = initialBackoff,
            PodMaxBackoffSeconds = maxBackoff,
            DelayCacheUntilActive = delayCache,
        };
    }

    /// <summary>The profile pods with <c>spec.schedulerName</c> = <paramref name="schedulerName"/> are scheduled with.</summary>
    public static SchedulerProfile SelectProfile(IReadOnlyList<SchedulerProfile> profiles, string schedulerName, string sourceName) =>
        profiles.FirstOrDefault(p => p.SchedulerName == schedulerName)
        ?? throw new ConfigurationException(
            $"{sourceName}: profiles: no profile has schedulerName {ConfigErrors.Quoted(schedulerName)}; " +
            $"profiles: {string.Join(", ", profiles.Select(p => ConfigErrors.Quoted(p.SchedulerName)))}");

    private static YamlNode Parse(string yaml, string sourceName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // Repeated keys fail here, in the parser, not in the field checks.
            string reason = e.Message.StartsWith("Duplicate key ", StringComparison.Ordinal)
                ? $"field {ConfigErrors.Quoted(e.Message["Duplicate key ".Length..])} appears twice in one mapping"
                : e.Message;
            throw new ConfigurationException($"{sourceName}:{e.Start.Line}:{e.Start.Column}: malformed YAML: {reason}", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet throws other exceptions too on some malformed input (its scanner, InvalidOperationException).
            throw new ConfigurationException($"{sourceName}: malformed YAML: {e.Message}", e);
        }
        if (stream.Documents.Count == 0)
            throw new ConfigurationException($"{sourceName}: the file is empty; expected a {Kind}");
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw YamlConfigObject.Error(sourceName, second, "", $"one {Kind} per file is expected, found {stream.Documents.Count} documents");
        }
        return stream.Documents[0].RootNode;
    }

    private static int? ReadPercentage(YamlConfigObject holder, string field)
    {
        int? value = holder.Int32(field);
        if (value is < 0 or > 100)
            throw holder.Error(holder.Get(field)!, holder.ChildPath(field), $"{value} not in valid range [0, 100]");
        return value;
    }

    private static void RefusePlacementPercentage(YamlConfigObject holder)
    {
        if (holder.Get("percentageOfPlacementsToScore") is { } node)
            throw holder.Error(node, holder.ChildPath("percentageOfPlacementsToScore"),
                "workload placement (feature gate TopologyAwareWorkloadScheduling) is not supported by this scheduler; remove it");
    }

    private static List<SchedulerProfile> ReadProfiles(YamlConfigObject root, int? globalPercentage)
    {
        var items = root.List("profiles") ?? [];
        var profiles = new List<SchedulerProfile>();
        if (items.Count == 0)
        {
            // Upstream adds one empty profile: upstream's defaults under "default-scheduler".
            var empty = new YamlConfigObject(root.Source, "profiles[0]", new YamlMappingNode());
            profiles.Add(ReadProfile(empty, root.Node, UpstreamDefaultSchedulerName, globalPercentage));
            return profiles;
        }

        // Names and the shared queue first, for all profiles: they concern the file as a whole.
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var named = new List<(YamlConfigObject Profile, YamlNode Node, string Name)>();
        string? queueSortSignature = null;
        foreach (var (node, path) in items)
        {
            var profile = new YamlConfigObject(root.Source, path, node);
            profile.CheckFields(ProfileFields);
            string? name = profile.String("schedulerName");
            // Upstream names a profile only when it is the only one.
            if (name is null && items.Count == 1) name = UpstreamDefaultSchedulerName;
            if (string.IsNullOrEmpty(name))
                throw profile.Error(profile.Get("schedulerName") ?? node, profile.ChildPath("schedulerName"),
                    "required: with several profiles each needs its own schedulerName");
            if (seen.TryGetValue(name, out string? earlier))
                throw profile.Error(profile.Get("schedulerName")!, profile.ChildPath("schedulerName"),
                    $"duplicate schedulerName {ConfigErrors.Quoted(name)} (also at {earlier})");
            seen[name] = profile.ChildPath("schedulerName");

            // Upstream keeps one queue for all profiles, so they must agree on how it is sorted.
            string signature = ReadPluginSet(profile.Object("plugins"), "queueSort").Signature;
            queueSortSignature ??= signature;
            if (signature != queueSortSignature)
                throw profile.Error(profile.Object("plugins")?.Node ?? node, ConfigErrors.Child(profile.ChildPath("plugins"), "queueSort"),
                    $"must be the same for all profiles; it differs from {items[0].Path}'s");
            named.Add((profile, node, name));
        }
        foreach (var (profile, node, name) in named)
            profiles.Add(ReadProfile(profile, node, name, globalPercentage));
        return profiles;
    }

    /// <param name="anchor">Where errors about the profile as a whole point: the profile, or the file when upstream made the profile up.</param>
    private static SchedulerProfile ReadProfile(YamlConfigObject profile, YamlNode anchor, string name, int? globalPercentage)
    {
        int? percentage = ReadPercentage(profile, "percentageOfNodesToScore");
        RefusePlacementPercentage(profile);

        var plugins = profile.Object("plugins");
        string pluginsPath = profile.ChildPath("plugins");
        plugins?.CheckFields(Enum.GetValues<ExtensionPoint>().Select(PluginSetResolver.PointName).Append("multiPoint").Concat(PlacementPoints).ToArray());
        // Their plugins are not in-tree ones, so they are refused before any name is looked up.
        foreach (string point in PlacementPoints)
        {
            var set = plugins?.Object(point);
            set?.CheckFields("enabled", "disabled");
            if (set?.List("enabled") is { Count: > 0 } enabled)
                throw set.Error(enabled[0].Node, enabled[0].Path,
                    "workload placement extension points (feature gate TopologyAwareWorkloadScheduling) are not supported by this scheduler");
        }
        var points = Enum.GetValues<ExtensionPoint>().ToDictionary(p => p, p => ReadPluginSet(plugins, PluginSetResolver.PointName(p)));
        var (filters, scores, preemption) = PluginSetResolver.Resolve(profile.Source, pluginsPath,
            plugins?.Node ?? anchor, ReadPluginSet(plugins, "multiPoint"), points);

        var result = new SchedulerProfile
        {
            SchedulerName = name,
            Filters = filters,
            Scores = scores,
            Preemption = preemption,
            // NodeResourcesFitArgs default (v1 SetDefaults_NodeResourcesFitArgs).
            ScoringStrategy = ScoringStrategy.LeastAllocated(),
            HardPodAffinityWeight = 1,
            // The profile's value overrides the top level's; neither means 0, upstream's adaptive percentage.
            PercentageOfNodesToScore = percentage ?? globalPercentage ?? 0,
        };

        var configured = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (node, path) in profile.List("pluginConfig") ?? [])
        {
            var entry = new YamlConfigObject(profile.Source, path, node);
            entry.CheckFields("name", "args");
            var nameNode = entry.Get("name") ?? node;
            string plugin = entry.String("name") is { Length: > 0 } n ? n : throw entry.Error(nameNode, entry.ChildPath("name"), "required: the plugin's name");
            CheckPluginName(entry, nameNode, entry.ChildPath("name"), plugin, enabling: true);
            if (configured.TryGetValue(plugin, out string? earlier))
                throw entry.Error(nameNode, entry.ChildPath("name"), $"duplicate pluginConfig for {plugin} (also at {earlier})");
            configured[plugin] = path;
            result = PluginArgsReader.Apply(result, plugin, entry.Object("args"), entry);
        }
        return result;
    }

    private static ConfiguredPluginSet ReadPluginSet(YamlConfigObject? plugins, string point)
    {
        if (plugins?.Object(point) is not { } set) return ConfiguredPluginSet.Empty;
        set.CheckFields("enabled", "disabled");
        return new ConfiguredPluginSet(ReadPluginList(set, "enabled", enabling: true), ReadPluginList(set, "disabled", enabling: false));
    }

    private static List<ConfiguredPlugin> ReadPluginList(YamlConfigObject set, string field, bool enabling)
    {
        var plugins = new List<ConfiguredPlugin>();
        foreach (var (node, path) in set.List(field) ?? [])
        {
            var plugin = new YamlConfigObject(set.Source, path, node);
            plugin.CheckFields("name", "weight");
            var nameNode = plugin.Get("name") ?? node;
            string name = plugin.String("name") is { Length: > 0 } n ? n : throw plugin.Error(nameNode, plugin.ChildPath("name"), "required: the plugin's name");
            if (!(name == "*" && !enabling))
                CheckPluginName(plugin, nameNode, plugin.ChildPath("name"), name, enabling);
            plugins.Add(new ConfiguredPlugin(name, plugin.Int32("weight"), node, nameNode, path));
        }
        return plugins;
    }

    private static void CheckPluginName(YamlConfigObject holder, YamlNode at, string path, string name, bool enabling)
    {
        if (UpstreamPlugins.Points.ContainsKey(name)) return;
        bool invalid = UpstreamPlugins.InvalidInV1.Contains(name);
        bool removed = UpstreamPlugins.Removed.TryGetValue(name, out string? replacement);
        // Configs written for older versions may still disable these; that is harmless.
        if (!enabling && (invalid || removed)) return;
        if (invalid)
            throw holder.Error(at, path, $"plugin {ConfigErrors.Quoted(name)} was invalid in version {ApiVersion}; remove it");
        if (removed)
            throw holder.Error(at, path, $"plugin {ConfigErrors.Quoted(name)} no longer exists in {ApiVersion}: {replacement}");
        if (name == "*")
            throw holder.Error(at, path, "\"*\" can only be disabled (it means every default plugin of the point)");
        var known = UpstreamPlugins.Points.Keys.ToList();
        throw holder.Error(at, path, $"unknown plugin {ConfigErrors.Quoted(name)}{ConfigErrors.Suggestion(name, known)}; known: {ConfigErrors.List(known)}");
    }

    private static LeaderElectionSettings ReadLeaderElection(YamlConfigObject? config)
    {
        var settings = new LeaderElectionSettings();
        if (config is null) return settings;
        config.CheckFields("leaderElect", "leaseDuration", "renewDeadline", "retryPeriod", "resourceLock", "resourceName", "resourceNamespace");

        TimeSpan Duration(string field, TimeSpan fallback)
        {
            if (config.String(field) is not { } text) return fallback;
            if (!GoDuration.TryParse(text, out var value))
                throw config.Error(config.Get(field)!, config.ChildPath(field), $"{ConfigErrors.Quoted(text)} is not a duration such as \"15s\" or \"1m30s\"");
            // Upstream fills in a zero duration with the recommended default.
            return value == TimeSpan.Zero ? fallback : value;
        }
        string Text(string field, string fallback) => config.String(field) is { Length: > 0 } value ? value : fallback;

        settings = new LeaderElectionSettings
        {
            LeaderElect = config.Bool("leaderElect") ?? settings.LeaderElect,
            LeaseDuration = Duration("leaseDuration", settings.LeaseDuration),
            RenewDeadline = Duration("renewDeadline", settings.RenewDeadline),
            RetryPeriod = Duration("retryPeriod", settings.RetryPeriod),
            ResourceLock = Text("resourceLock", settings.ResourceLock),
            ResourceName = Text("resourceName", settings.ResourceName),
            ResourceNamespace = Text("resourceNamespace", settings.ResourceNamespace),
        };
        if (!settings.LeaderElect) return settings;

        // component-base ValidateLeaderElectionConfiguration, plus the scheduler's leases-only rule.
        foreach (var (field, value) in new[] { ("leaseDuration", settings.LeaseDuration), ("renewDeadline", settings.RenewDeadline), ("retryPeriod", settings.RetryPeriod) })
            if (value <= TimeSpan.Zero)
                throw config.Error(config.Get(field)!, config.ChildPath(field), "must be greater than zero");
        if (settings.LeaseDuration <= settings.RenewDeadline)
            throw config.Error(config.Get("leaseDuration") ?? config.Node, config.ChildPath("leaseDuration"),
                $"leaseDuration ({settings.LeaseDuration}) must be greater than renewDeadline ({settings.RenewDeadline})");
        if (settings.ResourceLock != "leases")
            throw config.Error(config.Get("resourceLock")!, config.ChildPath("resourceLock"),
                $"resourceLock value must be \"leases\", got {ConfigErrors.Quoted(settings.ResourceLock)}");
        return settings;
    }

    private static ClientConnectionSettings ReadClientConnection(YamlConfigObject? config)
    {
        var settings = new ClientConnectionSettings();
        if (config is null) return settings;
        config.CheckFields("kubeconfig", "acceptContentTypes", "contentType", "qps", "burst");
        int burst = config.Int32("burst") ?? 0;
        if (burst < 0)
            throw config.Error(config.Get("burst")!, config.ChildPath("burst"), $"{burst}: must be non-negative");
        double qps = config.Double("qps") ?? 0;
        return new ClientConnectionSettings
        {
            Kubeconfig = config.String("kubeconfig") ?? "",
            AcceptContentTypes = config.String("acceptContentTypes") ?? "",
            ContentType = config.String("contentType") is { Length: > 0 } type ? type : settings.ContentType,
            // The scheduler's own defaults replace zero, as upstream.
            Qps = qps == 0 ? settings.Qps : qps,
            Burst = burst == 0 ? settings.Burst : burst,
        };
    }
}
