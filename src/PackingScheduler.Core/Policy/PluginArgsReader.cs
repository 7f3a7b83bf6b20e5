using System.Text.RegularExpressions;

namespace PackingScheduler.Core.Policy;

/// <summary>
/// Reads one <c>pluginConfig[]</c> entry's args onto a profile, with upstream's defaulting
/// (v1 defaults.go) and validation (validation_pluginargs.go).
/// </summary>
internal static partial class PluginArgsReader
{
    private const string ApiVersion = "kubescheduler.config.k8s.io/v1";

    // SlotBestFit is this scheduler's own (see ScoringStrategyType); the others are upstream's.
    private static readonly string[] StrategyTypes = ["LeastAllocated", "MostAllocated", "RequestedToCapacityRatio", "SlotBestFit"];

    /// <summary>Plugins with an args type upstream whose plugin this scheduler does not implement.</summary>
    private static readonly HashSet<string> ArgsOfUnimplemented = new(StringComparer.Ordinal)
    {
        "PodTopologySpread", "NodeResourcesBalancedAllocation", "VolumeBinding", "DynamicResources",
    };

    public static SchedulerProfile Apply(SchedulerProfile profile, string name, YamlConfigObject? args, YamlConfigObject entry)
    {
        if (args is not null)
        {
            // The args are decoded as <Name>Args of this API version; other type metadata is refused upstream.
            if (args.String("kind") is { } kind && kind != name + "Args")
                throw args.Error(args.Get("kind")!, args.ChildPath("kind"), $"args for plugin {name} must be of kind {name}Args, got {ConfigErrors.Quoted(kind)}");
            if (args.String("apiVersion") is { } version && version != ApiVersion)
                throw args.Error(args.Get("apiVersion")!, args.ChildPath("apiVersion"), $"args must be {ApiVersion}, got {ConfigErrors.Quoted(version)}");
        }

        switch (name)
        {
            case "NodeResourcesFit":
                return ReadFit(profile, args);
            case "InterPodAffinity":
                return ReadInterPodAffinity(profile, args);
            case "NodeAffinity":
                args?.CheckFields("apiVersion", "kind", "addedAffinity");
                if (args?.Get("addedAffinity") is { } added)
                    throw args.Error(added, args.ChildPath("addedAffinity"), "NodeAffinityArgs.addedAffinity is not supported by this scheduler; remove it");
                return profile;
            case "DefaultPreemption":
                return ReadDefaultPreemption(profile, args);
        }
        if (ArgsOfUnimplemented.Contains(name))
            throw entry.Error(entry.Get("name")!, entry.ChildPath("name"),
                $"plugin {name} is not implemented by this scheduler, so its args have no use; remove this pluginConfig entry");
        // Upstream's other in-tree plugins take no args and ignore any given; refusing them here
        // catches args written under the wrong plugin's name.
        if (args is not null && args.Node is YamlDotNet.RepresentationModel.YamlMappingNode { Children.Count: > 0 } mapping
            && mapping.Children.Keys.Any(k => k is not YamlDotNet.RepresentationModel.YamlScalarNode { Value: "kind" or "apiVersion" }))
            throw args.Error(args.Node, args.Path, $"plugin {name} takes no args");
        return profile;
    }

