using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Tests.Policy;

public sealed class ComponentConfigReaderTests
{
    private const string Source = "conf/scheduler.yaml";

    private const string Header = """
        apiVersion: kubescheduler.config.k8s.io/v1
        kind: KubeSchedulerConfiguration

        """;

    /// <summary>Upstream's default plugins this scheduler does not implement.</summary>
    private const string Unimplemented =
        "{name: PodTopologySpread}, {name: NodeResourcesBalancedAllocation}, {name: ImageLocality}, {name: VolumeBinding}, {name: NodeVolumeLimits}, {name: DynamicResources}";

    /// <summary>A file with one profile named "p" whose fields are <paramref name="profile"/> (YAML at the profile's indentation).</summary>
    private static string Config(string profile, string top = "") =>
        Header + top + (top.Length > 0 && !top.EndsWith('\n') ? "\n" : "") + "profiles:\n- schedulerName: p\n" + Indent(profile, "  ");

    /// <summary>A profile that disables the unimplemented defaults, plus <paramref name="more"/> under plugins.</summary>
    private static string Plugins(string more = "", string after = "") =>
        $"plugins:\n  multiPoint:\n    disabled: [{Unimplemented}]\n" + Indent(more, "  ") + after;

    private static string Indent(string text, string by) =>
        string.Concat(text.Split('\n').Select(line => line.Length == 0 ? "\n" : by + line + "\n")).TrimEnd('\n') + "\n";

    private static SchedulerProfile One(string yaml) => Assert.Single(ComponentConfigReader.Read(yaml, Source));

    private static string Error(string yaml)
    {
        var e = Assert.Throws<ConfigurationException>(() => ComponentConfigReader.ReadConfiguration(yaml, Source));
        Assert.StartsWith(Source + ":", e.Message);
        return e.Message;
    }

    private static readonly FilterPlugin[] AllFilters = Enum.GetValues<FilterPlugin>();

    [Fact]
    public void Upstream_defaults_alone_are_refused_naming_the_plugins_to_disable()
    {
        string message = Error(Header);

        Assert.StartsWith($"{Source}:1:1: profiles[0].plugins: upstream's default plugins DynamicResources, ImageLocality, NodeResourcesBalancedAllocation, NodeVolumeLimits, PodTopologySpread, VolumeBinding would run but are not implemented by this scheduler; disable them: profiles[0].plugins.multiPoint.disabled: [", message);
        Assert.Contains("this scheduler implements filters InterPodAffinity, NodeAffinity, NodeName, NodePorts, NodeResourcesFit, NodeUnschedulable, TaintToleration, VolumeRestrictions, VolumeZone; scores InterPodAffinity, NodeAffinity, NodeResourcesFit, TaintToleration", message);
    }

    [Fact]
    public void Disabling_the_unimplemented_defaults_leaves_upstreams_default_filters_and_scores()
    {
        var profile = One(Config(Plugins()));

        Assert.Equal("p", profile.SchedulerName);
        Assert.Equal(AllFilters.Order(), profile.Filters.Order());
        Assert.Equal(
            [new WeightedScore(ScorePlugin.TaintToleration, 3), new WeightedScore(ScorePlugin.NodeAffinity, 2),
             new WeightedScore(ScorePlugin.NodeResourcesFit, 1), new WeightedScore(ScorePlugin.InterPodAffinity, 2)],
            profile.Scores);
        Assert.Equal(ScoringStrategyType.LeastAllocated, profile.ScoringStrategy.Type);
        Assert.Equal(1, profile.HardPodAffinityWeight);
        Assert.Equal(0, profile.PercentageOfNodesToScore);
    }

    [Fact]
    public void A_lone_profile_without_a_name_is_upstreams_default_scheduler()
    {
        var profile = One(Header + $"profiles:\n- plugins:\n    multiPoint:\n      disabled: [{Unimplemented}]\n");

        Assert.Equal("default-scheduler", profile.SchedulerName);
    }

