using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// Reads a scenario file: multi-document YAML of Kubernetes objects (see FORMAT.md). Every
/// document is checked in file order, structure first and then as a typed object, and the first
/// problem is thrown as a <see cref="ScenarioException"/> naming the document, object and field.
/// </summary>
public static class ScenarioLoader
{
    private const string DefaultNamespace = "default";

    public static Scenario LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException(path, null, null, null, $"cannot read the file: {e.Message}", innerException: e);
        }
        return Load(text, path);
    }

    /// <param name="sourceName">How error messages name the text, usually its file name.</param>
    public static Scenario Load(string yamlText, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(sourceName);
        // File.ReadAllText drops a byte order mark; text from elsewhere (stdin) may still have one,
        // and YamlDotNet would make it part of the first key.
        if (yamlText.StartsWith('\uFEFF'))
            yamlText = yamlText[1..];
        var builder = new ScenarioBuilder(sourceName);
        var splitter = new DocumentSplitter(yamlText, sourceName);
        while (splitter.Next() is { } document)
            builder.Add(LoadDocument(document, sourceName));
        return builder.Build();
    }

    private static LoadedDocument LoadDocument(RawDocument document, string sourceName)
    {
        var context = new DocumentContext(sourceName, document.Index);
        YamlNode root = LoadTree(document, context);
        if (root is not YamlMappingNode mapping)
            throw context.Error(null, $"expected a Kubernetes object (a mapping with apiVersion, kind and metadata), got {(root is YamlSequenceNode ? "a list" : "a single value")}", root);

        // Name what we can before the checks that may fail: the kind, the name, or both.
        string? peekedKind = PeekString(mapping, "kind");
        string? peekedName = TryGet(mapping, "metadata", out YamlNode? peekedMetadata) && peekedMetadata is YamlMappingNode metadataMap
            ? PeekString(metadataMap, "name")
            : null;
        context.Description = string.Join(" ", new[] { peekedKind, peekedName }.Where(s => s is not null));

        string apiVersion = RequireTopLevelString(mapping, "apiVersion", context);
        string kindName = RequireTopLevelString(mapping, "kind", context);
        SupportedKind kind = FindKind(mapping, apiVersion, kindName, context);
        context.Description = kind.Kind;

        (string name, Mark nameAt) = RequireName(mapping, context);
        string? ns = kind.Namespaced ? ReadNamespace(mapping) ?? DefaultNamespace : null;
        context.Description = ns is null ? $"{kind.Kind} {name}" : $"{kind.Kind} {ns}/{name}";

        ModelShapeValidator.Validate(mapping, kind.ModelType, context);
        Mark? nodeNameAt = null;
        if (kind.ModelType == typeof(V1Pod))
            nodeNameAt = RequireContainers(mapping, context);

        IKubernetesObject<V1ObjectMeta> obj = Deserialize(document, kind, context);
        // As the API server stores them: namespaced objects always have one, cluster-scoped never.
        obj.Metadata.NamespaceProperty = ns;
        if (obj is V1Pod pod)
            PodDefaults.Apply(pod);
        return new LoadedDocument(context, document.Line, obj, nameAt, nodeNameAt);
    }

    private static YamlNode LoadTree(RawDocument document, DocumentContext context)
    {
        try
        {
            // MergingParser as in KubernetesYaml, so that `<<: *anchor` is checked as it will be read.
            var stream = new YamlStream();
            stream.Load(new MergingParser(new EventReplayParser(document.Events)));
            return stream.Documents[0].RootNode;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not only YamlException: the MergingParser throws KeyNotFoundException for `<<: *undefined`.
            throw context.FromYamlFailure(e, "invalid YAML: ", 0, document.Line);
        }
    }

    private static string RequireTopLevelString(YamlMappingNode root, string field, DocumentContext context)
    {
        if (!TryGet(root, field, out YamlNode? node))
            throw context.Error(field, "is missing (every document needs apiVersion and kind)", root);
        if (node is YamlScalarNode scalar && KubectlScalars.Resolve(scalar) == PlainScalarKind.String && !string.IsNullOrEmpty(scalar.Value))
            return scalar.Value;
        throw context.Error(field, "expected a non-empty string", node);
    }

    private static SupportedKind FindKind(YamlMappingNode root, string apiVersion, string kind, DocumentContext context)
    {
        SupportedKind? match = SupportedKind.All.FirstOrDefault(k => k.Kind == kind && k.ApiVersion == apiVersion);
        if (match is not null)
            return match;
        SupportedKind? sameKind = SupportedKind.All.FirstOrDefault(k => k.Kind == kind);
        if (sameKind is not null)
        {
            throw context.Error("apiVersion", $"{kind} must have apiVersion {sameKind.ApiVersion}, not '{apiVersion}'", root.Children[new YamlScalarNode("apiVersion")]);
        }
        throw context.Error("kind", $"{kind} ({apiVersion}) is not supported; a scenario may contain {SupportedKind.Listing}", root.Children[new YamlScalarNode("kind")]);
    }

    private static string? PeekString(YamlMappingNode map, string key)
        => TryGet(map, key, out YamlNode? node)
           && node is YamlScalarNode { Value: { Length: > 0 } value } scalar
           && KubectlScalars.Resolve(scalar) == PlainScalarKind.String
            ? value
            : null;

    private static (string Name, Mark At) RequireName(YamlMappingNode root, DocumentContext context)
    {
        if (!TryGet(root, "metadata", out YamlNode? metadata))
            throw context.Error("metadata.name", "is missing (every object needs a name)", root);
        if (metadata is not YamlMappingNode metadataMap)
            throw context.Error("metadata", "expected a mapping with at least a name", metadata);
        if (!TryGet(metadataMap, "name", out YamlNode? nameNode))
        {
            string hint = TryGet(metadataMap, "generateName", out _)
                ? " (generateName is not supported: a scenario needs fixed names to report placements)"
                : " (every object needs a name)";
            throw context.Error("metadata.name", "is missing" + hint, metadataMap);
        }
        if (nameNode is not YamlScalarNode name || KubectlScalars.Resolve(name) != PlainScalarKind.String)
            throw context.Error("metadata.name", "expected a string (quote names that look like numbers or booleans)", nameNode);
        if (string.IsNullOrEmpty(name.Value))
            throw context.Error("metadata.name", "is empty", nameNode);
        return (name.Value, nameNode.Start);
    }

    // The shape validator reports a namespace of the wrong type; here only a usable value matters.
    private static string? ReadNamespace(YamlMappingNode root)
        => TryGet(root, "metadata", out YamlNode? metadata) && metadata is YamlMappingNode map
            ? PeekString(map, "namespace")
            : null;

    /// <summary>A pod needs spec.containers (the API server rejects one without); returns where spec.nodeName is, if set.</summary>
    private static Mark? RequireContainers(YamlMappingNode root, DocumentContext context)
    {
        if (!TryGet(root, "spec", out YamlNode? spec) || spec is not YamlMappingNode specMap)
            throw context.Error("spec.containers", "is missing (a pod needs at least one container)", spec ?? root);
        if (!TryGet(specMap, "containers", out YamlNode? containers) || containers is not YamlSequenceNode { Children.Count: > 0 })
            throw context.Error("spec.containers", "is missing or empty (a pod needs at least one container)", containers ?? specMap);
        return TryGet(specMap, "nodeName", out YamlNode? nodeName) ? nodeName.Start : null;
    }

    private static IKubernetesObject<V1ObjectMeta> Deserialize(RawDocument document, SupportedKind kind, DocumentContext context)
    {
        try
        {
            return kind.Deserialize(document.Text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The shape check should have caught this; if not, at least say where. Whatever the
            // third-party reader throws here is a problem with this document, not a crash.
            throw context.FromYamlFailure(e, "cannot read the object: ", document.TextStartLine - 1, document.Line);
        }
    }

    private static bool TryGet(YamlMappingNode map, string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out YamlNode? value)
    {
        // A null value is the same as a missing field.
        if (map.Children.TryGetValue(new YamlScalarNode(key), out value)
            && !(value is YamlScalarNode scalar && KubectlScalars.Resolve(scalar) == PlainScalarKind.Null))
            return true;
        value = null;
        return false;
    }
}
