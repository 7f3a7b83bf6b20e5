using k8s;
using k8s.Models;
using YamlDotNet.Core;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// Collects a scenario's objects in file order and checks what only the whole file can tell:
/// duplicate objects and bound pods whose node is missing.
/// </summary>
internal sealed class ScenarioBuilder(string sourceName)
{
    private readonly List<ScenarioObject<V1Node>> nodes = [];
    private readonly List<ScenarioObject<V1Pod>> pods = [];
    private readonly List<ScenarioObject<V1PriorityClass>> priorityClasses = [];
    private readonly List<ScenarioObject<V1PersistentVolume>> persistentVolumes = [];
    private readonly List<ScenarioObject<V1PersistentVolumeClaim>> persistentVolumeClaims = [];
    private readonly List<ScenarioObject<V1StorageClass>> storageClasses = [];
    private readonly List<ScenarioObject<V1Namespace>> namespaces = [];
    private readonly List<ScenarioObject<V1PodDisruptionBudget>> budgets = [];

    // kind, namespace ("" when cluster-scoped), name → the document that defined it.
    private readonly Dictionary<(string Kind, string Namespace, string Name), int> defined = [];

    // Bound pods, with where their spec.nodeName is, to check once all nodes are known.
    private readonly List<(ScenarioObject<V1Pod> Pod, DocumentContext Context, Mark At)> boundPods = [];

    public void Add(LoadedDocument document)
    {
        IKubernetesObject<V1ObjectMeta> obj = document.Object;
        var key = (obj.Kind, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name);
        if (defined.TryGetValue(key, out int first))
        {
            throw document.Context.Error("metadata.name",
                $"{document.Context.Description} is already defined by document {first}",
                (int)document.NameAt.Line, (int)document.NameAt.Column);
        }
        defined.Add(key, document.Context.Index);

        int index = document.Context.Index;
        int line = document.Line;
        switch (obj)
        {
            case V1Node node:
                nodes.Add(new(index, line, node));
                break;
            case V1Pod pod:
                var entry = new ScenarioObject<V1Pod>(index, line, pod);
                pods.Add(entry);
                if (!string.IsNullOrEmpty(pod.Spec.NodeName))
                    boundPods.Add((entry, document.Context, document.NodeNameAt ?? document.NameAt));
                break;
            case V1PriorityClass priorityClass:
                priorityClasses.Add(new(index, line, priorityClass));
                break;
            case V1PersistentVolume persistentVolume:
                persistentVolumes.Add(new(index, line, persistentVolume));
                break;
            case V1PersistentVolumeClaim claim:
                persistentVolumeClaims.Add(new(index, line, claim));
                break;
            case V1StorageClass storageClass:
                storageClasses.Add(new(index, line, storageClass));
                break;
            case V1Namespace ns:
                namespaces.Add(new(index, line, ns));
                break;
            case V1PodDisruptionBudget budget:
                budgets.Add(new(index, line, budget));
                break;
            default:
                throw new InvalidOperationException($"{obj.GetType().Name} is in SupportedKind.All but not collected");
        }
    }

    public Scenario Build()
    {
        var nodeNames = nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach ((ScenarioObject<V1Pod> pod, DocumentContext context, Mark at) in boundPods)
        {
            if (!nodeNames.Contains(pod.Object.Spec.NodeName))
            {
                throw context.Error("spec.nodeName",
                    $"node '{pod.Object.Spec.NodeName}' is not defined in the scenario (a pod with spec.nodeName runs on a Node of the file)",
                    (int)at.Line, (int)at.Column);
            }
        }
        return new Scenario(sourceName, nodes, pods, priorityClasses, persistentVolumes, persistentVolumeClaims, storageClasses, namespaces, budgets);
    }
}