    [Fact]
    public void Disabling_all_defaults_with_a_star_keeps_only_what_is_enabled()
    {
        var profile = One(Config("""
            plugins:
              multiPoint:
                enabled:
                - name: PrioritySort
                - name: DefaultBinder
                - name: NodeUnschedulable
                - name: NodeResourcesFit
                  weight: 5
                disabled:
                - name: "*"
            """));

        Assert.Equal([FilterPlugin.NodeUnschedulable, FilterPlugin.NodeResourcesFit], profile.Filters.Order());
        Assert.Equal([new WeightedScore(ScorePlugin.NodeResourcesFit, 5)], profile.Scores);
    }

    [Fact]
    public void Disabling_all_scores_keeps_the_filters()
    {
        var profile = One(Config(Plugins("score:\n  disabled: [{name: \"*\"}]")));

        Assert.Equal(AllFilters.Order(), profile.Filters.Order());
        Assert.Empty(profile.Scores);
    }

    [Fact]
    public void Disabling_a_filter_at_filter_and_preFilter_removes_it()
    {
        var profile = One(Config(Plugins("""
            preFilter:
              disabled: [{name: NodePorts}, {name: VolumeZone}]
            filter:
              disabled: [{name: NodePorts}, {name: VolumeZone}]
            """)));

        Assert.Equal(AllFilters.Except([FilterPlugin.NodePorts, FilterPlugin.VolumeZone]).Order(), profile.Filters.Order());
    }

    [Fact]
    public void Disabling_a_filter_plugin_at_multiPoint_removes_it_everywhere()
    {
        var profile = One(Header + $"profiles:\n- schedulerName: p\n  plugins:\n    multiPoint:\n      disabled: [{Unimplemented}, {{name: InterPodAffinity}}]\n");

        Assert.DoesNotContain(FilterPlugin.InterPodAffinity, profile.Filters);
        Assert.DoesNotContain(profile.Scores, s => s.Plugin == ScorePlugin.InterPodAffinity);
    }

    [Theory]
    [InlineData("[{name: NodeAffinity, weight: 7}]", "[]", ScorePlugin.NodeAffinity, 7)]
    [InlineData("[{name: NodeAffinity, weight: 0}]", "[]", ScorePlugin.NodeAffinity, 1)]
    [InlineData("[{name: TaintToleration}]", "[]", ScorePlugin.TaintToleration, 1)]
    [InlineData("[]", "[{name: TaintToleration}]", ScorePlugin.TaintToleration, 1)]
    [InlineData("[]", "[{name: InterPodAffinity, weight: 9}]", ScorePlugin.InterPodAffinity, 9)]
    [InlineData("[{name: InterPodAffinity, weight: 4}]", "[{name: InterPodAffinity, weight: 9}]", ScorePlugin.InterPodAffinity, 4)]
    [InlineData("[]", "[]", ScorePlugin.TaintToleration, 3)]
    public void Score_weight_comes_from_the_score_point_then_multiPoint_with_zero_or_none_meaning_one(
        string scoreEnabled, string multiPointEnabled, ScorePlugin plugin, long weight)
    {
        string yaml = Config($"""
            plugins:
              multiPoint:
                enabled: {multiPointEnabled}
                disabled: [{Unimplemented}]
              score:
                enabled: {scoreEnabled}
            """);

        Assert.Equal(weight, One(yaml).Scores.Single(s => s.Plugin == plugin).Weight);
    }

    [Fact]
    public void Enabling_a_plugin_this_scheduler_lacks_is_an_error_pointing_at_the_line()
    {
        string message = Error(Config(Plugins("score:\n  enabled:\n  - name: NodeAffinity\n  - name: ImageLocality\n    weight: 3")));

        Assert.StartsWith($"{Source}:11:15: profiles[0].plugins.score.enabled[1].name: plugin \"ImageLocality\" is not implemented by this scheduler; remove it", message);
    }

