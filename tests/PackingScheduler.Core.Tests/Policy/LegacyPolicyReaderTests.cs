using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Tests.Policy;

public sealed class LegacyPolicyReaderTests
{
    private const string Source = "sites/policy.json";

    private static string Policy(string predicates, string priorities, string extra = "") =>
        $$"""{"kind":"Policy","apiVersion":"v1","predicates":[{{predicates}}],"priorities":[{{priorities}}]{{extra}}}""";

    private static string Named(params string[] names) => string.Join(",", names.Select(n => $$"""{"name":"{{n}}"}"""));

    private static SchedulerProfile Read(string json) => LegacyPolicyReader.Read(json, Source);

    private static string Error(string json)
    {
        var e = Assert.Throws<ConfigurationException>(() => Read(json));
        Assert.StartsWith(Source + ": ", e.Message);
        return e.Message;
    }

    private static readonly FilterPlugin[] Mandatory = [FilterPlugin.NodeUnschedulable, FilterPlugin.TaintToleration];

    [Theory]
    [InlineData("GeneralPredicates", "NodeResourcesFit,NodeName,NodePorts,NodeAffinity")]
    [InlineData("PodFitsResources", "NodeResourcesFit")]
    [InlineData("HostName", "NodeName")]
    [InlineData("PodFitsHostPorts", "NodePorts")]
    [InlineData("PodFitsPorts", "NodePorts")]
    [InlineData("MatchNodeSelector", "NodeAffinity")]
    [InlineData("MatchInterPodAffinity", "InterPodAffinity")]
    [InlineData("NoDiskConflict", "VolumeRestrictions")]
    [InlineData("NoVolumeZoneConflict", "VolumeZone")]
    [InlineData("PodToleratesNodeTaints", "TaintToleration")]
    [InlineData("CheckNodeUnschedulable", "NodeUnschedulable")]
    public void Each_predicate_maps_to_its_filters_and_the_mandatory_ones(string predicate, string filters)
    {
        var profile = Read(Policy(Named(predicate), ""));

        var expected = filters.Split(',').Select(Enum.Parse<FilterPlugin>).Concat(Mandatory).ToHashSet();
        Assert.Equal(expected.Order(), profile.Filters.Order());
    }

    [Fact]
    public void Empty_predicates_keep_only_the_mandatory_filters()
    {
        var profile = Read(Policy("", Named()));

        Assert.Equal(Mandatory.Order(), profile.Filters.Order());
    }

    [Fact]
    public void Mandatory_predicates_are_CheckNodeUnschedulable_and_PodToleratesNodeTaints_as_upstream()
    {
        Assert.Equal(["CheckNodeUnschedulable", "PodToleratesNodeTaints"], LegacyPolicyReader.MandatoryPredicates);
    }

    [Fact]
    public void Empty_priorities_score_nothing()
    {
        Assert.Empty(Read(Policy(Named("GeneralPredicates"), "")).Scores);
    }

    [Theory]
    [InlineData("MostRequestedPriority", ScorePlugin.NodeResourcesFit, ScoringStrategyType.MostAllocated)]
    [InlineData("LeastRequestedPriority", ScorePlugin.NodeResourcesFit, ScoringStrategyType.LeastAllocated)]
    [InlineData("InterPodAffinityPriority", ScorePlugin.InterPodAffinity, null)]
    [InlineData("NodeAffinityPriority", ScorePlugin.NodeAffinity, null)]
    [InlineData("TaintTolerationPriority", ScorePlugin.TaintToleration, null)]
    public void Each_priority_maps_to_its_score_with_its_weight(string priority, ScorePlugin plugin, ScoringStrategyType? strategy)
    {
        var profile = Read(Policy("", $$"""{"name":"{{priority}}","weight":7}"""));

        Assert.Equal([new WeightedScore(plugin, 7)], profile.Scores);
        if (strategy is { } type)
        {
            Assert.Equal(type, profile.ScoringStrategy.Type);
            Assert.Equal(ScoringStrategy.DefaultResources, profile.ScoringStrategy.Resources);
        }
    }

