using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Policy;

/// <summary>
/// Turns a profile's plugins section into the filters and weighted scores that run, the way
/// upstream does: the section is merged into upstream's default plugin set
/// (v1 default_plugins.go mergePlugins), multiPoint is expanded to every extension point a plugin
/// implements (framework runtime expandMultiPointPlugins), and score weights are taken from the
/// score point first, then multiPoint (getScoreWeights). Then everything that would run must be
/// something this scheduler does; see <see cref="ComponentConfigReader"/> for the rule.
/// </summary>
internal static class PluginSetResolver
{
    private sealed record MultiPointEntry(string Name, int? Weight, ConfiguredPlugin? Origin);

    private sealed record Effective(string Name, ConfiguredPlugin? Origin);

    public static (HashSet<FilterPlugin> Filters, List<WeightedScore> Scores, bool Preemption) Resolve(
        string source,
        string pluginsPath,
        YamlNode location,
        ConfiguredPluginSet multiPoint,
        IReadOnlyDictionary<ExtensionPoint, ConfiguredPluginSet> points)
    {
        ConfiguredPluginSet SetOf(ExtensionPoint point) => points.GetValueOrDefault(point) ?? ConfiguredPluginSet.Empty;

        var merged = MergeMultiPoint(multiPoint);
        var effective = new Dictionary<ExtensionPoint, List<Effective>>();
        foreach (var point in Enum.GetValues<ExtensionPoint>())
            effective[point] = Expand(source, point, SetOf(point), merged);

        CheckImplemented(source, pluginsPath, location, effective);

        ConfigurationException Refuse(string message) => YamlConfigObject.Error(source, location, pluginsPath, message);
        var queueSort = effective[ExtensionPoint.QueueSort];
        if (queueSort.Count != 1)
            throw Refuse($"exactly one queueSort plugin is required (upstream refuses the profile otherwise), got {queueSort.Count}" +
                (queueSort.Count > 0 ? $": {string.Join(", ", queueSort.Select(p => p.Name))}" : "; keep PrioritySort enabled"));
        if (effective[ExtensionPoint.Bind].Count == 0)
            throw Refuse("at least one bind plugin is required (upstream refuses the profile otherwise); keep DefaultBinder enabled");

        CheckPair(source, pluginsPath, location, effective, ExtensionPoint.PreFilter, ExtensionPoint.Filter, bothWays: true);
        // A preScore without its score only prepares state nobody reads; a score without its
        // preScore fails upstream on every pod.
        CheckPair(source, pluginsPath, location, effective, ExtensionPoint.PreScore, ExtensionPoint.Score, bothWays: false);

        var filters = new HashSet<FilterPlugin>(effective[ExtensionPoint.Filter].Select(p => Enum.Parse<FilterPlugin>(p.Name)));
        var weights = ScoreWeights(SetOf(ExtensionPoint.Score), merged);
        var scores = new List<WeightedScore>();
        foreach (var plugin in effective[ExtensionPoint.Score])
        {
            var (weight, origin) = weights[plugin.Name];
            if (weight < 0)
                throw YamlConfigObject.Error(source, origin!.Node, ConfigErrors.Child(origin.Path, "weight"),
                    $"score plugin {ConfigErrors.Quoted(plugin.Name)} has weight {weight}; weights must be positive (0 or absent means 1)");
            scores.Add(new WeightedScore(Enum.Parse<ScorePlugin>(plugin.Name), weight));
        }
        // DefaultPreemption is the only PostFilter plugin this scheduler has; disabling it turns preemption off.
        bool preemption = effective[ExtensionPoint.PostFilter].Any(p => p.Name == "DefaultPreemption");
        return (filters, scores, preemption);
    }