    [Fact]
    public void Re_enabling_an_unimplemented_default_through_multiPoint_is_an_error_pointing_at_the_line()
    {
        string message = Error(Header + "profiles:\n- schedulerName: p\n  plugins:\n    multiPoint:\n      enabled: [{name: PodTopologySpread, weight: 3}]\n");

        Assert.StartsWith($"{Source}:7:24: profiles[0].plugins.multiPoint.enabled[0].name: plugin \"PodTopologySpread\" is not implemented by this scheduler", message);
    }

    [Fact]
    public void Negative_score_weight_is_an_error()
    {
        Assert.Contains("profiles[0].plugins.score.enabled[0].weight: score plugin \"NodeResourcesFit\" has weight -3; weights must be positive",
            Error(Config(Plugins("score:\n  enabled: [{name: NodeResourcesFit, weight: -3}]"))));
    }

    [Fact]
    public void Unknown_plugin_is_an_error_listing_known_names()
    {
        string message = Error(Config(Plugins("score:\n  enabled: [{name: NodeResourceFit, weight: 2}]")));

        Assert.StartsWith($"{Source}:9:24: profiles[0].plugins.score.enabled[0].name: unknown plugin \"NodeResourceFit\" (did you mean \"NodeResourcesFit\"?); known: DefaultBinder, DefaultPreemption, DynamicResources, ", message);
    }

    [Fact]
    public void Unknown_disabled_plugin_is_an_error_too_since_a_typo_there_leaves_a_default_running()
    {
        Assert.Contains("unknown plugin \"PodTopologySpred\"", Error(Config(Plugins("score:\n  disabled: [{name: PodTopologySpred}]"))));
    }

    [Fact]
    public void Plugin_enabled_at_a_point_it_does_not_implement_is_an_error()
    {
        Assert.Contains("profiles[0].plugins.score.enabled[0].name: plugin \"NodeUnschedulable\" does not implement score; it implements: filter",
            Error(Config(Plugins("score:\n  enabled: [{name: NodeUnschedulable}]"))));
    }

    [Fact]
    public void Plugin_enabled_twice_at_one_point_is_an_error()
    {
        Assert.Contains("profiles[0].plugins.filter.enabled[1].name: plugin \"NodeName\" is enabled twice at filter",
            Error(Config(Plugins("filter:\n  enabled: [{name: NodeName}, {name: NodeName}]"))));
    }

    [Theory]
    [InlineData("EBSLimits", "was invalid in version kubescheduler.config.k8s.io/v1")]
    [InlineData("NodeResourcesMostAllocated", "no longer exists in kubescheduler.config.k8s.io/v1: use NodeResourcesFit with scoringStrategy.type MostAllocated")]
    [InlineData("SelectorSpread", "no longer exists")]
    public void Plugins_of_older_api_versions_are_an_error_when_enabled(string plugin, string expected)
    {
        Assert.Contains($"plugin \"{plugin}\" {expected}", Error(Config(Plugins($"filter:\n  enabled: [{{name: {plugin}}}]"))));
    }

    [Fact]
    public void Plugins_of_older_api_versions_may_be_disabled()
    {
        One(Config(Plugins("filter:\n  disabled: [{name: EBSLimits}, {name: GCEPDLimits}, {name: SelectorSpread}]")));
    }

    [Fact]
    public void Filter_without_its_preFilter_is_an_error()
    {
        Assert.Contains("profiles[0].plugins.preFilter: NodePorts runs at filter but not at preFilter",
            Error(Config(Plugins("preFilter:\n  disabled: [{name: NodePorts}]"))));
    }

    [Fact]
    public void PreFilter_without_its_filter_is_an_error()
    {
        Assert.Contains("profiles[0].plugins.filter: NodeAffinity runs at preFilter but not at filter",
            Error(Config(Plugins("filter:\n  disabled: [{name: NodeAffinity}]"))));
    }

    [Fact]
    public void Score_without_its_preScore_is_an_error_but_preScore_alone_is_harmless()
    {
        Assert.Contains("profiles[0].plugins.preScore: InterPodAffinity runs at score but not at preScore",
            Error(Config(Plugins("preScore:\n  disabled: [{name: InterPodAffinity}]"))));
        Assert.DoesNotContain(One(Config(Plugins("score:\n  disabled: [{name: InterPodAffinity}]"))).Scores,
            s => s.Plugin == ScorePlugin.InterPodAffinity);
    }

