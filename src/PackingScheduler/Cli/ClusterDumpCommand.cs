using System.Globalization;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using k8s.Models;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Cli;

/// <summary>
/// `packing-scheduler cluster-dump`: reads what the scheduler sees from a live cluster and writes it
/// as a scenario file (scenarios/FORMAT.md), so that `simulate -f` can replay and `--explain` a
/// pending pod offline. Only what scheduling reads is kept: a dump is small enough to attach to a
/// ticket and carries no environment variables, commands, secrets' volumes or annotations.
/// </summary>
public static class ClusterDumpCommand
{
    /// <summary>The API could not be reached or refused a list: the command ran and failed.</summary>
    public const int ApiFailure = 1;

    private const string NotTerminal = "status.phase!=Succeeded,status.phase!=Failed";
    private const int PageSize = 500;

    private static readonly Dictionary<string, bool> Flags = new()
    {
        ["kubeconfig"] = true,
        ["context"] = true,
        ["output"] = true,
        ["scheduler-name"] = true,
    };

    private static readonly Dictionary<string, string> Aliases = new() { ["o"] = "output" };

    public const string Usage = """
        packing-scheduler cluster-dump [--kubeconfig F] [--context C] [-o FILE] [--scheduler-name N]
          --kubeconfig PATH      kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster)
          --context NAME         kubeconfig context (default: the current one)
          -o, --output FILE      write the scenario here (default: standard output; "-" is standard output)
          --scheduler-name NAME  pending pods to include: those with this spec.schedulerName
                                 (default node-packing-scheduler)

        Writes nodes, the non-terminal pods bound to them, the pending pods of the scheduler,
        PriorityClasses, PodDisruptionBudgets, PersistentVolumes and claims, StorageClasses and
        Namespaces as one scenario file. Replay it with: packing-scheduler simulate -f FILE [--explain NAMESPACE/POD]
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        CommandLine cl = CommandLine.Parse("cluster-dump", args, Flags, Aliases);
        string schedulerName = cl.Get("scheduler-name") ?? SchedulerProfile.DefaultSchedulerName;
        if (schedulerName.Length == 0) throw new UsageException("cluster-dump: --scheduler-name must not be empty");
        string? output = cl.Get("output");

        KubernetesClientConfiguration config;
        try
        {
            string? kubeconfig = cl.Get("kubeconfig");
            string? context = cl.Get("context");
            config = kubeconfig is not null
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, currentContext: context)
                : context is not null
                    ? KubernetesClientConfiguration.BuildConfigFromConfigFile(currentContext: context)
                    : KubernetesClientConfiguration.BuildDefaultConfig();
        }
        catch (Exception e) when (e is KubeConfigException or FileNotFoundException or IOException)
        {
            throw new UsageException($"cluster-dump: cannot configure the Kubernetes client: {e.Message}");
        }

        Snapshot dump;
        using (var client = new k8s.Kubernetes(config))
        {
            try
            {
                dump = await CollectAsync(client, schedulerName, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or KubernetesException)
            {
                string detail = e is HttpOperationException h ? $"{(int?)h.Response?.StatusCode} {h.Response?.ReasonPhrase}: {h.Message}" : e.Message;
                await stderr.WriteLineAsync($"error: cluster-dump: cannot read the cluster at {config.Host}: {detail}").ConfigureAwait(false);
                return ApiFailure;
            }
        }

        string text = Render(dump, config.Host, DateTime.UtcNow);
        if (output is null or "-")
        {
            await stdout.WriteAsync(text).ConfigureAwait(false);
        }
        else
        {
            try
            {
                await File.WriteAllTextAsync(output, text).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cluster-dump: cannot write {output}: {e.Message}");
            }
        }
        foreach (string warning in dump.Warnings) await stderr.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
        await stderr.WriteLineAsync(
            $"cluster-dump: {dump.Nodes.Count} nodes, {dump.BoundPods.Count} running pods, {dump.PendingPods.Count} pending pods for {schedulerName}" +
            (output is null or "-" ? "" : $" written to {output}")).ConfigureAwait(false);
        return Entry.Ok;
    }

    /// <summary>Lists everything a scenario holds and reduces it to what scheduling reads.</summary>
    public static async Task<Snapshot> CollectAsync(IKubernetes client, string schedulerName, CancellationToken cancellationToken)
    {
        var nodes = await ListAllAsync<V1NodeList, V1Node>(
            (c, ct) => client.CoreV1.ListNodeAsync(continueParameter: c, limit: PageSize, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        var pods = await ListAllAsync<V1PodList, V1Pod>(
            (c, ct) => client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: c, fieldSelector: NotTerminal, limit: PageSize, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        var priorityClasses = await ListAllAsync<V1PriorityClassList, V1PriorityClass>(
            (c, ct) => client.SchedulingV1.ListPriorityClassAsync(continueParameter: c, limit: PageSize, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        var volumes = await ListAllAsync<V1PersistentVolumeList, V1PersistentVolume>(
            (c, ct) => client.CoreV1.ListPersistentVolumeAsync(continueParameter: c, limit: PageSize, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        var claims = await ListAllAsync<V1PersistentVolumeClaimList, V1PersistentVolumeClaim>(
            (c, ct) => client.CoreV1.ListPersistentVolumeClaimForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        var storageClasses = await ListAllAsync<V1StorageClassList, V1StorageClass>(
            (c, ct) => client.StorageV1.ListStorageClassAsync(continueParameter: c, limit: PageSize, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        var namespaces = await ListAllAsync<V1NamespaceList, V1Namespace>(
            (c, ct) => client.CoreV1.ListNamespaceAsync(continueParameter: c, limit: PageSize, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        var budgets = await ListAllAsync<V1PodDisruptionBudgetList, V1PodDisruptionBudget>(
            (c, ct) => client.PolicyV1.ListPodDisruptionBudgetForAllNamespacesAsync(continueParameter: c, limit: PageSize, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return Reduce(nodes, pods, priorityClasses, volumes, claims, storageClasses, namespaces, schedulerName, budgets);
    }

    /// <summary>The pure part of <see cref="CollectAsync"/>: selection, order and stripping.</summary>
    public static Snapshot Reduce(
        IEnumerable<V1Node> nodes,
        IEnumerable<V1Pod> pods,
        IEnumerable<V1PriorityClass> priorityClasses,
        IEnumerable<V1PersistentVolume> volumes,
        IEnumerable<V1PersistentVolumeClaim> claims,
        IEnumerable<V1StorageClass> storageClasses,
        IEnumerable<V1Namespace> namespaces,
        string schedulerName,
        IEnumerable<V1PodDisruptionBudget>? budgets = null)
    {
        var warnings = new List<string>();
        List<V1Node> nodeList = nodes.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).Select(StripNode).ToList();
        var nodeNames = nodeList.Select(n => n.Metadata.Name).ToHashSet(StringComparer.Ordinal);

        var bound = new List<V1Pod>();
        var pending = new List<V1Pod>();
        int orphans = 0, otherSchedulers = 0, gated = 0;
        foreach (V1Pod pod in pods)
        {
            // The field selector already drops these; a client that ignores it must not make them count.
            if (pod.Status?.Phase is "Succeeded" or "Failed") continue;
            if (!string.IsNullOrEmpty(pod.Spec?.NodeName))
            {
                // A pod listed after its node was deleted (the lists are not one snapshot) would make the file invalid.
                if (nodeNames.Contains(pod.Spec.NodeName)) bound.Add(pod);
                else orphans++;
            }
            else if ((pod.Spec?.SchedulerName ?? "default-scheduler") != schedulerName)
            {
                otherSchedulers++;
            }
            else if (pod.Spec?.SchedulingGates is { Count: > 0 })
            {
                // Not in the scheduler's active queue; simulate would place it.
                gated++;
            }
            else
            {
                pending.Add(pod);
            }
        }
        if (orphans > 0) warnings.Add($"{orphans} pod(s) bound to nodes that were not listed were left out");
        if (otherSchedulers > 0) warnings.Add($"{otherSchedulers} pending pod(s) of other schedulers were left out");
        if (gated > 0) warnings.Add($"{gated} pending pod(s) with scheduling gates were left out");

        return new Snapshot(
            namespaces.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).Select(StripNamespace).ToList(),
            priorityClasses.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).Select(StripPriorityClass).ToList(),
            storageClasses.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).Select(StripStorageClass).ToList(),
            volumes.OrderBy(v => v.Metadata.Name, StringComparer.Ordinal).Select(StripVolume).ToList(),
            claims.OrderBy(c => c.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(c => c.Metadata.Name, StringComparer.Ordinal).Select(StripClaim).ToList(),
            nodeList,
            bound.OrderBy(p => p.Spec.NodeName, StringComparer.Ordinal).ThenBy(Key, StringComparer.Ordinal).Select(StripPod).ToList(),
            // Simulate keeps file order among equal priorities; the live queue's order is arrival order.
            pending.OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(Key, StringComparer.Ordinal).Select(StripPod).ToList(),
            warnings)
        {
            PodDisruptionBudgets = (budgets ?? [])
                .OrderBy(b => b.Metadata.NamespaceProperty, StringComparer.Ordinal).ThenBy(b => b.Metadata.Name, StringComparer.Ordinal)
                .Select(StripBudget).ToList(),
        };
    }

    /// <summary>The scenario text: a comment header, then one document per object.</summary>
    public static string Render(Snapshot dump, string? server, DateTime takenAt)
    {
        var text = new StringBuilder();
        text.Append("# packing-scheduler cluster-dump of ").Append(server ?? "the cluster").Append(" at ")
            .Append(takenAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"# {dump.Nodes.Count} nodes, {dump.BoundPods.Count} running pods, {dump.PendingPods.Count} pending pods.\n");
        text.Append("# Replay: packing-scheduler simulate -f THIS_FILE [--explain NAMESPACE/POD]\n");
        foreach (object obj in dump.Objects)
        {
            text.Append("---\n");
            string yaml = KubernetesYaml.Serialize(obj);
            text.Append(yaml);
            if (!yaml.EndsWith('\n')) text.Append('\n');
        }
        return text.ToString();
    }

    private static string Key(V1Pod p) => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}";

    private static async Task<List<T>> ListAllAsync<TList, T>(Func<string?, CancellationToken, Task<TList>> list, CancellationToken cancellationToken)
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        var items = new List<T>();
        string? next = null;
        do
        {
            TList page = await list(next, cancellationToken).ConfigureAwait(false);
            if (page.Items is not null) items.AddRange(page.Items);
            next = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));
        return items;
    }

    private static V1ObjectMeta Meta(V1ObjectMeta meta, bool namespaced) => new()
    {
        Name = meta.Name,
        NamespaceProperty = namespaced ? meta.NamespaceProperty : null,
        Labels = meta.Labels is { Count: > 0 } ? new Dictionary<string, string>(meta.Labels) : null,
    };

    private static V1Node StripNode(V1Node node) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = Meta(node.Metadata, namespaced: false),
        Spec = node.Spec is { } spec && (spec.Unschedulable == true || spec.Taints is { Count: > 0 })
            ? new V1NodeSpec
            {
                Unschedulable = spec.Unschedulable == true ? true : null,
                Taints = spec.Taints is { Count: > 0 } ? spec.Taints.Select(t => new V1Taint { Key = t.Key, Value = t.Value, Effect = t.Effect }).ToList() : null,
            }
            : null,
        // Allocatable is what the scheduler reads; capacity only stands in when a node reports no allocatable.
        Status = new V1NodeStatus
        {
            Allocatable = node.Status?.Allocatable,
            Capacity = node.Status?.Allocatable is null ? node.Status?.Capacity : null,
        },
    };

    private static V1Pod StripPod(V1Pod pod)
    {
        V1PodSpec s = pod.Spec;
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = Meta(pod.Metadata, namespaced: true),
            Spec = new V1PodSpec
            {
                NodeName = string.IsNullOrEmpty(s.NodeName) ? null : s.NodeName,
                SchedulerName = s.SchedulerName,
                Priority = s.Priority,
                PriorityClassName = s.PriorityClassName,
                PreemptionPolicy = s.PreemptionPolicy,
                NodeSelector = s.NodeSelector is { Count: > 0 } ? s.NodeSelector : null,
                Affinity = s.Affinity,
                Tolerations = s.Tolerations is { Count: > 0 } ? s.Tolerations : null,
                TopologySpreadConstraints = s.TopologySpreadConstraints is { Count: > 0 } ? s.TopologySpreadConstraints : null,
                HostNetwork = s.HostNetwork == true ? true : null,
                Overhead = s.Overhead is { Count: > 0 } ? s.Overhead : null,
                Resources = s.Resources is { } r && (r.Requests is { Count: > 0 } || r.Limits is { Count: > 0 })
                    ? new V1ResourceRequirements { Requests = r.Requests, Limits = r.Limits }
                    : null,
                Containers = s.Containers.Select(c => StripContainer(c, init: false)).ToList(),
                InitContainers = s.InitContainers is { Count: > 0 } ? s.InitContainers.Select(c => StripContainer(c, init: true)).ToList() : null,
                Volumes = StripVolumes(s.Volumes),
            },
            // Preemption reads these: start times order victims; a nomination is tried first.
            Status = pod.Status is { } st && (st.StartTime is not null || !string.IsNullOrEmpty(st.NominatedNodeName))
                ? new V1PodStatus { StartTime = st.StartTime, NominatedNodeName = string.IsNullOrEmpty(st.NominatedNodeName) ? null : st.NominatedNodeName }
                : null,
        };
    }

    /// <summary>A budget as preemption reads it: selector and bounds, and the controller's status as it is.</summary>
    private static V1PodDisruptionBudget StripBudget(V1PodDisruptionBudget b) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = b.Metadata.Name, NamespaceProperty = b.Metadata.NamespaceProperty },
        Spec = new V1PodDisruptionBudgetSpec { Selector = b.Spec?.Selector, MinAvailable = b.Spec?.MinAvailable, MaxUnavailable = b.Spec?.MaxUnavailable },
        Status = new V1PodDisruptionBudgetStatus
        {
            DisruptionsAllowed = b.Status?.DisruptionsAllowed ?? 0,
            CurrentHealthy = b.Status?.CurrentHealthy ?? 0,
            DesiredHealthy = b.Status?.DesiredHealthy ?? 0,
            ExpectedPods = b.Status?.ExpectedPods ?? 0,
            DisruptedPods = b.Status?.DisruptedPods is { Count: > 0 } d ? d : null,
        },
    };

    private static V1Container StripContainer(V1Container c, bool init) => new()
    {
        Name = c.Name,
        Image = c.Image,
        // Sidecars (init containers with restartPolicy Always) count differently in the pod's requests.
        RestartPolicy = init ? c.RestartPolicy : null,
        Resources = c.Resources is { } r && (r.Requests is { Count: > 0 } || r.Limits is { Count: > 0 })
            ? new V1ResourceRequirements { Requests = r.Requests, Limits = r.Limits }
            : null,
        Ports = c.Ports?.Where(p => p.HostPort is > 0).ToList() is { Count: > 0 } hostPorts ? hostPorts : null,
    };

    /// <summary>Only the volumes a predicate reads: disks that conflict, and claims that carry a zone.</summary>
    private static List<V1Volume>? StripVolumes(IList<V1Volume>? volumes)
    {
        List<V1Volume>? kept = volumes?
            .Where(v => v.PersistentVolumeClaim is not null || v.GcePersistentDisk is not null || v.AwsElasticBlockStore is not null
                        || v.Iscsi is not null || v.Rbd is not null)
            .ToList();
        return kept is { Count: > 0 } ? kept : null;
    }

    private static V1PriorityClass StripPriorityClass(V1PriorityClass pc) => new()
    {
        ApiVersion = "scheduling.k8s.io/v1",
        Kind = "PriorityClass",
        Metadata = Meta(pc.Metadata, namespaced: false),
        Value = pc.Value,
        GlobalDefault = pc.GlobalDefault == true ? true : null,
        PreemptionPolicy = pc.PreemptionPolicy,
    };

    private static V1PersistentVolume StripVolume(V1PersistentVolume pv) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolume",
        Metadata = Meta(pv.Metadata, namespaced: false),
        Spec = pv.Spec,
    };

    private static V1PersistentVolumeClaim StripClaim(V1PersistentVolumeClaim pvc) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = Meta(pvc.Metadata, namespaced: true),
        Spec = pvc.Spec,
    };

    private static V1StorageClass StripStorageClass(V1StorageClass sc) => new()
    {
        ApiVersion = "storage.k8s.io/v1",
        Kind = "StorageClass",
        Metadata = Meta(sc.Metadata, namespaced: false),
        Provisioner = sc.Provisioner,
        VolumeBindingMode = sc.VolumeBindingMode,
        AllowedTopologies = sc.AllowedTopologies,
    };

    private static V1Namespace StripNamespace(V1Namespace ns) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = Meta(ns.Metadata, namespaced: false),
    };

    /// <summary>A cluster reduced to a scenario, each list in the order it is written.</summary>
    public sealed record Snapshot(
        IReadOnlyList<V1Namespace> Namespaces,
        IReadOnlyList<V1PriorityClass> PriorityClasses,
        IReadOnlyList<V1StorageClass> StorageClasses,
        IReadOnlyList<V1PersistentVolume> PersistentVolumes,
        IReadOnlyList<V1PersistentVolumeClaim> PersistentVolumeClaims,
        IReadOnlyList<V1Node> Nodes,
        IReadOnlyList<V1Pod> BoundPods,
        IReadOnlyList<V1Pod> PendingPods,
        IReadOnlyList<string> Warnings)
    {
        public IReadOnlyList<V1PodDisruptionBudget> PodDisruptionBudgets { get; init; } = [];

        /// <summary>Definitions first (what pods refer to), then nodes, running pods, pending pods, budgets.</summary>
        public IEnumerable<object> Objects =>
            Namespaces.Cast<object>().Concat(PriorityClasses).Concat(StorageClasses).Concat(PersistentVolumes)
                .Concat(PersistentVolumeClaims).Concat(Nodes).Concat(BoundPods).Concat(PendingPods).Concat(PodDisruptionBudgets);
    }
}
