using System.Text.Json;

namespace PackingScheduler.Core.Policy;

/// <summary>
/// Reads the legacy kube-scheduler Policy file (<c>--policy-config-file</c>, kind Policy, apiVersion
/// v1 or kubescheduler.config.k8s.io/v1) into a <see cref="SchedulerProfile"/>, translating
/// predicates and priorities into plugins as upstream's legacy registry did
/// (pkg/scheduler/framework/plugins/legacy_registry.go).
/// </summary>
/// <remarks>
/// Reading is strict, as upstream's scheduler codecs were (serializer.EnableStrict): unknown fields
/// are errors. Anything upstream accepted but this scheduler cannot honour exactly is an error
/// rather than an approximation: a packing scheduler that silently drops a predicate places pods
/// where the site's policy forbids them.
/// </remarks>
public static class LegacyPolicyReader
{
    /// <summary>config.MaxWeight = MaxTotalScore / MaxNodeScore: ValidatePolicy refuses weights from here up.</summary>
    private const long MaxWeight = long.MaxValue / 100;

    private const string RtcrArgument = "requestedToCapacityRatioArguments";

    /// <summary>legacy_registry.go mandatoryPredicates: configured whatever the policy lists.</summary>
    public static readonly IReadOnlyList<string> MandatoryPredicates = ["CheckNodeUnschedulable", "PodToleratesNodeTaints"];

    private static readonly Dictionary<string, FilterPlugin[]> PredicateFilters = new(StringComparer.Ordinal)
    {
        ["CheckNodeUnschedulable"] = [FilterPlugin.NodeUnschedulable],
        ["GeneralPredicates"] = [FilterPlugin.NodeResourcesFit, FilterPlugin.NodeName, FilterPlugin.NodePorts, FilterPlugin.NodeAffinity],
        ["HostName"] = [FilterPlugin.NodeName],
        ["PodFitsHostPorts"] = [FilterPlugin.NodePorts],
        // Upstream still accepted the pre-1.10 name "for compatibility reasons".
        ["PodFitsPorts"] = [FilterPlugin.NodePorts],
        ["MatchNodeSelector"] = [FilterPlugin.NodeAffinity],
        ["PodFitsResources"] = [FilterPlugin.NodeResourcesFit],
        ["NoDiskConflict"] = [FilterPlugin.VolumeRestrictions],
        ["PodToleratesNodeTaints"] = [FilterPlugin.TaintToleration],
        ["NoVolumeZoneConflict"] = [FilterPlugin.VolumeZone],
        ["MatchInterPodAffinity"] = [FilterPlugin.InterPodAffinity],
    };

    private const string ConditionTaintHint =
        "; upstream dropped it once node conditions became taints (TaintNodesByCondition), which PodToleratesNodeTaints enforces: remove it";

    /// <summary>Predicates upstream knew that this scheduler does not implement, with any advice.</summary>
    private static readonly Dictionary<string, string> UnsupportedPredicates = new(StringComparer.Ordinal)
    {
        ["CheckVolumeBinding"] = "",
        ["MaxEBSVolumeCount"] = "",
        ["MaxGCEPDVolumeCount"] = "",
        ["MaxCSIVolumeCountPred"] = "",
        ["MaxAzureDiskVolumeCount"] = "",
        ["MaxCinderVolumeCount"] = "",
        ["CheckNodeLabelPresence"] = "",
        ["CheckServiceAffinity"] = "",
        ["EvenPodsSpread"] = "",
        ["CheckNodeCondition"] = ConditionTaintHint,
        ["CheckNodeMemoryPressure"] = ConditionTaintHint,
        ["CheckNodeDiskPressure"] = ConditionTaintHint,
        ["CheckNodePIDPressure"] = ConditionTaintHint,
    };

    private static readonly Dictionary<string, ScorePlugin> PriorityScores = new(StringComparer.Ordinal)
    {
        ["MostRequestedPriority"] = ScorePlugin.NodeResourcesFit,
        ["LeastRequestedPriority"] = ScorePlugin.NodeResourcesFit,
        ["InterPodAffinityPriority"] = ScorePlugin.InterPodAffinity,
        ["NodeAffinityPriority"] = ScorePlugin.NodeAffinity,
        ["TaintTolerationPriority"] = ScorePlugin.TaintToleration,
    };

    /// <summary>
    /// Names that carry a RequestedToCapacityRatio argument. Upstream took the argument under any
    /// name (it was a "custom priority"); these two are the ones that mean nothing without it.
    /// </summary>
    private static readonly string[] RtcrNames = ["RequestedToCapacityRatioPriority", "RequestedToCapacityRatio"];

    /// <summary>Upstream skipped it: an equal score on every node cannot change which node wins.</summary>
    private const string EqualPriority = "EqualPriority";