    [Fact]
    public void Profile_without_a_queue_sort_or_binder_is_an_error_as_upstream()
    {
        Assert.Contains("profiles[0].plugins: exactly one queueSort plugin is required",
            Error(Config(Plugins("queueSort:\n  disabled: [{name: \"*\"}]"))));
        Assert.Contains("profiles[0].plugins: at least one bind plugin is required",
            Error(Config(Plugins("bind:\n  disabled: [{name: DefaultBinder}]"))));
    }

    [Fact]
    public void Star_can_only_be_disabled()
    {
        Assert.Contains("\"*\" can only be disabled", Error(Config(Plugins("filter:\n  enabled: [{name: \"*\"}]"))));
    }

    [Fact]
    public void NodeResourcesFit_args_set_the_strategy_and_ignored_resources()
    {
        var profile = One(Config(Plugins(after: """
            pluginConfig:
            - name: NodeResourcesFit
              args:
                ignoredResources: [example.com/foo]
                ignoredResourceGroups: [example.org]
                scoringStrategy:
                  type: MostAllocated
                  resources:
                  - name: cpu
                    weight: 2
                  - name: memory
            """)));

        Assert.Equal(ScoringStrategyType.MostAllocated, profile.ScoringStrategy.Type);
        Assert.Equal([new ResourceWeight("cpu", 2), new ResourceWeight("memory", 1)], profile.ScoringStrategy.Resources);
        Assert.Equal(["example.com/foo"], profile.IgnoredResources);
        Assert.Equal(["example.org"], profile.IgnoredResourceGroups);
    }

    [Fact]
    public void NodeResourcesFit_args_without_a_strategy_score_LeastAllocated_as_upstream()
    {
        var profile = One(Config(Plugins(after: "pluginConfig:\n- name: NodeResourcesFit\n  args:\n    ignoredResources: [example.com/foo]")));

        Assert.Equal(ScoringStrategyType.LeastAllocated, profile.ScoringStrategy.Type);
        Assert.Equal(ScoringStrategy.DefaultResources, profile.ScoringStrategy.Resources);
    }

    [Fact]
    public void RequestedToCapacityRatio_shape_is_read_on_the_0_to_10_scale()
    {
        var profile = One(Config(Plugins(after: """
            pluginConfig:
            - name: NodeResourcesFit
              args:
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: NodeResourcesFitArgs
                scoringStrategy:
                  type: RequestedToCapacityRatio
                  resources: [{name: nvidia.com/gpu, weight: 5}]
                  requestedToCapacityRatio:
                    shape:
                    - {utilization: 0, score: 0}
                    - {utilization: 80, score: 10}
                    - {utilization: 100, score: 4}
            """)));

        Assert.Equal(ScoringStrategyType.RequestedToCapacityRatio, profile.ScoringStrategy.Type);
        Assert.Equal([new ResourceWeight("nvidia.com/gpu", 5)], profile.ScoringStrategy.Resources);
        Assert.Equal([new UtilizationShapePoint(0, 0), new UtilizationShapePoint(80, 10), new UtilizationShapePoint(100, 4)], profile.ScoringStrategy.Shape);
    }

    [Fact]
    public void InterPodAffinity_args_set_the_hard_affinity_weight_and_preferred_terms()
    {
        var profile = One(Config(Plugins(after: "pluginConfig:\n- name: InterPodAffinity\n  args: {hardPodAffinityWeight: 0, ignorePreferredTermsOfExistingPods: true}")));

        Assert.Equal(0, profile.HardPodAffinityWeight);
        Assert.True(profile.IgnorePreferredTermsOfExistingPods);
    }