    private static SchedulerProfile ReadFit(SchedulerProfile profile, YamlConfigObject? args)
    {
        // No args at all: upstream's defaults, LeastAllocated over cpu and memory.
        if (args is null)
            return profile with { ScoringStrategy = ScoringStrategy.LeastAllocated() };
        args.CheckFields("apiVersion", "kind", "ignoredResources", "ignoredResourceGroups", "scoringStrategy");

        var ignored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, path) in args.List("ignoredResources") ?? [])
        {
            string resource = args.AsString(node, path);
            if (QualifiedNameProblem(resource) is { } problem)
                throw args.Error(node, path, $"{ConfigErrors.Quoted(resource)} {problem}");
            ignored.Add(resource);
        }
        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, path) in args.List("ignoredResourceGroups") ?? [])
        {
            string group = args.AsString(node, path);
            if (group.Contains('/'))
                throw args.Error(node, path, $"{ConfigErrors.Quoted(group)}: resource group name can't contain '/'");
            if (QualifiedNameProblem(group) is { } problem)
                throw args.Error(node, path, $"{ConfigErrors.Quoted(group)} {problem}");
            groups.Add(group);
        }

        var strategy = args.Object("scoringStrategy") is { } strategyArgs
            ? ReadStrategy(strategyArgs)
            : ScoringStrategy.LeastAllocated();
        return profile with { ScoringStrategy = strategy, IgnoredResources = ignored, IgnoredResourceGroups = groups };
    }

    private static ScoringStrategy ReadStrategy(YamlConfigObject strategy)
    {
        strategy.CheckFields("type", "resources", "requestedToCapacityRatio");
        // Upstream defaults the type only when scoringStrategy itself is absent.
        string? typeName = strategy.String("type");
        if (typeName is null || !Enum.TryParse<ScoringStrategyType>(typeName, out var type) || Array.IndexOf(StrategyTypes, typeName) < 0)
            throw strategy.Error(strategy.Get("type") ?? strategy.Node, strategy.ChildPath("type"),
                (typeName is null ? "required" : $"unsupported value {ConfigErrors.Quoted(typeName)}") + $"; supported: {ConfigErrors.List(StrategyTypes)}");

        var resources = new List<ResourceWeight>();
        foreach (var (node, path) in strategy.List("resources") ?? [])
        {
            var resource = new YamlConfigObject(strategy.Source, path, node);
            resource.CheckFields("name", "weight");
            string name = resource.String("name") is { Length: > 0 } n ? n : throw resource.Error(node, resource.ChildPath("name"), "required: the resource's name");
            long? weight = resource.Int64("weight");
            long effective = ShapeRules.EffectiveWeight(weight)
                ?? throw resource.Error(resource.Get("weight")!, resource.ChildPath("weight"),
                    $"resource weight of {name} is {weight}, not in valid range [1, {ShapeRules.MaxResourceWeight}] (0 or absent means 1)");
            resources.Add(new ResourceWeight(name, effective));
        }

        var shape = new List<UtilizationShapePoint>();
        var ratio = strategy.Object("requestedToCapacityRatio");
        if (type == ScoringStrategyType.RequestedToCapacityRatio)
        {
            if (ratio is null)
                throw strategy.Error(strategy.Node, strategy.ChildPath("requestedToCapacityRatio"), "required when type is RequestedToCapacityRatio");
            ratio.CheckFields("shape");
            var points = ratio.List("shape");
            if (points is null or { Count: 0 })
                throw ratio.Error(ratio.Node, ratio.ChildPath("shape"), "required: at least one point must be specified");
            foreach (var (node, path) in points)
            {
                var point = new YamlConfigObject(ratio.Source, path, node);
                point.CheckFields("utilization", "score");
                shape.Add(new UtilizationShapePoint(point.Int32("utilization") ?? 0, point.Int32("score") ?? 0));
            }
            if (ShapeRules.FirstProblem(shape) is { } problem)
            {
                var (node, path) = points[problem.Index];
                throw ratio.Error(node, ConfigErrors.Child(path, problem.Field), problem.Message);
            }
        }
        else if (ratio is not null)
        {
            throw strategy.Error(ratio.Node, ratio.Path, "must be absent when type is not RequestedToCapacityRatio");
        }
        return new ScoringStrategy(type, resources.Count == 0 ? ScoringStrategy.DefaultResources : resources, shape);
    }

    private static SchedulerProfile ReadInterPodAffinity(SchedulerProfile profile, YamlConfigObject? args)
    {
        if (args is null) return profile;
        args.CheckFields("apiVersion", "kind", "hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods");
        int weight = args.Int32("hardPodAffinityWeight") ?? 1;
        if (weight is < 0 or > 100)
            throw args.Error(args.Get("hardPodAffinityWeight")!, args.ChildPath("hardPodAffinityWeight"), $"{weight} not in valid range [0, 100]");
        return profile with
        {
            HardPodAffinityWeight = weight,
            IgnorePreferredTermsOfExistingPods = args.Bool("ignorePreferredTermsOfExistingPods") ?? false,
        };
    }

    private static SchedulerProfile ReadDefaultPreemption(SchedulerProfile profile, YamlConfigObject? args)
    {
        if (args is null) return profile;
        args.CheckFields("apiVersion", "kind", "minCandidateNodesPercentage", "minCandidateNodesAbsolute");
        int percentage = args.Int32("minCandidateNodesPercentage") ?? 10;
        int absolute = args.Int32("minCandidateNodesAbsolute") ?? 100;
        if (percentage is < 0 or > 100)
            throw args.Error(args.Get("minCandidateNodesPercentage")!, args.ChildPath("minCandidateNodesPercentage"), $"{percentage} not in valid range [0, 100]");
        if (absolute < 0)
            throw args.Error(args.Get("minCandidateNodesAbsolute")!, args.ChildPath("minCandidateNodesAbsolute"), $"{absolute} not in valid range [0, inf)");
        if (percentage == 0 && absolute == 0)
            throw args.Error(args.Node, args.ChildPath("minCandidateNodesPercentage"), "cannot be zero at the same time as minCandidateNodesAbsolute");
        return profile with { MinCandidateNodesPercentage = percentage, MinCandidateNodesAbsolute = absolute };
    }

    [GeneratedRegex(@"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex NamePart();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    /// <summary>Why <paramref name="value"/> is not a qualified name (ValidateLabelName), or null.</summary>
    private static string? QualifiedNameProblem(string value)
    {
        string[] parts = value.Split('/');
        if (parts.Length > 2) return "is not a qualified name: at most one '/' (prefix/name)";
        string name = parts[^1];
        if (parts.Length == 2 && (parts[0].Length is 0 or > 253 || !DnsSubdomain().IsMatch(parts[0])))
            return "is not a qualified name: the prefix must be a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)";
        if (name.Length is 0 or > 63 || !NamePart().IsMatch(name))
            return "is not a qualified name: the name part must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
        return null;
    }
}
