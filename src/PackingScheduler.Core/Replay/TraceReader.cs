using System.Globalization;
using k8s.Models;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Scenarios;
using PackingScheduler.Core.Translation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// Reads a replay trace (docs/packing.md): <c>kind: ReplayTrace</c>, the cluster under
/// <c>nodes</c> (compact groups or Kubernetes Node objects), and either the jobs under
/// <c>pods</c> or a <c>generator</c> spec. Strict like the configuration readers: unknown
/// fields, wrong types and impossible values are errors naming file:line:column and the field.
/// </summary>
public static class TraceReader
{
    public const string Kind = "ReplayTrace";

    public static ReplayTrace ReadFile(string path, ulong? seed = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{path}: cannot read the trace: {e.Message}", e);
        }
        return Read(text, path, seed);
    }

    /// <param name="seed">Replaces the generator's seed (to check a result on other draws of the same workload).</param>
    public static ReplayTrace Read(string yaml, string sourceName, ulong? seed = null)
    {
        YamlNode rootNode;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1)
                throw new ConfigurationException($"{sourceName}: expected one YAML document, found {stream.Documents.Count}");
            rootNode = stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            throw new ConfigurationException($"{sourceName}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.Message}", e);
        }
        var root = new YamlConfigObject(sourceName, "", rootNode);
        root.CheckFields("kind", "nodes", "pods", "measure", "generator");
        string? kind = root.String("kind");
        if (kind != Kind)
            throw root.Error(root.Get("kind") ?? rootNode, "kind", kind is null ? $"required: {Kind}" : $"expected {ConfigErrors.Quoted(Kind)}, got {ConfigErrors.Quoted(kind)}");

        List<V1Node> nodes = ReadNodes(root);
        var generator = root.Object("generator");
        var pods = root.List("pods");
        if ((generator is null) == (pods is null))
            throw root.Error(rootNode, generator is null ? "pods" : "generator", "give either pods (an explicit trace) or generator (a generated one), not both or neither");

        if (generator is not null)
        {
            if (root.Get("measure") is { } m)
                throw root.Error(m, "measure", "a generated trace measures from warmup to warmup + measure; set those under generator");
            GeneratorSpec spec = ReadGenerator(generator);
            if (seed is { } s) spec = spec with { Seed = s };
            return TraceGenerator.Generate(spec, nodes, new SplitMix64Random(spec.Seed));
        }
        return ReadExplicit(root, pods!, nodes);
    }

    // ---- nodes ----

    private static List<V1Node> ReadNodes(YamlConfigObject root)
    {
        var items = root.List("nodes");
        if (items is null or { Count: 0 })
            throw root.Error(root.Node, "nodes", "required: at least one node group ({group, count, cpu, memory}) or Node object");
        var nodes = new List<V1Node>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var translator = new ObjectTranslator(new Interner());
        foreach (var (node, path) in items)
        {
            var item = new YamlConfigObject(root.Source, path, node);
            int before = nodes.Count;
            if (item.Get("kind") is not null) nodes.Add(ReadNodeObject(item));
            else NodeObjects.AddGroup(nodes, ReadGroup(item));
            for (int i = before; i < nodes.Count; i++)
            {
                if (!names.Add(nodes[i].Metadata.Name))
                    throw item.Error(node, path, $"node name {ConfigErrors.Quoted(nodes[i].Metadata.Name)} is used twice");
                try
                {
                    translator.TranslateNode(nodes[i]);
                }
                catch (InvalidObjectException e)
                {
                    throw item.Error(node, ConfigErrors.Child(path, e.Field), e.Problem);
                }
            }
        }
        return nodes;
    }

    private static NodeGroup ReadGroup(YamlConfigObject g)
    {
        g.CheckFields("group", "count", "cpu", "memory", "pods");
        string name = g.String("group") is { Length: > 0 } n ? n : throw g.Error(g.Node, g.ChildPath("group"), "required: the group's name (nodes are named GROUP-001, GROUP-002, ...)");
        int count = g.Int32("count") ?? 1;
        if (count < 1) throw g.Error(g.Get("count")!, g.ChildPath("count"), $"{count}: at least 1");
        long cpu = MilliCpu(g, "cpu") ?? throw g.Error(g.Node, g.ChildPath("cpu"), "required: allocatable cores of each node");
        long memory = Bytes(g, "memory") ?? throw g.Error(g.Node, g.ChildPath("memory"), "required: allocatable memory of each node, e.g. 64Gi");
        long pods = g.Int64("pods") ?? 110;
        if (cpu <= 0) throw g.Error(g.Get("cpu")!, g.ChildPath("cpu"), "must be more than 0");
        return new NodeGroup(name, count, cpu, memory, pods);
    }

    private static V1Node ReadNodeObject(YamlConfigObject item)
    {
        if (item.String("kind") != "Node" || item.String("apiVersion") != "v1")
            throw item.Error(item.Node, item.ChildPath("kind"), "a node list item with kind must be a Kubernetes Node (apiVersion: v1, kind: Node)");
        // The scenario loader reads it as simulate does, as strictly as kubectl; it takes text, so
        // the subtree is written back out.
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(item.Node)).Save(writer, assignAnchors: false);
        try
        {
            Scenario scenario = ScenarioLoader.Load(writer.ToString(), item.Path);
            return scenario.Nodes[0].Object;
        }
        catch (ScenarioException e)
        {
            string field = e.FieldPath is { Length: > 0 } f ? ConfigErrors.Child(item.Path, f) : item.Path;
            throw item.Error(item.Node, field, e.Problem);
        }
    }

    // ---- explicit jobs ----

    private static ReplayTrace ReadExplicit(YamlConfigObject root, IReadOnlyList<(YamlNode Node, string Path)> items, List<V1Node> nodes)
    {
        var allocatable = new List<ResourceAmounts>(nodes.Count);
        var translator = new ObjectTranslator(new Interner());
        foreach (V1Node n in nodes)
        {
            NodeInfo node = translator.TranslateNode(n);
            // A node that allows no pod (status.allocatable.pods missing or 0) takes no job.
            if (node.AllowedPodNumber > 0) allocatable.Add(node.Allocatable);
        }
        var classes = new List<string>();
        var pods = new List<(long Arrival, int Line, TracePod Pod)>(items.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            var (node, path) = items[i];
            var p = new YamlConfigObject(root.Source, path, node);
            p.CheckFields("name", "class", "arrival", "duration", "cpu", "memory", "priority");
            string name = p.String("name") ?? $"pod-{i + 1:D4}";
            if (!names.Add(name)) throw p.Error(p.Get("name") ?? node, p.ChildPath("name"), $"{ConfigErrors.Quoted(name)} is used twice");
            long arrival = Seconds(p, "arrival") ?? throw p.Error(node, p.ChildPath("arrival"), "required: when the job arrives, a duration from the trace's start such as 90m");
            long duration = Seconds(p, "duration") ?? throw p.Error(node, p.ChildPath("duration"), "required: how long the job runs once placed, such as 6h");
            if (duration <= 0) throw p.Error(p.Get("duration")!, p.ChildPath("duration"), "must be at least 1s");
            long cpu = MilliCpu(p, "cpu") ?? throw p.Error(node, p.ChildPath("cpu"), "required: cores, such as 1 or 8");
            if (cpu <= 0) throw p.Error(p.Get("cpu")!, p.ChildPath("cpu"), "must be more than 0");
            long memory = Bytes(p, "memory") ?? 0;
            if (!FitsSomewhere(allocatable, cpu, memory))
                throw p.Error(node, path, $"the job ({cpu}m cpu, {memory} bytes) fits on no node even when it is empty (cpu, memory, allocatable pods), so it would wait forever");
            int priority = p.Int32("priority") ?? 0;
            string cls = p.String("class") ?? (cpu % 1000 == 0 ? $"{cpu / 1000}-core" : $"{cpu}m");
            int classId = classes.IndexOf(cls);
            if (classId < 0)
            {
                classId = classes.Count;
                classes.Add(cls);
            }
            pods.Add((arrival, i, new TracePod(name, classId, arrival, duration, cpu, memory, priority)));
        }
        // Arrival order; the file order among equal arrivals (List.Sort is not stable, so the index decides).
        pods.Sort(static (a, b) => a.Arrival != b.Arrival ? a.Arrival.CompareTo(b.Arrival) : a.Line.CompareTo(b.Line));
        var ordered = new TracePod[pods.Count];
        for (int i = 0; i < ordered.Length; i++) ordered[i] = pods[i].Pod;

        long from = 0;
        long? until = null;
        if (root.Object("measure") is { } measure)
        {
            measure.CheckFields("from", "until");
            from = Seconds(measure, "from") ?? 0;
            until = Seconds(measure, "until");
            if (until <= from) throw measure.Error(measure.Get("until")!, measure.ChildPath("until"), "must be after from");
        }
        return new ReplayTrace(nodes, ordered, classes, from, until);
    }

    private static bool FitsSomewhere(List<ResourceAmounts> nodes, long cpu, long memory)
    {
        foreach (ResourceAmounts a in nodes)
        {
            if (a.MilliCpu >= cpu && a.Memory >= memory) return true;
        }
        return false;
    }

    // ---- generator ----

    private static GeneratorSpec ReadGenerator(YamlConfigObject g)
    {
        g.CheckFields("seed", "load", "warmup", "measure", "cooldown", "classes");
        long seed = g.Int64("seed") ?? throw g.Error(g.Node, g.ChildPath("seed"), "required: the random seed (the same seed gives the same trace)");
        if (seed < 0) throw g.Error(g.Get("seed")!, g.ChildPath("seed"), "must be 0 or more");
        double load = g.Double("load") ?? throw g.Error(g.Node, g.ChildPath("load"), "required: offered load, the cpu demanded over the cluster's cpu, e.g. 0.9");
        if (load is <= 0 or > 2) throw g.Error(g.Get("load")!, g.ChildPath("load"), $"{load.ToString(CultureInfo.InvariantCulture)}: must be in (0, 2]");
        long warmup = Seconds(g, "warmup") ?? 0;
        long measure = Seconds(g, "measure") ?? throw g.Error(g.Node, g.ChildPath("measure"), "required: how long the measured window lasts, e.g. 72h");
        if (measure <= 0) throw g.Error(g.Get("measure")!, g.ChildPath("measure"), "must be more than 0s");
        long cooldown = Seconds(g, "cooldown") ?? 0;

        var items = g.List("classes");
        if (items is null or { Count: 0 }) throw g.Error(g.Node, g.ChildPath("classes"), "required: at least one job class");
        var classes = new List<PodClassSpec>();
        double shares = 0;
        foreach (var (node, path) in items)
        {
            var c = new YamlConfigObject(g.Source, path, node);
            c.CheckFields("name", "cpu", "memoryPerCore", "priority", "share", "duration", "batch");
            string name = c.String("name") is { Length: > 0 } n ? n : throw c.Error(node, c.ChildPath("name"), "required");
            if (classes.Exists(x => x.Name == name)) throw c.Error(c.Get("name")!, c.ChildPath("name"), $"{ConfigErrors.Quoted(name)} is used twice");
            List<int> cores = Cores(c);
            long memoryPerCore = Bytes(c, "memoryPerCore") ?? 0;
            double share = c.Double("share") ?? throw c.Error(node, c.ChildPath("share"), "required: the class's share of the offered core-hours");
            if (share < 0) throw c.Error(c.Get("share")!, c.ChildPath("share"), "must be 0 or more");
            shares += share;
            var d = c.Object("duration") ?? throw c.Error(node, c.ChildPath("duration"), "required: {median, sigma, min, max}");
            d.CheckFields("median", "sigma", "min", "max");
            long median = Seconds(d, "median") ?? throw d.Error(d.Node, d.ChildPath("median"), "required");
            double sigma = d.Double("sigma") ?? 0;
            long min = Seconds(d, "min") ?? 1;
            long max = Seconds(d, "max") ?? throw d.Error(d.Node, d.ChildPath("max"), "required: the longest run time (the wall-time limit)");
            if (median <= 0 || min <= 0 || min > max || sigma < 0)
                throw d.Error(d.Node, d.Path, "needs 0 < min ≤ max, median > 0 and sigma ≥ 0");
            double batch = c.Double("batch") ?? 1;
            if (batch < 1) throw c.Error(c.Get("batch")!, c.ChildPath("batch"), "the mean batch size is at least 1");
            classes.Add(new PodClassSpec(name, cores, memoryPerCore, c.Int32("priority") ?? 0, share,
                new DurationDistribution(TimeSpan.FromSeconds(median), sigma, TimeSpan.FromSeconds(min), TimeSpan.FromSeconds(max)), batch));
        }
        if (shares <= 0) throw g.Error(items[0].Node, g.ChildPath("classes"), "the shares add up to 0");
        // Shares are relative: they are scaled to add up to 1.
        for (int i = 0; i < classes.Count; i++) classes[i] = classes[i] with { Share = classes[i].Share / shares };
        return new GeneratorSpec((ulong)seed, load, TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(measure), TimeSpan.FromSeconds(cooldown), classes);
    }

    private static List<int> Cores(YamlConfigObject c)
    {
        var result = new List<int>();
        YamlNode node = c.Get("cpu") ?? throw c.Error(c.Node, c.ChildPath("cpu"), "required: whole cores, or a list of them to choose from uniformly");
        IEnumerable<YamlNode> values = node is YamlSequenceNode seq ? seq.Children : [node];
        foreach (YamlNode v in values)
        {
            if (v is not YamlScalarNode { Value: { } text } || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int cores) || cores < 1)
                throw c.Error(v, c.ChildPath("cpu"), $"expected whole cores (1 or more), got {YamlConfigObject.Describe(v)}");
            result.Add(cores);
        }
        if (result.Count == 0) throw c.Error(node, c.ChildPath("cpu"), "the list is empty");
        return result;
    }

    // ---- scalars ----

    /// <summary>A Go duration ("90m", "1h30m", "0s"), rounded to whole seconds.</summary>
    private static long? Seconds(YamlConfigObject o, string field)
    {
        if (o.Get(field) is not { } node) return null;
        if (node is YamlScalarNode { Value: { } text } && GoDuration.TryParse(text, out TimeSpan d) && d >= TimeSpan.Zero)
            return (long)Math.Round(d.TotalSeconds, MidpointRounding.AwayFromZero);
        throw o.Error(node, o.ChildPath(field), $"expected a duration such as 90s, 15m or 1h30m, got {YamlConfigObject.Describe(node)}");
    }

    /// <summary>cpu as a number of cores (8, 0.5) or a quantity ("500m"), in millicores.</summary>
    private static long? MilliCpu(YamlConfigObject o, string field)
    {
        if (o.Get(field) is not { } node) return null;
        if (node is YamlScalarNode { Value: { } text } && Quantity.TryParseMilli(text, out long milli, out string error))
            return milli;
        throw o.Error(node, o.ChildPath(field), $"expected cores such as 8 or 500m, got {YamlConfigObject.Describe(node)}");
    }

    /// <summary>A memory quantity ("64Gi", "2G", or bytes), in bytes.</summary>
    private static long? Bytes(YamlConfigObject o, string field)
    {
        if (o.Get(field) is not { } node) return null;
        if (node is YamlScalarNode { Value: { } text } && Quantity.TryParseValue(text, out long value, out _))
            return value;
        throw o.Error(node, o.ChildPath(field), $"expected a quantity such as 64Gi, got {YamlConfigObject.Describe(node)}");
    }
}