    [Fact]
    public void DefaultPreemption_args_are_read_onto_the_profile()
    {
        var profile = One(Config(Plugins(after: "pluginConfig:\n- name: DefaultPreemption\n  args: {minCandidateNodesPercentage: 5, minCandidateNodesAbsolute: 10}\n- name: PrioritySort")));

        Assert.True(profile.Preemption);
        Assert.Equal(5, profile.MinCandidateNodesPercentage);
        Assert.Equal(10, profile.MinCandidateNodesAbsolute);
    }

    [Fact]
    public void Preemption_is_on_by_default_and_off_when_DefaultPreemption_is_disabled()
    {
        Assert.True(One(Config(Plugins())).Preemption);
        Assert.Equal((10, 100), (One(Config(Plugins())).MinCandidateNodesPercentage, One(Config(Plugins())).MinCandidateNodesAbsolute));
        Assert.False(One(Config(Plugins("postFilter:\n  disabled: [{name: DefaultPreemption}]"))).Preemption);
        Assert.False(One(Config(Plugins("postFilter:\n  disabled: [{name: '*'}]"))).Preemption);
    }

    [Theory]
    [InlineData("{scoringStrategy: {resources: [{name: cpu}]}}", "scoringStrategy.type: required; supported: LeastAllocated, MostAllocated, RequestedToCapacityRatio")]
    [InlineData("{scoringStrategy: {type: Packed}}", "scoringStrategy.type: unsupported value \"Packed\"; supported: ")]
    [InlineData("{scoringStrategy: {type: RequestedToCapacityRatio}}", "scoringStrategy.requestedToCapacityRatio: required when type is RequestedToCapacityRatio")]
    [InlineData("{scoringStrategy: {type: MostAllocated, requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}]}}}", "scoringStrategy.requestedToCapacityRatio: must be absent when type is not RequestedToCapacityRatio")]
    [InlineData("{scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: []}}}", "scoringStrategy.requestedToCapacityRatio.shape: required: at least one point must be specified")]
    [InlineData("{scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 60, score: 1}, {utilization: 40, score: 2}]}}}", "scoringStrategy.requestedToCapacityRatio.shape[1].utilization: 40 after 60: values must be sorted in increasing order")]
    [InlineData("{scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: [{utilization: 0, score: 100}]}}}", "scoringStrategy.requestedToCapacityRatio.shape[0].score: 100 not in valid range [0, 10]")]
    [InlineData("{scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: 101}]}}", "scoringStrategy.resources[0].weight: resource weight of cpu is 101, not in valid range [1, 100]")]
    [InlineData("{scoringStrategy: {type: MostAllocated, resources: [{name: cpu, weight: -1}]}}", "scoringStrategy.resources[0].weight: resource weight of cpu is -1")]
    [InlineData("{ignoredResourceGroups: [example.com/gpu]}", "ignoredResourceGroups[0]: \"example.com/gpu\": resource group name can't contain '/'")]
    [InlineData("{ignoredResources: [\"-bad\"]}", "ignoredResources[0]: \"-bad\" is not a qualified name")]
    [InlineData("{scoringStratgy: {type: MostAllocated}}", "scoringStratgy: unknown field \"scoringStratgy\" (did you mean \"scoringStrategy\"?); allowed fields at profiles[0].pluginConfig[0].args: apiVersion, ignoredResourceGroups, ignoredResources, kind, scoringStrategy")]
    [InlineData("{kind: InterPodAffinityArgs}", "kind: args for plugin NodeResourcesFit must be of kind NodeResourcesFitArgs, got \"InterPodAffinityArgs\"")]
    [InlineData("{apiVersion: kubescheduler.config.k8s.io/v1beta3}", "apiVersion: args must be kubescheduler.config.k8s.io/v1")]
    public void Invalid_NodeResourcesFit_args_are_an_error_naming_the_field(string args, string expected)
    {
        Assert.Contains($"profiles[0].pluginConfig[0].args.{expected}",
            Error(Config(Plugins(after: $"pluginConfig:\n- name: NodeResourcesFit\n  args: {args}"))));
    }