    private static readonly HashSet<string> UnsupportedPriorities = new(StringComparer.Ordinal)
    {
        "SelectorSpreadPriority",
        "ServiceSpreadingPriority",
        "BalancedResourceAllocation",
        "ImageLocalityPriority",
        "NodePreferAvoidPodsPriority",
        "EvenPodsSpreadPriority",
        "ResourceLimitsPriority",
        "NodeLabelPriority",
        "ServiceAntiAffinityPriority",
    };

    private static readonly string[] RootFields =
        ["kind", "apiVersion", "predicates", "priorities", "extenders", "hardPodAffinitySymmetricWeight", "alwaysCheckAllPredicates"];

    private static readonly string[] ApiVersions = ["v1", "kubescheduler.config.k8s.io/v1"];

    public static IEnumerable<string> SupportedPredicateNames => PredicateFilters.Keys;

    public static IEnumerable<string> SupportedPriorityNames => PriorityScores.Keys.Concat(RtcrNames).Append(EqualPriority);

    public static SchedulerProfile ReadFile(string path)
    {
        return Read(ConfigErrors.ReadFile(path, "policy file"), path);
    }

    public static SchedulerProfile Read(string json, string sourceName)
    {
        using var document = Parse(json, sourceName);
        var root = new JsonConfigObject(sourceName, "", document.RootElement);

        // kind and apiVersion first: a KubeSchedulerConfiguration passed here should be told so,
        // not be told its fields are unknown.
        string? kind = root.String("kind");
        if (kind != "Policy")
            throw root.Error("kind", kind is null
                ? "required: this reader takes a legacy scheduler Policy (\"kind\": \"Policy\")"
                : $"expected \"Policy\", got {ConfigErrors.Quoted(kind)}" +
                  (kind == "KubeSchedulerConfiguration" ? "; pass a KubeSchedulerConfiguration as the configuration file, not as the policy file" : ""));
        string? apiVersion = root.String("apiVersion");
        if (apiVersion is null || Array.IndexOf(ApiVersions, apiVersion) < 0)
            throw root.Error("apiVersion", (apiVersion is null ? "required" : $"unknown version {ConfigErrors.Quoted(apiVersion)}") +
                $"; a Policy is {ConfigErrors.List(ApiVersions)}");
        root.CheckFields(RootFields);

        var filters = new HashSet<FilterPlugin>();
        foreach (string name in MandatoryPredicates)
            filters.UnionWith(PredicateFilters[name]);

        var predicates = root.Array("predicates") ?? throw root.Error("predicates",
            "missing: upstream then applied its DefaultProvider predicate set, which this scheduler cannot reproduce exactly; " +
            $"list the predicates (an empty list [] keeps only the mandatory {string.Join(" and ", MandatoryPredicates)})");
        foreach (var (element, path) in predicates)
            filters.UnionWith(ReadPredicate(new JsonConfigObject(sourceName, path, element)));

        var priorities = root.Array("priorities") ?? throw root.Error("priorities",
            "missing: upstream then applied its DefaultProvider priority set, which this scheduler cannot reproduce exactly; " +
            "list the priorities (an empty list [] scores nothing)");
        var scores = new List<WeightedScore>();
        var scoreSources = new Dictionary<ScorePlugin, (string Name, string Path)>();
        ScoringStrategy? strategy = null;
        foreach (var (element, path) in priorities)
        {
            var priority = new JsonConfigObject(sourceName, path, element);
            var read = ReadPriority(priority);
            if (read is not { } chosen) continue;
            if (scoreSources.TryGetValue(chosen.Plugin, out var earlier))
            {
                string why = chosen.Plugin == ScorePlugin.NodeResourcesFit
                    ? $"only one of MostRequestedPriority, LeastRequestedPriority and RequestedToCapacityRatioPriority may be listed (they are all the NodeResourcesFit score, with different strategies); {ConfigErrors.Quoted(chosen.Name)} conflicts with {ConfigErrors.Quoted(earlier.Name)} at {earlier.Path}"
                    : $"{ConfigErrors.Quoted(chosen.Name)} is listed twice (also at {earlier.Path})";
                throw priority.Error(priority.ChildPath("name"), why);
            }
            scoreSources[chosen.Plugin] = (chosen.Name, path);
            // Upstream's framework: the weighted scores of one node must add up without overflowing a long.
            if (chosen.Weight > (long.MaxValue - scores.Sum(w => w.Weight * 100)) / 100)
                throw priority.Error(priority.ChildPath("weight"), $"the priorities' weights add up to more than {MaxWeight}: the total score could overflow");
            scores.Add(new WeightedScore(chosen.Plugin, chosen.Weight));
            strategy ??= chosen.Strategy;
        }

        if (root.Array("extenders") is { Count: > 0 } extenders)
            throw root.Error(extenders[0].Path, "scheduler extenders are not supported by this scheduler; remove the extenders");

        int hardPodAffinityWeight = root.Int32("hardPodAffinitySymmetricWeight") ?? 0;
        if (hardPodAffinityWeight is < 0 or > 100)
            throw root.Error("hardPodAffinitySymmetricWeight", $"{hardPodAffinityWeight} not in valid range [0, 100]");

        // alwaysCheckAllPredicates only changed how many failure reasons upstream collected for a
        // node, never which nodes fit; it is read for its type and otherwise has no effect.
        root.Bool("alwaysCheckAllPredicates");

        return new SchedulerProfile
        {
            Filters = filters,
            Scores = scores,
            ScoringStrategy = strategy ?? ScoringStrategy.MostAllocated(),
            // Upstream: 0 meant "not given", leaving the scheduler's default of 1.
            HardPodAffinityWeight = hardPodAffinityWeight == 0 ? 1 : hardPodAffinityWeight,
            // percentageOfNodesToScore came from the component config, not the Policy, and sites running the packing policy want every node scored.
            PercentageOfNodesToScore = 100,
        };
    }