    public static string PointName(ExtensionPoint point)
    {
        string name = point.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    /// <summary>mergePluginSet for multiPoint: defaults minus the disabled ones (all with "*"), a re-enabled default replaced in place, the rest appended.</summary>
    private static List<MultiPointEntry> MergeMultiPoint(ConfiguredPluginSet custom)
    {
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < custom.Enabled.Count; i++)
            byName[custom.Enabled[i].Name] = i;
        var replaced = new HashSet<int>();
        var merged = new List<MultiPointEntry>();
        if (!custom.Disables("*"))
        {
            foreach (var (name, weight) in UpstreamPlugins.DefaultMultiPoint)
            {
                if (custom.Disables(name)) continue;
                if (byName.TryGetValue(name, out int index))
                {
                    var replacement = custom.Enabled[index];
                    merged.Add(new MultiPointEntry(replacement.Name, replacement.Weight, replacement));
                    replaced.Add(index);
                }
                else
                {
                    merged.Add(new MultiPointEntry(name, weight, null));
                }
            }
        }
        for (int i = 0; i < custom.Enabled.Count; i++)
            if (!replaced.Contains(i))
                merged.Add(new MultiPointEntry(custom.Enabled[i].Name, custom.Enabled[i].Weight, custom.Enabled[i]));
        return merged;
    }

    /// <summary>
    /// The plugins that run at one point: those the point enables explicitly, plus multiPoint's
    /// unless the point disables them (or "*"); a plugin both explicit and in multiPoint keeps its
    /// explicit place first.
    /// </summary>
    private static List<Effective> Expand(string source, ExtensionPoint point, ConfiguredPluginSet set, List<MultiPointEntry> merged)
    {
        var explicitNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var plugin in set.Enabled)
        {
            if (!UpstreamPlugins.Implements(plugin.Name, point))
                throw YamlConfigObject.Error(source, plugin.NameNode, ConfigErrors.Child(plugin.Path, "name"),
                    $"plugin {ConfigErrors.Quoted(plugin.Name)} does not implement {PointName(point)}; it implements: " +
                    string.Join(", ", UpstreamPlugins.Points[plugin.Name].Select(PointName)));
            if (!explicitNames.Add(plugin.Name))
                throw YamlConfigObject.Error(source, plugin.NameNode, ConfigErrors.Child(plugin.Path, "name"),
                    $"plugin {ConfigErrors.Quoted(plugin.Name)} is enabled twice at {PointName(point)}");
        }
        var explicitPlugins = set.Enabled.Select(p => new Effective(p.Name, p)).ToList();
        if (set.Disables("*"))
            return explicitPlugins;