    [Theory]
    [InlineData("- name: InterPodAffinity\n  args: {hardPodAffinityWeight: 101}", "profiles[0].pluginConfig[0].args.hardPodAffinityWeight: 101 not in valid range [0, 100]")]
    [InlineData("- name: NodeAffinity\n  args:\n    addedAffinity: {}", "profiles[0].pluginConfig[0].args.addedAffinity: NodeAffinityArgs.addedAffinity is not supported")]
    [InlineData("- name: PodTopologySpread\n  args: {defaultingType: List}", "profiles[0].pluginConfig[0].name: plugin PodTopologySpread is not implemented by this scheduler, so its args have no use")]
    [InlineData("- name: NodeResourceFit", "profiles[0].pluginConfig[0].name: unknown plugin \"NodeResourceFit\" (did you mean \"NodeResourcesFit\"?)")]
    [InlineData("- name: NodeResourcesFit\n- name: NodeResourcesFit", "profiles[0].pluginConfig[1].name: duplicate pluginConfig for NodeResourcesFit (also at profiles[0].pluginConfig[0])")]
    [InlineData("- name: NodeName\n  args: {foo: 1}", "profiles[0].pluginConfig[0].args: plugin NodeName takes no args")]
    [InlineData("- name: DefaultPreemption\n  args: {minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0}", "cannot be zero at the same time as minCandidateNodesAbsolute")]
    [InlineData("- args: {}", "profiles[0].pluginConfig[0].name: required")]
    public void Invalid_pluginConfig_is_an_error(string entries, string expected)
    {
        Assert.Contains(expected, Error(Config(Plugins(after: "pluginConfig:\n" + entries))));
    }

    [Theory]
    [InlineData("percentageOfNodesToScore: 50", "", 50)]
    [InlineData("percentageOfNodesToScore: 50", "percentageOfNodesToScore: 30\n", 30)]
    [InlineData("percentageOfNodesToScore: 50", "percentageOfNodesToScore: 0\n", 0)]
    [InlineData("", "percentageOfNodesToScore: 100\n", 100)]
    [InlineData("", "", 0)]
    public void Profile_percentage_overrides_the_top_level_one_and_neither_means_adaptive(string top, string profile, int expected)
    {
        Assert.Equal(expected, One(Config(profile + Plugins(), top)).PercentageOfNodesToScore);
    }

    [Theory]
    [InlineData("percentageOfNodesToScore: 101", "", "percentageOfNodesToScore: 101 not in valid range [0, 100]")]
    [InlineData("", "percentageOfNodesToScore: -1\n", "profiles[0].percentageOfNodesToScore: -1 not in valid range [0, 100]")]
    [InlineData("percentageOfNodesToScore: \"50\"", "", "percentageOfNodesToScore: expected an integer, got the string \"50\"")]
    public void Percentage_outside_0_to_100_is_an_error(string top, string profile, string expected)
    {
        Assert.Contains(expected, Error(Config(profile + Plugins(), top)));
    }

    [Fact]
    public void Each_profile_is_read_and_can_be_selected_by_scheduler_name()
    {
        string yaml = Header + $"""
            profiles:
            - schedulerName: packing
              plugins:
                multiPoint:
                  disabled: [{Unimplemented}]
            - schedulerName: packing-no-affinity
              plugins:
                multiPoint:
                  disabled: [{Unimplemented}, {"{name: InterPodAffinity}"}]
            """;

        var profiles = ComponentConfigReader.Read(yaml, Source);

        Assert.Equal(["packing", "packing-no-affinity"], profiles.Select(p => p.SchedulerName));
        var chosen = ComponentConfigReader.SelectProfile(profiles, "packing-no-affinity", Source);
        Assert.DoesNotContain(FilterPlugin.InterPodAffinity, chosen.Filters);
        var e = Assert.Throws<ConfigurationException>(() => ComponentConfigReader.SelectProfile(profiles, "other", Source));
        Assert.Equal($"{Source}: profiles: no profile has schedulerName \"other\"; profiles: \"packing\", \"packing-no-affinity\"", e.Message);
    }