    [Fact]
    public void RequestedToCapacityRatio_reads_its_shape_on_the_0_to_10_scale_and_its_resources()
    {
        var profile = Read(Policy("", """
            {"name":"RequestedToCapacityRatioPriority","weight":2,"argument":{"requestedToCapacityRatioArguments":{
              "shape":[{"utilization":0,"score":0},{"utilization":50,"score":3},{"utilization":100,"score":10}],
              "resources":[{"name":"cpu","weight":3},{"name":"memory"},{"name":"nvidia.com/gpu","weight":0}]}}}
            """));

        Assert.Equal([new WeightedScore(ScorePlugin.NodeResourcesFit, 2)], profile.Scores);
        Assert.Equal(ScoringStrategyType.RequestedToCapacityRatio, profile.ScoringStrategy.Type);
        Assert.Equal([new UtilizationShapePoint(0, 0), new UtilizationShapePoint(50, 3), new UtilizationShapePoint(100, 10)], profile.ScoringStrategy.Shape);
        Assert.Equal([new ResourceWeight("cpu", 3), new ResourceWeight("memory", 1), new ResourceWeight("nvidia.com/gpu", 1)], profile.ScoringStrategy.Resources);
    }

    [Theory]
    [InlineData("RequestedToCapacityRatioPriority")]
    [InlineData("RequestedToCapacityRatio")]
    [InlineData("SitePacking")]
    public void RequestedToCapacityRatio_argument_is_read_under_any_name_with_cpu_and_memory_by_default(string name)
    {
        var profile = Read(Policy("", "{\"name\":\"" + name + "\"," + """
            "weight":1,"argument":{"requestedToCapacityRatioArguments":{"shape":[{"utilization":0,"score":10},{"utilization":100,"score":0}]}}}
            """));

        Assert.Equal(ScoringStrategyType.RequestedToCapacityRatio, profile.ScoringStrategy.Type);
        Assert.Equal(ScoringStrategy.DefaultResources, profile.ScoringStrategy.Resources);
    }

    [Fact]
    public void EqualPriority_is_accepted_and_scores_nothing_as_upstream_skipped_it()
    {
        var profile = Read(Policy("", """{"name":"EqualPriority","weight":1},{"name":"MostRequestedPriority","weight":1}"""));

        Assert.Equal([new WeightedScore(ScorePlugin.NodeResourcesFit, 1)], profile.Scores);
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData(""","hardPodAffinitySymmetricWeight":0""", 1)]
    [InlineData(""","hardPodAffinitySymmetricWeight":5""", 5)]
    [InlineData(""","hardPodAffinitySymmetricWeight":100""", 100)]
    public void HardPodAffinitySymmetricWeight_sets_the_hard_affinity_weight_with_zero_meaning_the_default(string extra, int expected)
    {
        Assert.Equal(expected, Read(Policy("", "", extra)).HardPodAffinityWeight);
    }

    [Fact]
    public void A_legacy_policy_scores_every_node()
    {
        Assert.Equal(100, Read(Policy("", "")).PercentageOfNodesToScore);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("kubescheduler.config.k8s.io/v1")]
    public void Both_api_versions_upstream_decoded_a_policy_from_are_accepted(string apiVersion)
    {
        var profile = Read($$"""{"kind":"Policy","apiVersion":"{{apiVersion}}","predicates":[],"priorities":[]}""");
        Assert.Equal(Mandatory.Order(), profile.Filters.Order());
    }

    [Fact]
    public void AlwaysCheckAllPredicates_and_empty_extenders_are_accepted()
    {
        Read(Policy("", "", ""","alwaysCheckAllPredicates":true,"extenders":[]"""));
    }

    [Fact]
    public void Unknown_predicate_is_an_error_listing_known_names()
    {
        string message = Error(Policy(Named("GeneralPredicates", "MatchInterPodAffinity", "NoDiskConflic"), ""));

        Assert.StartsWith($"{Source}: predicates[2].name: unknown predicate \"NoDiskConflic\" (did you mean \"NoDiskConflict\"?); known: CheckNodeCondition, ", message);
        Assert.Contains("GeneralPredicates", message);
        Assert.Contains("CheckVolumeBinding", message);
    }