        var fromMultiPoint = new List<Effective>();
        var overrides = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in merged)
        {
            if (!UpstreamPlugins.Implements(entry.Name, point) || set.Disables(entry.Name)) continue;
            if (explicitNames.Contains(entry.Name))
            {
                overrides.Add(entry.Name);
                continue;
            }
            if (fromMultiPoint.Any(p => p.Name == entry.Name))
            {
                var at = entry.Origin!;
                throw YamlConfigObject.Error(source, at.NameNode, ConfigErrors.Child(at.Path, "name"),
                    $"plugin {ConfigErrors.Quoted(entry.Name)} is enabled twice through multiPoint");
            }
            fromMultiPoint.Add(new Effective(entry.Name, entry.Origin));
        }
        return explicitPlugins.Where(p => overrides.Contains(p.Name))
            .Concat(fromMultiPoint)
            .Concat(explicitPlugins.Where(p => !overrides.Contains(p.Name)))
            .ToList();
    }

    private static bool Implemented(ExtensionPoint point, string name) =>
        UpstreamPlugins.Mechanical.Contains(name) || point switch
        {
            ExtensionPoint.PreFilter or ExtensionPoint.Filter => Enum.TryParse<FilterPlugin>(name, out _),
            ExtensionPoint.PreScore or ExtensionPoint.Score => Enum.TryParse<ScorePlugin>(name, out _),
            _ => false,
        };

    private static void CheckImplemented(string source, string pluginsPath, YamlNode location, Dictionary<ExtensionPoint, List<Effective>> effective)
    {
        var missing = effective
            .SelectMany(kv => kv.Value.Where(p => !Implemented(kv.Key, p.Name)).Select(p => (Point: kv.Key, Plugin: p)))
            .ToList();
        if (missing.Count == 0) return;

        string offer =
            $"this scheduler implements filters {ConfigErrors.List(Enum.GetNames<FilterPlugin>())}; " +
            $"scores {ConfigErrors.List(Enum.GetNames<ScorePlugin>())}; " +
            $"and accepts {ConfigErrors.List(UpstreamPlugins.Mechanical)} without effect";

        // The user's own words first: pointing at the line they wrote beats a summary.
        if (missing.FirstOrDefault(m => m.Plugin.Origin is not null) is { Plugin.Origin: { } written } first)
            throw YamlConfigObject.Error(source, written.NameNode, ConfigErrors.Child(written.Path, "name"),
                $"plugin {ConfigErrors.Quoted(first.Plugin.Name)} is not implemented by this scheduler; remove it ({offer})");

        var names = missing.Select(m => m.Plugin.Name).Distinct().ToList();
        string disabled = string.Join(", ", names.Select(n => $"{{name: {n}}}"));
        throw YamlConfigObject.Error(source, location, pluginsPath,
            $"upstream's default plugin{(names.Count > 1 ? "s" : "")} {ConfigErrors.List(names)} would run but " +
            $"{(names.Count > 1 ? "are" : "is")} not implemented by this scheduler; disable {(names.Count > 1 ? "them" : "it")}: " +
            $"{ConfigErrors.Child(pluginsPath, "multiPoint")}.disabled: [{disabled}] ({offer})");
    }

    private static void CheckPair(string source, string pluginsPath, YamlNode location,
        Dictionary<ExtensionPoint, List<Effective>> effective, ExtensionPoint first, ExtensionPoint second, bool bothWays)
    {
        var atFirst = effective[first].Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var atSecond = effective[second].Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string name in atSecond)
            if (UpstreamPlugins.Implements(name, first) && !atFirst.Contains(name))
                throw YamlConfigObject.Error(source, location, ConfigErrors.Child(pluginsPath, PointName(first)),
                    $"{name} runs at {PointName(second)} but not at {PointName(first)}; upstream's {PointName(second)} depends on what its " +
                    $"{PointName(first)} computes, so enable or disable both");
        if (!bothWays) return;
        foreach (string name in atFirst)
            if (UpstreamPlugins.Implements(name, second) && !atSecond.Contains(name))
                throw YamlConfigObject.Error(source, location, ConfigErrors.Child(pluginsPath, PointName(second)),
                    $"{name} runs at {PointName(first)} but not at {PointName(second)}; upstream's {PointName(first)} can reject pods on its own, " +
                    "which this scheduler does not reproduce apart from the filter, so enable or disable both");
    }

    /// <summary>getScoreWeights: the score point's entry wins over multiPoint's; 0 or absent means 1.</summary>
    private static Dictionary<string, (long Weight, ConfiguredPlugin? Origin)> ScoreWeights(ConfiguredPluginSet score, List<MultiPointEntry> merged)
    {
        var weights = new Dictionary<string, (long, ConfiguredPlugin?)>(StringComparer.Ordinal);
        void Consider(string name, int? weight, ConfiguredPlugin? origin)
        {
            if (!UpstreamPlugins.Implements(name, ExtensionPoint.Score) || weights.ContainsKey(name)) return;
            weights[name] = (weight is null or 0 ? 1 : weight.Value, origin);
        }
        foreach (var plugin in score.Enabled) Consider(plugin.Name, plugin.Weight, plugin);
        foreach (var entry in merged) Consider(entry.Name, entry.Weight, entry.Origin);
        return weights;
    }
}