    [Theory]
    [InlineData("- plugins: {}\n- schedulerName: b\n", "profiles[0].schedulerName: required: with several profiles each needs its own schedulerName")]
    [InlineData("- schedulerName: a\n- schedulerName: a\n", "profiles[1].schedulerName: duplicate schedulerName \"a\" (also at profiles[0].schedulerName)")]
    [InlineData("- schedulerName: a\n  plugins:\n    queueSort:\n      enabled: [{name: PrioritySort}]\n- schedulerName: b\n", "profiles[1].plugins.queueSort: must be the same for all profiles")]
    public void Profiles_must_have_distinct_names_and_one_queue_sort(string profiles, string expected)
    {
        Assert.Contains(expected, Error(Header + "profiles:\n" + profiles));
    }

    [Theory]
    [InlineData("healthzBindAddress: 0.0.0.0:10251\n", "3:1: healthzBindAddress: unknown field \"healthzBindAddress\"; allowed fields at the top level: ")]
    [InlineData("profiles:\n- schedulerName: p\n  plugin: {}\n", "5:3: profiles[0].plugin: unknown field \"plugin\" (did you mean \"plugins\"?); allowed fields at profiles[0]: percentageOfNodesToScore, percentageOfPlacementsToScore, pluginConfig, plugins, schedulerName")]
    [InlineData("profiles:\n- schedulerName: p\n  plugins:\n    scores: {}\n", "6:5: profiles[0].plugins.scores: unknown field \"scores\" (did you mean \"score\"?)")]
    [InlineData("profiles:\n- schedulerName: p\n  plugins:\n    score:\n      enable: []\n", "7:7: profiles[0].plugins.score.enable: unknown field \"enable\" (did you mean \"enabled\"?); allowed fields at profiles[0].plugins.score: disabled, enabled")]
    [InlineData("leaderElection:\n  leaderElection: true\n", "4:3: leaderElection.leaderElection: unknown field")]
    public void Unknown_field_is_an_error_naming_its_path_and_line(string body, string expected)
    {
        Assert.StartsWith($"{Source}:{expected}", Error(Header + body));
    }

    [Theory]
    [InlineData("apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n", "1:13: apiVersion: unsupported version \"kubescheduler.config.k8s.io/v1beta3\"; this scheduler reads kubescheduler.config.k8s.io/v1")]
    [InlineData("kind: KubeSchedulerConfiguration\n", "1:1: apiVersion: required")]
    [InlineData("apiVersion: v1\nkind: Policy\n", "2:7: kind: expected \"KubeSchedulerConfiguration\", got \"Policy\"; pass a legacy Policy as the policy file")]
    [InlineData("a: [1,\n", "2:1: malformed YAML: ")]
    [InlineData("kind: KubeSchedulerConfiguration\nkind: KubeSchedulerConfiguration\n", "2:1: malformed YAML: field \"kind\" appears twice in one mapping")]
    [InlineData("- a\n", "1:1: expected a mapping, got a list")]
    [InlineData("", " the file is empty")]
    [InlineData("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n---\nkind: x\n", "4:1: one KubeSchedulerConfiguration per file is expected, found 2 documents")]
    public void Malformed_or_foreign_file_is_an_error(string yaml, string expected)
    {
        Assert.StartsWith($"{Source}:{expected}", Error(yaml));
    }

    [Fact]
    public void Extenders_are_an_error()
    {
        Assert.Contains("4:3: extenders[0]: scheduler extenders are not supported",
            Error(Config(Plugins(), "extenders:\n- urlPrefix: http://x\n")));
    }

    [Fact]
    public void Workload_placement_fields_are_an_error()
    {
        Assert.Contains("percentageOfPlacementsToScore: workload placement", Error(Config(Plugins(), "percentageOfPlacementsToScore: 10")));
        Assert.Contains("profiles[0].plugins.placementScore.enabled[0]: workload placement extension points",
            Error(Config(Plugins("placementScore:\n  enabled: [{name: X}]"))));
    }