    [Theory]
    [InlineData("CheckVolumeBinding")]
    [InlineData("MaxEBSVolumeCount")]
    [InlineData("MaxGCEPDVolumeCount")]
    [InlineData("MaxCSIVolumeCountPred")]
    [InlineData("MaxAzureDiskVolumeCount")]
    [InlineData("MaxCinderVolumeCount")]
    [InlineData("CheckNodeLabelPresence")]
    [InlineData("CheckServiceAffinity")]
    [InlineData("EvenPodsSpread")]
    [InlineData("CheckNodeMemoryPressure")]
    public void Upstream_predicate_this_scheduler_lacks_is_an_error_listing_the_supported_ones(string predicate)
    {
        string message = Error(Policy(Named("GeneralPredicates", predicate), ""));

        Assert.StartsWith($"{Source}: predicates[1].name: predicate \"{predicate}\" is recognized but not supported by this scheduler", message);
        Assert.Contains("supported predicates: CheckNodeUnschedulable, GeneralPredicates, HostName, MatchInterPodAffinity, MatchNodeSelector, NoDiskConflict, NoVolumeZoneConflict, PodFitsHostPorts, PodFitsPorts, PodFitsResources, PodToleratesNodeTaints", message);
    }

    [Theory]
    [InlineData("""{"name":"Zones","argument":{"serviceAffinity":{"labels":["zone"]}}}""", "predicates[0].argument.serviceAffinity", "CheckServiceAffinity")]
    [InlineData("""{"name":"HasRack","argument":{"labelsPresence":{"labels":["rack"],"presence":true}}}""", "predicates[0].argument.labelsPresence", "CheckNodeLabelPresence")]
    public void Custom_predicate_is_an_error_naming_the_upstream_predicate_it_was(string predicate, string path, string upstream)
    {
        string message = Error(Policy(predicate, ""));

        Assert.StartsWith($"{Source}: {path}: custom predicate", message);
        Assert.Contains($"upstream's {upstream}, which is recognized but not supported", message);
    }

    [Fact]
    public void Unknown_priority_is_an_error_listing_known_names()
    {
        string message = Error(Policy("", """{"name":"MostRequestedPriorty","weight":1}"""));

        Assert.StartsWith($"{Source}: priorities[0].name: unknown priority \"MostRequestedPriorty\" (did you mean \"MostRequestedPriority\"?); known: ", message);
        Assert.Contains("InterPodAffinityPriority", message);
        Assert.Contains("SelectorSpreadPriority", message);
    }

    [Theory]
    [InlineData("SelectorSpreadPriority")]
    [InlineData("ServiceSpreadingPriority")]
    [InlineData("BalancedResourceAllocation")]
    [InlineData("ImageLocalityPriority")]
    [InlineData("NodePreferAvoidPodsPriority")]
    [InlineData("NodeLabelPriority")]
    [InlineData("ServiceAntiAffinityPriority")]
    [InlineData("EvenPodsSpreadPriority")]
    public void Upstream_priority_this_scheduler_lacks_is_an_error_listing_the_supported_ones(string priority)
    {
        string message = Error(Policy("", $$"""{"name":"MostRequestedPriority","weight":1},{"name":"{{priority}}","weight":1}"""));

        Assert.StartsWith($"{Source}: priorities[1].name: priority \"{priority}\" is recognized but not supported by this scheduler; supported priorities: ", message);
        Assert.Contains("MostRequestedPriority", message);
        Assert.Contains("RequestedToCapacityRatioPriority", message);
    }