    private static JsonDocument Parse(string json, string sourceName)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            long line = (e.LineNumber ?? 0) + 1;
            long position = (e.BytePositionInLine ?? 0) + 1;
            // The runtime's message ends with its own 0-based "LineNumber: .. | BytePositionInLine: ..".
            string reason = e.Message;
            int cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) reason = reason[..cut];
            // Advice meant for the programmer, not for whoever wrote the file.
            reason = reason.Replace(" Change the reader options.", "", StringComparison.Ordinal);
            throw new ConfigurationException($"{sourceName}: malformed JSON at line {line}, position {position}: {reason}", e);
        }
    }

    private static FilterPlugin[] ReadPredicate(JsonConfigObject predicate)
    {
        predicate.CheckFields("name", "argument");
        string namePath = predicate.ChildPath("name");
        string name = predicate.String("name") ?? throw predicate.Error(namePath, "required: the predicate's name");
        var argument = predicate.Object("argument");
        string? argumentKind = null;
        if (argument is not null)
        {
            argument.CheckFields("serviceAffinity", "labelsPresence");
            argumentKind = SingleArgument(argument, "serviceAffinity", "labelsPresence");
        }

        if (PredicateFilters.TryGetValue(name, out var plugins))
        {
            // Upstream ignored an argument on a built-in predicate; ignoring it here would hide a mistake.
            if (argument is not null)
                throw predicate.Error(argument.Path, $"predicate {ConfigErrors.Quoted(name)} takes no argument; remove it");
            return plugins;
        }
        if (UnsupportedPredicates.TryGetValue(name, out string? hint))
            throw predicate.Error(namePath, $"predicate {ConfigErrors.Quoted(name)} is recognized but not supported by this scheduler{hint}; " +
                $"supported predicates: {ConfigErrors.List(PredicateFilters.Keys)}");
        if (argumentKind is not null)
        {
            string upstream = argumentKind == "serviceAffinity" ? "CheckServiceAffinity" : "CheckNodeLabelPresence";
            throw predicate.Error(ConfigErrors.Child(argument!.Path, argumentKind),
                $"custom predicate {ConfigErrors.Quoted(name)} is upstream's {upstream}, which is recognized but not supported by this scheduler; " +
                $"supported predicates: {ConfigErrors.List(PredicateFilters.Keys)}");
        }
        var known = PredicateFilters.Keys.Concat(UnsupportedPredicates.Keys).ToList();
        throw predicate.Error(namePath, $"unknown predicate {ConfigErrors.Quoted(name)}{ConfigErrors.Suggestion(name, known)}; known: {ConfigErrors.List(known)}");
    }

    private readonly record struct ChosenScore(string Name, ScorePlugin Plugin, long Weight, ScoringStrategy? Strategy);

    /// <summary>The score a priority becomes, or null for one that has no effect (EqualPriority).</summary>
    private static ChosenScore? ReadPriority(JsonConfigObject priority)
    {
        priority.CheckFields("name", "weight", "argument");
        string namePath = priority.ChildPath("name");
        string name = priority.String("name") ?? throw priority.Error(namePath, "required: the priority's name");
        long weight = priority.Int64("weight") ?? 0;
        var argument = priority.Object("argument");
        string? argumentKind = null;
        if (argument is not null)
        {
            argument.CheckFields("serviceAntiAffinity", "labelPreference", RtcrArgument);
            argumentKind = SingleArgument(argument, "serviceAntiAffinity", "labelPreference", RtcrArgument);
        }

        string supported = $"supported priorities: {ConfigErrors.List(SupportedPriorityNames)}";
        bool builtIn = PriorityScores.ContainsKey(name) || name == EqualPriority;
        ScorePlugin plugin;
        ScoringStrategy? strategy = null;
        if (UnsupportedPriorities.Contains(name))
        {
            throw priority.Error(namePath, $"priority {ConfigErrors.Quoted(name)} is recognized but not supported by this scheduler; {supported}");
        }
        else if (builtIn)
        {
            if (argument is not null)
                throw priority.Error(argument.Path, $"priority {ConfigErrors.Quoted(name)} takes no argument; remove it");
            if (name == EqualPriority)
            {
                CheckWeight(priority, name, weight);
                return null;
            }
            plugin = PriorityScores[name];
            if (plugin == ScorePlugin.NodeResourcesFit)
                strategy = name == "MostRequestedPriority" ? ScoringStrategy.MostAllocated() : ScoringStrategy.LeastAllocated();
        }
        else if (argumentKind == RtcrArgument)
        {
            plugin = ScorePlugin.NodeResourcesFit;
            strategy = ReadRequestedToCapacityRatio(argument!.Object(RtcrArgument)!);
        }
        else if (argumentKind is not null)
        {
            string upstream = argumentKind == "serviceAntiAffinity" ? "ServiceAntiAffinity" : "NodeLabel";
            throw priority.Error(ConfigErrors.Child(argument!.Path, argumentKind),
                $"custom priority {ConfigErrors.Quoted(name)} is upstream's {upstream} priority, which is recognized but not supported by this scheduler; {supported}");
        }
        else if (Array.IndexOf(RtcrNames, name) >= 0)
        {
            throw priority.Error(ConfigErrors.Child(priority.Path, "argument"),
                $"required: priority {ConfigErrors.Quoted(name)} needs argument.{RtcrArgument} with its shape");
        }
        else
        {
            var known = SupportedPriorityNames.Concat(UnsupportedPriorities).ToList();
            throw priority.Error(namePath, $"unknown priority {ConfigErrors.Quoted(name)}{ConfigErrors.Suggestion(name, known)}; known: {ConfigErrors.List(known)}");
        }

        CheckWeight(priority, name, weight);
        return new ChosenScore(name, plugin, weight, strategy);
    }

    private static void CheckWeight(JsonConfigObject priority, string name, long weight)
    {
        // ValidatePolicy: "should have a positive weight applied to it or it has overflown".
        if (weight <= 0 || weight >= MaxWeight)
            throw priority.Error(priority.ChildPath("weight"), weight == 0
                ? $"required: priority {ConfigErrors.Quoted(name)} needs a positive weight (upstream refuses a missing or zero weight)"
                : $"priority {ConfigErrors.Quoted(name)} has weight {weight}; it must be positive and below {MaxWeight}");
    }

    private static string SingleArgument(JsonConfigObject argument, params string[] fields)
    {
        var present = fields.Where(f => argument.Get(f) is not null).ToList();
        if (present.Count != 1)
            throw argument.Error(argument.Path, $"exactly one of {string.Join(", ", fields)} is required, got {present.Count}");
        return present[0];
    }

    private static ScoringStrategy ReadRequestedToCapacityRatio(JsonConfigObject args)
    {
        args.CheckFields("shape", "resources");
        var shape = new List<UtilizationShapePoint>();
        var shapeItems = args.Array("shape");
        if (shapeItems is null or { Count: 0 })
            throw args.Error(args.ChildPath("shape"), "required: at least one point must be specified");
        foreach (var (element, path) in shapeItems)
        {
            var point = new JsonConfigObject(args.Source, path, element);
            point.CheckFields("utilization", "score");
            shape.Add(new UtilizationShapePoint(point.Int32("utilization") ?? 0, point.Int32("score") ?? 0));
        }
        if (ShapeRules.FirstProblem(shape) is { } problem)
            throw args.Error(ConfigErrors.Child(shapeItems[problem.Index].Path, problem.Field), problem.Message);

        var resources = new List<ResourceWeight>();
        foreach (var (element, path) in args.Array("resources") ?? [])
        {
            var resource = new JsonConfigObject(args.Source, path, element);
            resource.CheckFields("name", "weight");
            string name = resource.String("name") is { Length: > 0 } n ? n : throw resource.Error(resource.ChildPath("name"), "required: the resource's name");
            long? weight = resource.Int64("weight");
            long effective = ShapeRules.EffectiveWeight(weight)
                ?? throw resource.Error(resource.ChildPath("weight"), $"resource weight of {name} is {weight}, not in valid range [1, {ShapeRules.MaxResourceWeight}] (0 or absent means 1)");
            resources.Add(new ResourceWeight(name, effective));
        }
        return new ScoringStrategy(ScoringStrategyType.RequestedToCapacityRatio,
            resources.Count == 0 ? ScoringStrategy.DefaultResources : resources, shape);
    }
}