    [Fact]
    public void Process_settings_are_read_with_upstream_defaults()
    {
        var defaults = ComponentConfigReader.ReadConfiguration(Config(Plugins()), Source);
        Assert.Equal(16, defaults.Parallelism);
        Assert.Equal(1, defaults.PodInitialBackoffSeconds);
        Assert.Equal(10, defaults.PodMaxBackoffSeconds);
        Assert.Equal(new LeaderElectionSettings(), defaults.LeaderElection);
        Assert.Equal(new ClientConnectionSettings(), defaults.ClientConnection);
        Assert.False(defaults.DelayCacheUntilActive);

        var config = ComponentConfigReader.ReadConfiguration(Config(Plugins(), """
            parallelism: 4
            podInitialBackoffSeconds: 2
            podMaxBackoffSeconds: 30
            delayCacheUntilActive: true
            enableProfiling: false
            leaderElection:
              leaderElect: true
              leaseDuration: 1m30s
              renewDeadline: 45s
              retryPeriod: 500ms
              resourceName: packer
              resourceNamespace: ops
            clientConnection:
              kubeconfig: /etc/kubernetes/scheduler.conf
              qps: 20.5
              burst: 40
            """), Source);

        Assert.Equal(4, config.Parallelism);
        Assert.Equal(2, config.PodInitialBackoffSeconds);
        Assert.Equal(30, config.PodMaxBackoffSeconds);
        Assert.True(config.DelayCacheUntilActive);
        Assert.Equal(new LeaderElectionSettings
        {
            LeaseDuration = TimeSpan.FromSeconds(90),
            RenewDeadline = TimeSpan.FromSeconds(45),
            RetryPeriod = TimeSpan.FromMilliseconds(500),
            ResourceName = "packer",
            ResourceNamespace = "ops",
        }, config.LeaderElection);
        Assert.Equal(new ClientConnectionSettings { Kubeconfig = "/etc/kubernetes/scheduler.conf", Qps = 20.5, Burst = 40 }, config.ClientConnection);
    }

    [Theory]
    [InlineData("parallelism: 0", "parallelism: 0: should be an integer value greater than zero")]
    [InlineData("podInitialBackoffSeconds: 0", "podInitialBackoffSeconds: 0: must be greater than 0")]
    [InlineData("podInitialBackoffSeconds: 20", "podMaxBackoffSeconds: 10: must be greater than or equal to podInitialBackoffSeconds (20)")]
    [InlineData("leaderElection: {leaseDuration: 5s}", "leaderElection.leaseDuration: leaseDuration (00:00:05) must be greater than renewDeadline (00:00:10)")]
    [InlineData("leaderElection: {retryPeriod: -1s}", "leaderElection.retryPeriod: must be greater than zero")]
    [InlineData("leaderElection: {resourceLock: endpointsleases}", "leaderElection.resourceLock: resourceLock value must be \"leases\"")]
    [InlineData("leaderElection: {leaseDuration: 15}", "leaderElection.leaseDuration: expected a string, got the number 15")]
    [InlineData("leaderElection: {leaseDuration: 15 seconds}", "leaderElection.leaseDuration: \"15 seconds\" is not a duration")]
    [InlineData("leaderElection: {leaderElect: maybe}", "leaderElection.leaderElect: expected true or false, got the string \"maybe\"")]
    [InlineData("clientConnection: {burst: -1}", "clientConnection.burst: -1: must be non-negative")]
    public void Invalid_process_settings_are_an_error(string top, string expected)
    {
        Assert.Contains(expected, Error(Config(Plugins(), top)));
    }

    [Fact]
    public void Leader_election_checks_are_skipped_when_it_is_off()
    {
        var config = ComponentConfigReader.ReadConfiguration(Config(Plugins(), "leaderElection: {leaderElect: false, resourceLock: configmaps}"), Source);
        Assert.False(config.LeaderElection.LeaderElect);
    }

    [Fact]
    public void Missing_file_is_an_error_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-config-{Guid.NewGuid():N}.yaml");
        var e = Assert.Throws<ConfigurationException>(() => ComponentConfigReader.ReadFile(path));
        Assert.StartsWith($"{path}: cannot read the configuration file", e.Message);
    }
}