    [Theory]
    [InlineData("""{"name":"Spread","weight":1,"argument":{"serviceAntiAffinity":{"label":"zone"}}}""", "serviceAntiAffinity", "ServiceAntiAffinity")]
    [InlineData("""{"name":"Racks","weight":1,"argument":{"labelPreference":{"label":"rack","presence":true}}}""", "labelPreference", "NodeLabel")]
    public void Custom_priority_is_an_error_naming_the_upstream_priority_it_was(string priority, string argument, string upstream)
    {
        string message = Error(Policy("", priority));

        Assert.StartsWith($"{Source}: priorities[0].argument.{argument}: custom priority", message);
        Assert.Contains($"upstream's {upstream} priority, which is recognized but not supported", message);
    }

    [Theory]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicats":[],"priorities":[]}""", "predicats: unknown field \"predicats\" (did you mean \"predicates\"?); allowed fields at the top level: alwaysCheckAllPredicates, apiVersion, extenders, hardPodAffinitySymmetricWeight, kind, predicates, priorities")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":[{"name":"HostName"},{"nmae":"NodeName"}],"priorities":[]}""", "predicates[1].nmae: unknown field \"nmae\" (did you mean \"name\"?); allowed fields at predicates[1]: argument, name")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":[],"priorities":[{"name":"MostRequestedPriority","weight":1,"weigth":2}]}""", "priorities[0].weigth: unknown field \"weigth\"")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":[],"priorities":[{"name":"R","weight":1,"argument":{"requestedToCapacityRatioArguments":{"shape":[{"utilisation":10,"score":1}]}}}]}""", "priorities[0].argument.requestedToCapacityRatioArguments.shape[0].utilisation: unknown field \"utilisation\" (did you mean \"utilization\"?); allowed fields at priorities[0].argument.requestedToCapacityRatioArguments.shape[0]: score, utilization")]
    public void Unknown_field_is_an_error_naming_its_path_and_the_allowed_fields(string json, string expected)
    {
        Assert.StartsWith($"{Source}: {expected}", Error(json));
    }

    [Fact]
    public void Repeated_field_is_an_error()
    {
        Assert.StartsWith($"{Source}: predicates: field appears twice",
            Error("""{"kind":"Policy","apiVersion":"v1","predicates":[],"predicates":[],"priorities":[]}"""));
    }

    [Theory]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","priorities":[]}""", "predicates: missing: upstream then applied its DefaultProvider predicate set")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":null,"priorities":[]}""", "predicates: missing: upstream then applied its DefaultProvider predicate set")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":[]}""", "priorities: missing: upstream then applied its DefaultProvider priority set")]
    public void Omitted_predicates_or_priorities_are_an_error_because_upstream_defaults_cannot_be_reproduced(string json, string expected)
    {
        Assert.StartsWith($"{Source}: {expected}", Error(json));
    }

    [Fact]
    public void Extenders_are_an_error()
    {
        Assert.StartsWith($"{Source}: extenders[0]: scheduler extenders are not supported",
            Error(Policy("", "", ""","extenders":[{"urlPrefix":"http://x","filterVerb":"filter"}]""")));
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","predicates":[],"priorities":[]}""", "kind: required")]
    [InlineData("""{"kind":"KubeSchedulerConfiguration","apiVersion":"kubescheduler.config.k8s.io/v1"}""", "kind: expected \"Policy\", got \"KubeSchedulerConfiguration\"; pass a KubeSchedulerConfiguration as the configuration file")]
    [InlineData("""{"kind":"Policy","apiVersion":"v2","predicates":[],"priorities":[]}""", "apiVersion: unknown version \"v2\"; a Policy is kubescheduler.config.k8s.io/v1, v1")]
    [InlineData("""{"kind":"Policy","predicates":[],"priorities":[]}""", "apiVersion: required")]
    public void Wrong_kind_or_apiVersion_is_an_error(string json, string expected)
    {
        Assert.StartsWith($"{Source}: {expected}", Error(json));
    }

    [Theory]
    [InlineData("{\"kind\":\"Policy\",\n\"predicates\":[\n  {\"name\":\"HostName\"}\n  {\"name\":\"NodeName\"}]}", "malformed JSON at line 4, position 3")]
    [InlineData("{\"kind\":\"Policy\",}", "malformed JSON at line 1, position 18: The JSON object contains a trailing comma")]
    [InlineData("", "malformed JSON at line 1, position 1")]
    public void Malformed_json_is_an_error_with_line_and_position(string json, string expected)
    {
        Assert.StartsWith($"{Source}: {expected}", Error(json));
    }

    [Theory]
    [InlineData("""{"name":"MostRequestedPriority"}""", "priorities[0].weight: required: priority \"MostRequestedPriority\" needs a positive weight")]
    [InlineData("""{"name":"MostRequestedPriority","weight":0}""", "priorities[0].weight: required: priority \"MostRequestedPriority\" needs a positive weight")]
    [InlineData("""{"name":"InterPodAffinityPriority","weight":-2}""", "priorities[0].weight: priority \"InterPodAffinityPriority\" has weight -2; it must be positive")]
    [InlineData("""{"name":"EqualPriority","weight":0}""", "priorities[0].weight: required: priority \"EqualPriority\" needs a positive weight")]
    [InlineData("""{"name":"MostRequestedPriority","weight":92233720368547758}""", "priorities[0].weight: priority \"MostRequestedPriority\" has weight 92233720368547758; it must be positive and below 92233720368547758")]
    public void Priority_without_a_positive_weight_is_an_error_as_upstream_validation(string priority, string expected)
    {
        Assert.StartsWith($"{Source}: {expected}", Error(Policy("", priority)));
    }

    [Theory]
    [InlineData("MostRequestedPriority", "LeastRequestedPriority")]
    [InlineData("LeastRequestedPriority", "MostRequestedPriority")]
    public void Two_NodeResourcesFit_strategies_are_an_error_naming_both(string first, string second)
    {
        string message = Error(Policy("", $$"""{"name":"{{first}}","weight":1},{"name":"{{second}}","weight":1}"""));

        Assert.StartsWith($"{Source}: priorities[1].name: only one of MostRequestedPriority, LeastRequestedPriority and RequestedToCapacityRatioPriority", message);
        Assert.Contains($"\"{second}\" conflicts with \"{first}\" at priorities[0]", message);
    }

    [Fact]
    public void RequestedToCapacityRatio_beside_MostRequested_is_an_error_naming_both()
    {
        string message = Error(Policy("", """
            {"name":"MostRequestedPriority","weight":1},
            {"name":"RequestedToCapacityRatioPriority","weight":1,"argument":{"requestedToCapacityRatioArguments":{"shape":[{"utilization":0,"score":0}]}}}
            """));

        Assert.Contains("\"RequestedToCapacityRatioPriority\" conflicts with \"MostRequestedPriority\"", message);
    }

    [Fact]
    public void Priority_listed_twice_is_an_error()
    {
        Assert.StartsWith($"{Source}: priorities[1].name: \"InterPodAffinityPriority\" is listed twice (also at priorities[0])",
            Error(Policy("", """{"name":"InterPodAffinityPriority","weight":1},{"name":"InterPodAffinityPriority","weight":2}""")));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void HardPodAffinitySymmetricWeight_outside_0_to_100_is_an_error(int weight)
    {
        Assert.StartsWith($"{Source}: hardPodAffinitySymmetricWeight: {weight} not in valid range [0, 100]",
            Error(Policy("", "", $$""","hardPodAffinitySymmetricWeight":{{weight}}""")));
    }

    [Theory]
    [InlineData("""{"shape":[]}""", "shape: required: at least one point must be specified")]
    [InlineData("""{"resources":[{"name":"cpu"}]}""", "shape: required: at least one point must be specified")]
    [InlineData("""{"shape":[{"utilization":50,"score":1},{"utilization":50,"score":2}]}""", "shape[1].utilization: 50 after 50: values must be sorted in increasing order")]
    [InlineData("""{"shape":[{"utilization":0,"score":11}]}""", "shape[0].score: 11 not in valid range [0, 10]")]
    [InlineData("""{"shape":[{"utilization":101,"score":1}]}""", "shape[0].utilization: 101 not in valid range [0, 100]")]
    [InlineData("""{"shape":[{"utilization":0,"score":1}],"resources":[{"name":"cpu","weight":101}]}""", "resources[0].weight: resource weight of cpu is 101, not in valid range [1, 100]")]
    [InlineData("""{"shape":[{"utilization":0,"score":1}],"resources":[{"weight":1}]}""", "resources[0].name: required")]
    public void Invalid_RequestedToCapacityRatio_arguments_are_an_error(string arguments, string expected)
    {
        string message = Error(Policy("", $$$"""{"name":"RequestedToCapacityRatioPriority","weight":1,"argument":{"requestedToCapacityRatioArguments":{{{arguments}}}}}"""));

        Assert.StartsWith($"{Source}: priorities[0].argument.requestedToCapacityRatioArguments.{expected}", message);
    }

    [Fact]
    public void RequestedToCapacityRatioPriority_without_its_argument_is_an_error()
    {
        Assert.StartsWith($"{Source}: priorities[0].argument: required: priority \"RequestedToCapacityRatioPriority\" needs argument.requestedToCapacityRatioArguments",
            Error(Policy("", """{"name":"RequestedToCapacityRatioPriority","weight":1}""")));
    }

    [Theory]
    [InlineData("""{"name":"MostRequestedPriority","weight":1,"argument":{"labelPreference":{"label":"a"}}}""", "priorities[0].argument: priority \"MostRequestedPriority\" takes no argument")]
    [InlineData("""{"name":"X","weight":1,"argument":{}}""", "priorities[0].argument: exactly one of serviceAntiAffinity, labelPreference, requestedToCapacityRatioArguments is required, got 0")]
    [InlineData("""{"name":"X","weight":1,"argument":{"labelPreference":{"label":"a"},"serviceAntiAffinity":{"label":"b"}}}""", "priorities[0].argument: exactly one of serviceAntiAffinity, labelPreference, requestedToCapacityRatioArguments is required, got 2")]
    public void Misplaced_or_ambiguous_priority_argument_is_an_error(string priority, string expected)
    {
        Assert.StartsWith($"{Source}: {expected}", Error(Policy("", priority)));
    }

    [Fact]
    public void Built_in_predicate_with_an_argument_is_an_error()
    {
        Assert.StartsWith($"{Source}: predicates[0].argument: predicate \"HostName\" takes no argument",
            Error(Policy("""{"name":"HostName","argument":{"labelsPresence":{"labels":["a"]}}}""", "")));
    }

    [Theory]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":[{"name":3}],"priorities":[]}""", "predicates[0].name: expected a string, got the number 3")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":[{}],"priorities":[]}""", "predicates[0].name: required")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":[],"priorities":[{"name":"MostRequestedPriority","weight":"1"}]}""", "priorities[0].weight: expected an integer, got the string \"1\"")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":[],"priorities":[{"name":"MostRequestedPriority","weight":1.5}]}""", "priorities[0].weight: expected an integer, got the number 1.5")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":{},"priorities":[]}""", "predicates: expected a list, got an object")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":["HostName"],"priorities":[]}""", "predicates[0]: expected an object, got the string \"HostName\"")]
    [InlineData("""{"kind":"Policy","apiVersion":"v1","predicates":[],"priorities":[],"alwaysCheckAllPredicates":"yes"}""", "alwaysCheckAllPredicates: expected true or false")]
    [InlineData("""["Policy"]""", "expected an object, got a list")]
    public void Value_of_the_wrong_type_is_an_error_naming_its_path(string json, string expected)
    {
        Assert.StartsWith($"{Source}: {expected}", Error(json));
    }

    [Fact]
    public void Missing_file_is_an_error_naming_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-policy-{Guid.NewGuid():N}.json");
        var e = Assert.Throws<ConfigurationException>(() => LegacyPolicyReader.ReadFile(path));
        Assert.StartsWith($"{path}: cannot read the policy file", e.Message);
    }
}
