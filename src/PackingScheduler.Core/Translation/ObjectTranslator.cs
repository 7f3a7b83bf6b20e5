using k8s.Models;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Translation;

/// <summary>
/// Translates KubernetesClient objects into the engine's compiled model, once, on arrival.
/// Validates what the API server would validate and what the engine depends on; anything
/// it cannot use is an <see cref="InvalidObjectException"/> naming the field.
/// </summary>
public sealed class ObjectTranslator
{
    private const string BindAllHostIp = "0.0.0.0";
    private const string MetadataNameField = "metadata.name";

    private readonly Interner _interner;
    private readonly int _bindAll;
    private readonly int _tcp;

    public ObjectTranslator(Interner interner)
    {
        _interner = interner;
        _bindAll = interner.Intern(BindAllHostIp);
        _tcp = interner.Intern("TCP");
    }

    public Interner Interner => _interner;

    // ---- Nodes ----

    public NodeInfo TranslateNode(V1Node node)
    {
        string name = node.Metadata?.Name ?? throw new InvalidObjectException("metadata.name", "missing");
        var info = new NodeInfo(name, _interner.Intern(name))
        {
            Labels = LabelSet.From(node.Metadata.Labels, _interner),
            Unschedulable = node.Spec?.Unschedulable == true,
            Taints = TranslateTaints(node.Spec?.Taints),
        };
        IDictionary<string, ResourceQuantity>? source = node.Status?.Allocatable;
        string path = "status.allocatable";
        if (source is null || source.Count == 0)
        {
            source = node.Status?.Capacity;
            path = "status.capacity";
        }
        long pods = 0;
        info.Allocatable = TranslateResources(source, path, forNode: true, ref pods);
        info.AllowedPodNumber = pods;
        return info;
    }

    private Taint[] TranslateTaints(IList<V1Taint>? taints)
    {
        if (taints is null || taints.Count == 0) return Array.Empty<Taint>();
        var result = new Taint[taints.Count];
        for (int i = 0; i < taints.Count; i++)
        {
            V1Taint t = taints[i];
            string at = $"spec.taints[{i}]";
            if (string.IsNullOrEmpty(t.Key)) throw new InvalidObjectException(at + ".key", "required");
            TaintEffect effect = ParseEffect(t.Effect, at + ".effect", allowEmpty: false);
            result[i] = new Taint(_interner.Intern(t.Key), _interner.Intern(t.Value ?? string.Empty), effect);
        }
        return result;
    }

    private static TaintEffect ParseEffect(string? effect, string field, bool allowEmpty) => effect switch
    {
        "NoSchedule" => TaintEffect.NoSchedule,
        "PreferNoSchedule" => TaintEffect.PreferNoSchedule,
        "NoExecute" => TaintEffect.NoExecute,
        null or "" when allowEmpty => TaintEffect.None,
        null or "" => throw new InvalidObjectException(field, "required; one of NoSchedule, PreferNoSchedule, NoExecute"),
        _ => throw new InvalidObjectException(field, $"unsupported value \"{effect}\"; one of NoSchedule, PreferNoSchedule, NoExecute"),
    };

    // ---- Volumes ----

    /// <summary>A claim's storage class: spec.storageClassName, else the beta annotation older claims carry.</summary>
    public static ClaimInfo TranslateClaim(V1PersistentVolumeClaim claim)
    {
        string? className = claim.Spec?.StorageClassName;
        if (className is null && claim.Metadata.Annotations?.TryGetValue("volume.beta.kubernetes.io/storage-class", out string? a) == true)
            className = a;
        return new ClaimInfo(claim.Metadata.NamespaceProperty ?? "default", claim.Metadata.Name, claim.Spec?.VolumeName, className);
    }

    public static VolumeInfo TranslateVolume(V1PersistentVolume pv) =>
        new(pv.Metadata.Name, new Dictionary<string, string>(pv.Metadata.Labels ?? new Dictionary<string, string>()));

    public static StorageClassInfo TranslateStorageClass(V1StorageClass sc) => new(sc.Metadata.Name, sc.VolumeBindingMode);

    // ---- PodDisruptionBudgets ----

    /// <summary>
    /// Compiles a PodDisruptionBudget. With a status (as the disruption controller keeps it in a
    /// cluster), status.disruptionsAllowed and status.disruptedPods are used as they are. Without
    /// one (a hand-written scenario), they are computed as the controller would with every
    /// selected bound pod healthy and the selected pods as the expected count: minAvailable N →
    /// healthy − N; maxUnavailable N → healthy − (expected − N); percentages of expected, rounded
    /// up; neither → no limit. <paramref name="pods"/> are the pods that count (bound ones only are used).
    /// </summary>
    public DisruptionBudget TranslateDisruptionBudget(V1PodDisruptionBudget pdb, IEnumerable<V1Pod> pods)
    {
        V1ObjectMeta meta = pdb.Metadata ?? throw new InvalidObjectException("metadata", "missing");
        if (string.IsNullOrEmpty(meta.Name)) throw new InvalidObjectException("metadata.name", "missing");
        string ns = string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty;
        V1PodDisruptionBudgetSpec spec = pdb.Spec ?? new V1PodDisruptionBudgetSpec();
        LabelSelector selector = CompileLabelSelector(spec.Selector, "spec.selector");
        if (pdb.Status is { } status)
        {
            return new DisruptionBudget
            {
                Namespace = ns,
                Name = meta.Name,
                Selector = selector,
                DisruptionsAllowed = status.DisruptionsAllowed ?? 0,
                DisruptedPods = new HashSet<string>(status.DisruptedPods?.Keys ?? Enumerable.Empty<string>(), StringComparer.Ordinal),
            };
        }
        if (spec.MinAvailable is not null && spec.MaxUnavailable is not null)
            throw new InvalidObjectException("spec", "minAvailable and maxUnavailable cannot be both set");

        // The controller counts the pods in the namespace its selector picks ({} picks all of them).
        int healthy = 0;
        foreach (V1Pod p in pods)
        {
            string podNs = string.IsNullOrEmpty(p.Metadata?.NamespaceProperty) ? "default" : p.Metadata.NamespaceProperty;
            if (podNs != ns || string.IsNullOrEmpty(p.Spec?.NodeName) || p.Metadata?.DeletionTimestamp is not null) continue;
            if (selector.MatchesNothing) continue;
            if (selector.IsEverything || selector.Matches(LabelSet.From(p.Metadata?.Labels, _interner), _interner)) healthy++;
        }
        int expected = healthy;
        int allowed;
        if (spec.MinAvailable is { } min)
            allowed = healthy - Scaled(min, expected, "spec.minAvailable");
        else if (spec.MaxUnavailable is { } max)
            allowed = healthy - (expected - Scaled(max, expected, "spec.maxUnavailable"));
        else
            allowed = healthy;
        return new DisruptionBudget { Namespace = ns, Name = meta.Name, Selector = selector, DisruptionsAllowed = Math.Max(0, allowed) };
    }

    /// <summary>intstr.GetScaledValueFromIntOrPercent with rounding up: an integer as it is, "N%" of <paramref name="total"/>.</summary>
    private static int Scaled(IntOrString value, int total, string field)
    {
        string text = value.Value ?? string.Empty;
        if (!text.EndsWith('%'))
        {
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)) return n;
            throw new InvalidObjectException(field, $"\"{text}\" is neither a non-negative integer nor a percentage like \"50%\"");
        }
        if (!int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pct) || pct > 100)
            throw new InvalidObjectException(field, $"\"{text}\" is not a percentage between 0% and 100%");
        return (int)Math.Ceiling(pct * (double)total / 100);
    }

    // ---- Pods ----

    /// <summary>Compiles a pod. <paramref name="priority"/> comes from <see cref="PriorityResolver"/>.</summary>
    public PodInfo TranslatePod(V1Pod pod, int priority = 0, bool preemptionNever = false, long order = 0)
    {
        V1ObjectMeta meta = pod.Metadata ?? throw new InvalidObjectException("metadata", "missing");
        if (string.IsNullOrEmpty(meta.Name)) throw new InvalidObjectException("metadata.name", "missing");
        V1PodSpec spec = pod.Spec ?? throw new InvalidObjectException("spec", "missing");
        if (spec.Containers is null || spec.Containers.Count == 0)
            throw new InvalidObjectException("spec.containers", "a pod needs at least one container");
        string ns = string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty;
        int nsId = _interner.Intern(ns);
        LabelSet labels = LabelSet.From(meta.Labels, _interner);

        (ResourceAmounts request, long nonZeroCpu, long nonZeroMem) = ComputeRequests(spec);

        V1Affinity? affinity = spec.Affinity;
        return new PodInfo
        {
            Name = meta.Name,
            NamespaceName = ns,
            Namespace = nsId,
            Uid = meta.Uid,
            Labels = labels,
            SchedulerName = string.IsNullOrEmpty(spec.SchedulerName) ? "default-scheduler" : spec.SchedulerName,
            Priority = priority,
            PreemptionNever = preemptionNever,
            Order = order,
            NodeName = string.IsNullOrEmpty(spec.NodeName) ? null : spec.NodeName,
            NominatedNodeName = string.IsNullOrEmpty(pod.Status?.NominatedNodeName) ? null : pod.Status.NominatedNodeName,
            StartTimeTicks = pod.Status?.StartTime is { } started ? started.ToUniversalTime().Ticks : null,
            Terminating = meta.DeletionTimestamp is not null,
            TerminatingByPreemption = meta.DeletionTimestamp is not null && PreemptedByScheduler(pod.Status),
            Request = request,
            NonZeroMilliCpu = nonZeroCpu,
            NonZeroMemory = nonZeroMem,
            Tolerations = TranslateTolerations(spec.Tolerations),
            RequiredNodeAffinity = TranslateRequiredNodeAffinity(spec.NodeSelector, affinity?.NodeAffinity),
            PreferredNodeAffinity = TranslatePreferredNodeAffinity(affinity?.NodeAffinity),
            HostPorts = TranslateHostPorts(spec),
            DiskVolumes = TranslateDiskVolumes(spec.Volumes),
            ClaimNames = TranslateClaims(spec.Volumes),
            RequiredAffinityTerms = TranslateTerms(affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution,
                "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution", nsId, meta.Labels),
            RequiredAntiAffinityTerms = TranslateTerms(affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution,
                "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution", nsId, meta.Labels),
            PreferredAffinityTerms = TranslateWeightedTerms(affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution,
                "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution", nsId, meta.Labels),
            PreferredAntiAffinityTerms = TranslateWeightedTerms(affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution,
                "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution", nsId, meta.Labels),
        };
    }

    /// <summary>The DisruptionTarget condition a scheduler writes on a victim before deleting it.</summary>
    private static bool PreemptedByScheduler(V1PodStatus? status)
    {
        if (status?.Conditions is null) return false;
        foreach (V1PodCondition c in status.Conditions)
        {
            if (c.Type == "DisruptionTarget") return c.Status == "True" && c.Reason == "PreemptionByScheduler";
        }
        return false;
    }

    /// <summary>
    /// Upstream's PodRequests: app containers summed; each init container (plus the sidecars
    /// started before it) against that sum, element-wise max; sidecars (restartPolicy Always)
    /// added to the sum; then overhead. The non-zero variant gives containers with no cpu or
    /// memory request upstream's defaults, as the scores use it.
    /// </summary>
    private (ResourceAmounts Request, long NonZeroCpu, long NonZeroMem) ComputeRequests(V1PodSpec spec)
    {
        ResourceAmounts sum = default;
        long nzCpu = 0, nzMem = 0;
        for (int i = 0; i < spec.Containers.Count; i++)
        {
            (ResourceAmounts r, bool hasCpu, bool hasMem) = ContainerRequests(spec.Containers[i], $"spec.containers[{i}]");
            sum = sum.Add(r);
            nzCpu += hasCpu ? r.MilliCpu : ResourceNames.DefaultMilliCpuRequest;
            nzMem += hasMem ? r.Memory : ResourceNames.DefaultMemoryRequest;
        }
        if (spec.InitContainers is { Count: > 0 } inits)
        {
            ResourceAmounts sidecars = default, initMax = default;
            long sideCpu = 0, sideMem = 0, initMaxCpu = 0, initMaxMem = 0;
            for (int i = 0; i < inits.Count; i++)
            {
                (ResourceAmounts r, bool hasCpu, bool hasMem) = ContainerRequests(inits[i], $"spec.initContainers[{i}]");
                long c = hasCpu ? r.MilliCpu : ResourceNames.DefaultMilliCpuRequest;
                long m = hasMem ? r.Memory : ResourceNames.DefaultMemoryRequest;
                if (inits[i].RestartPolicy == "Always")
                {
                    sum = sum.Add(r);
                    nzCpu += c;
                    nzMem += m;
                    sidecars = sidecars.Add(r);
                    sideCpu += c;
                    sideMem += m;
                    initMax = initMax.Max(sidecars);
                    initMaxCpu = Math.Max(initMaxCpu, sideCpu);
                    initMaxMem = Math.Max(initMaxMem, sideMem);
                }
                else
                {
                    initMax = initMax.Max(r.Add(sidecars));
                    initMaxCpu = Math.Max(initMaxCpu, c + sideCpu);
                    initMaxMem = Math.Max(initMaxMem, m + sideMem);
                }
            }
            sum = sum.Max(initMax);
            nzCpu = Math.Max(nzCpu, initMaxCpu);
            nzMem = Math.Max(nzMem, initMaxMem);
        }
        if (spec.Overhead is { Count: > 0 } overhead)
        {
            long ignored = 0;
            ResourceAmounts o = TranslateResources(overhead, "spec.overhead", forNode: false, ref ignored);
            sum = sum.Add(o);
            nzCpu += o.MilliCpu;
            nzMem += o.Memory;
        }
        return (sum, nzCpu, nzMem);
    }

    /// <summary>A container's requests after API defaulting: a resource with a limit and no request requests the limit.</summary>
    private (ResourceAmounts Request, bool HasCpu, bool HasMemory) ContainerRequests(V1Container c, string path)
    {
        IDictionary<string, ResourceQuantity>? requests = c.Resources?.Requests;
        IDictionary<string, ResourceQuantity>? limits = c.Resources?.Limits;
        Dictionary<string, ResourceQuantity>? merged = null;
        if (limits is { Count: > 0 })
        {
            foreach (KeyValuePair<string, ResourceQuantity> kv in limits)
            {
                if (requests is null || !requests.ContainsKey(kv.Key))
                {
                    merged ??= requests is null ? new(StringComparer.Ordinal) : new(requests, StringComparer.Ordinal);
                    merged[kv.Key] = kv.Value;
                }
            }
        }
        IDictionary<string, ResourceQuantity>? effective = merged ?? requests;
        long ignored = 0;
        ResourceAmounts r = TranslateResources(effective, path + ".resources.requests", forNode: false, ref ignored);
        bool hasCpu = effective?.ContainsKey(ResourceNames.Cpu) == true;
        bool hasMem = effective?.ContainsKey(ResourceNames.Memory) == true;
        return (r, hasCpu, hasMem);
    }

    private ResourceAmounts TranslateResources(IDictionary<string, ResourceQuantity>? list, string path, bool forNode, ref long pods)
    {
        if (list is null || list.Count == 0) return default;
        long cpu = 0, mem = 0, eph = 0;
        List<ScalarAmount>? scalars = null;
        foreach (KeyValuePair<string, ResourceQuantity> kv in list)
        {
            string field = $"{path}.{kv.Key}";
            string text = kv.Value?.ToString() ?? string.Empty;
            switch (kv.Key)
            {
                case ResourceNames.Cpu:
                    cpu = ParseMilli(text, field);
                    break;
                case ResourceNames.Memory:
                    mem = ParseValue(text, field);
                    break;
                case ResourceNames.EphemeralStorage:
                    eph = ParseValue(text, field);
                    break;
                case ResourceNames.Pods:
                    pods = ParseValue(text, field);
                    break;
                default:
                    if (!IsScalarResourceName(kv.Key))
                    {
                        // Nodes may report resources the scheduler does not account (e.g. "storage").
                        if (forNode) break;
                        throw new InvalidObjectException(field, $"unsupported resource name \"{kv.Key}\"; cpu, memory, ephemeral-storage, hugepages-* or a domain-qualified extended resource");
                    }
                    long v = ParseValue(text, field);
                    if (v != 0)
                    {
                        scalars ??= new List<ScalarAmount>();
                        scalars.Add(new ScalarAmount(_interner.Intern(kv.Key), v));
                    }
                    break;
            }
        }
        ScalarAmount[]? arr = null;
        if (scalars is not null)
        {
            arr = scalars.ToArray();
            Array.Sort(arr, static (a, b) => a.ResourceId.CompareTo(b.ResourceId));
        }
        return new ResourceAmounts(cpu, mem, eph, arr);
    }

    /// <summary>Upstream IsScalarResourceName: extended (domain-qualified), hugepages, attachable volumes.</summary>
    public static bool IsScalarResourceName(string name) =>
        name.Contains('/') || name.StartsWith("hugepages-", StringComparison.Ordinal) ||
        name.StartsWith("attachable-volumes-", StringComparison.Ordinal);

    private static long ParseMilli(string text, string field) =>
        Quantity.TryParseMilli(text, out long v, out string err) ? v : throw new InvalidObjectException(field, err);

    private static long ParseValue(string text, string field) =>
        Quantity.TryParseValue(text, out long v, out string err) ? v : throw new InvalidObjectException(field, err);

    private Toleration[] TranslateTolerations(IList<V1Toleration>? tolerations)
    {
        if (tolerations is null || tolerations.Count == 0) return Array.Empty<Toleration>();
        var result = new Toleration[tolerations.Count];
        for (int i = 0; i < tolerations.Count; i++)
        {
            V1Toleration t = tolerations[i];
            string at = $"spec.tolerations[{i}]";
            TolerationOperator op = t.OperatorProperty switch
            {
                null or "" or "Equal" => TolerationOperator.Equal,
                "Exists" => TolerationOperator.Exists,
                _ => throw new InvalidObjectException(at + ".operator", $"unsupported value \"{t.OperatorProperty}\"; Equal or Exists"),
            };
            if (op == TolerationOperator.Exists && !string.IsNullOrEmpty(t.Value))
                throw new InvalidObjectException(at + ".value", "must be empty when operator is Exists");
            if (string.IsNullOrEmpty(t.Key) && op != TolerationOperator.Exists)
                throw new InvalidObjectException(at + ".operator", "must be Exists when key is empty");
            TaintEffect effect = ParseEffect(t.Effect, at + ".effect", allowEmpty: true);
            result[i] = new Toleration(string.IsNullOrEmpty(t.Key) ? Interner.None : _interner.Intern(t.Key), op,
                _interner.Intern(t.Value ?? string.Empty), effect);
        }
        return result;
    }

    private RequiredNodeAffinity TranslateRequiredNodeAffinity(IDictionary<string, string>? nodeSelector, V1NodeAffinity? nodeAffinity)
    {
        (int, int)[] pairs = Array.Empty<(int, int)>();
        if (nodeSelector is { Count: > 0 })
        {
            pairs = new (int, int)[nodeSelector.Count];
            int i = 0;
            foreach (KeyValuePair<string, string> kv in nodeSelector)
                pairs[i++] = (_interner.Intern(kv.Key), _interner.Intern(kv.Value ?? string.Empty));
        }
        NodeSelectorTerm[]? terms = null;
        V1NodeSelector? required = nodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        if (required is not null)
        {
            const string path = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
            IList<V1NodeSelectorTerm> src = required.NodeSelectorTerms ?? new List<V1NodeSelectorTerm>();
            if (src.Count == 0) throw new InvalidObjectException(path, "must have at least one term");
            terms = new NodeSelectorTerm[src.Count];
            for (int i = 0; i < src.Count; i++) terms[i] = TranslateNodeSelectorTerm(src[i], $"{path}[{i}]");
        }
        return pairs.Length == 0 && terms is null ? RequiredNodeAffinity.None : new RequiredNodeAffinity(pairs, terms);
    }

    private WeightedNodeSelectorTerm[] TranslatePreferredNodeAffinity(V1NodeAffinity? nodeAffinity)
    {
        IList<V1PreferredSchedulingTerm>? src = nodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution;
        if (src is null || src.Count == 0) return Array.Empty<WeightedNodeSelectorTerm>();
        var result = new List<WeightedNodeSelectorTerm>(src.Count);
        for (int i = 0; i < src.Count; i++)
        {
            string at = $"spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}]";
            if (src[i].Weight is < 1 or > 100) throw new InvalidObjectException(at + ".weight", $"must be in the range 1-100, not {src[i].Weight}");
            NodeSelectorTerm term = TranslateNodeSelectorTerm(src[i].Preference ?? new V1NodeSelectorTerm(), at + ".preference");
            // Upstream skips empty preferences: they select no node.
            if (!term.IsEmpty) result.Add(new WeightedNodeSelectorTerm(src[i].Weight, term));
        }
        return result.ToArray();
    }

    private NodeSelectorTerm TranslateNodeSelectorTerm(V1NodeSelectorTerm term, string path)
    {
        IList<V1NodeSelectorRequirement> exprs = term.MatchExpressions ?? new List<V1NodeSelectorRequirement>();
        var requirements = new SelectorRequirement[exprs.Count];
        for (int i = 0; i < exprs.Count; i++)
            requirements[i] = CompileRequirement(exprs[i].Key, exprs[i].OperatorProperty, exprs[i].Values, $"{path}.matchExpressions[{i}]", allowGtLt: true);
        IList<V1NodeSelectorRequirement> fields = term.MatchFields ?? new List<V1NodeSelectorRequirement>();
        var fieldReqs = new FieldRequirement[fields.Count];
        for (int i = 0; i < fields.Count; i++)
        {
            string at = $"{path}.matchFields[{i}]";
            V1NodeSelectorRequirement f = fields[i];
            if (f.Key != MetadataNameField) throw new InvalidObjectException(at + ".key", $"unsupported field \"{f.Key}\"; only metadata.name");
            bool notIn = f.OperatorProperty switch
            {
                "In" => false,
                "NotIn" => true,
                _ => throw new InvalidObjectException(at + ".operator", $"unsupported value \"{f.OperatorProperty}\"; In or NotIn"),
            };
            if (f.Values is not { Count: 1 }) throw new InvalidObjectException(at + ".values", "must have one element");
            fieldReqs[i] = new FieldRequirement(_interner.Intern(f.Values[0]), notIn);
        }
        return new NodeSelectorTerm(requirements, fieldReqs);
    }

    private SelectorRequirement CompileRequirement(string? key, string? op, IList<string>? values, string path, bool allowGtLt)
    {
        if (string.IsNullOrEmpty(key)) throw new InvalidObjectException(path + ".key", "required");
        int count = values?.Count ?? 0;
        SelectorOperator parsed = op switch
        {
            "In" => SelectorOperator.In,
            "NotIn" => SelectorOperator.NotIn,
            "Exists" => SelectorOperator.Exists,
            "DoesNotExist" => SelectorOperator.DoesNotExist,
            "Gt" when allowGtLt => SelectorOperator.Gt,
            "Lt" when allowGtLt => SelectorOperator.Lt,
            _ => throw new InvalidObjectException(path + ".operator",
                $"unsupported value \"{op}\"; one of In, NotIn, Exists, DoesNotExist" + (allowGtLt ? ", Gt, Lt" : string.Empty)),
        };
        switch (parsed)
        {
            case SelectorOperator.In or SelectorOperator.NotIn when count == 0:
                throw new InvalidObjectException(path + ".values", $"must be non-empty when operator is {op}");
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist when count != 0:
                throw new InvalidObjectException(path + ".values", $"must be empty when operator is {op}");
            case SelectorOperator.Gt or SelectorOperator.Lt:
                if (count != 1) throw new InvalidObjectException(path + ".values", $"must have one element when operator is {op}");
                if (!long.TryParse(values![0], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long bound))
                    throw new InvalidObjectException(path + ".values[0]", $"\"{values[0]}\" is not an integer");
                return new SelectorRequirement(_interner.Intern(key), parsed, Array.Empty<int>(), bound);
        }
        var ids = new int[count];
        for (int i = 0; i < count; i++)
        {
            string v = values![i] ?? string.Empty;
            // The API server rejects selector values that are not valid label values.
            if (!IsLabelValue(v)) throw new InvalidObjectException($"{path}.values[{i}]", $"\"{v}\" is not a valid label value (at most 63 characters: letters, digits, '-', '_' or '.', starting and ending with a letter or digit)");
            ids[i] = _interner.Intern(v);
        }
        return new SelectorRequirement(_interner.Intern(key), parsed, ids);
    }

    /// <summary>Compiles a metav1.LabelSelector; null selects nothing, {} selects everything.</summary>
    public LabelSelector CompileLabelSelector(V1LabelSelector? selector, string path,
        IList<string>? matchLabelKeys = null, IList<string>? mismatchLabelKeys = null, IDictionary<string, string>? ownLabels = null)
    {
        bool hasKeys = matchLabelKeys is { Count: > 0 } || mismatchLabelKeys is { Count: > 0 };
        if (selector is null && !hasKeys) return LabelSelector.Nothing;
        var reqs = new List<SelectorRequirement>();
        if (selector?.MatchLabels is { } ml)
        {
            foreach (KeyValuePair<string, string> kv in ml)
                reqs.Add(new SelectorRequirement(_interner.Intern(kv.Key), SelectorOperator.In, new[] { _interner.Intern(kv.Value ?? string.Empty) }));
        }
        if (selector?.MatchExpressions is { } me)
        {
            for (int i = 0; i < me.Count; i++)
                reqs.Add(CompileRequirement(me[i].Key, me[i].OperatorProperty, me[i].Values, $"{path}.matchExpressions[{i}]", allowGtLt: false));
        }
        // matchLabelKeys / mismatchLabelKeys: merged into the selector with the pod's own label values, as the API server does.
        if (matchLabelKeys is not null)
        {
            foreach (string k in matchLabelKeys)
            {
                if (ownLabels is not null && ownLabels.TryGetValue(k, out string? v))
                    reqs.Add(new SelectorRequirement(_interner.Intern(k), SelectorOperator.In, new[] { _interner.Intern(v ?? string.Empty) }));
            }
        }
        if (mismatchLabelKeys is not null)
        {
            foreach (string k in mismatchLabelKeys)
            {
                if (ownLabels is not null && ownLabels.TryGetValue(k, out string? v))
                    reqs.Add(new SelectorRequirement(_interner.Intern(k), SelectorOperator.NotIn, new[] { _interner.Intern(v ?? string.Empty) }));
            }
        }
        return reqs.Count == 0 ? LabelSelector.Everything : new LabelSelector(reqs.ToArray());
    }

    private AffinityTerm[] TranslateTerms(IList<V1PodAffinityTerm>? terms, string path, int ownNamespace, IDictionary<string, string>? ownLabels)
    {
        if (terms is null || terms.Count == 0) return Array.Empty<AffinityTerm>();
        var result = new AffinityTerm[terms.Count];
        for (int i = 0; i < terms.Count; i++) result[i] = TranslateTerm(terms[i], $"{path}[{i}]", 0, ownNamespace, ownLabels);
        return result;
    }

    private AffinityTerm[] TranslateWeightedTerms(IList<V1WeightedPodAffinityTerm>? terms, string path, int ownNamespace, IDictionary<string, string>? ownLabels)
    {
        if (terms is null || terms.Count == 0) return Array.Empty<AffinityTerm>();
        var result = new AffinityTerm[terms.Count];
        for (int i = 0; i < terms.Count; i++)
        {
            string at = $"{path}[{i}]";
            if (terms[i].Weight is < 1 or > 100) throw new InvalidObjectException(at + ".weight", $"must be in the range 1-100, not {terms[i].Weight}");
            if (terms[i].PodAffinityTerm is null) throw new InvalidObjectException(at + ".podAffinityTerm", "required");
            result[i] = TranslateTerm(terms[i].PodAffinityTerm, at + ".podAffinityTerm", terms[i].Weight, ownNamespace, ownLabels);
        }
        return result;
    }

    private AffinityTerm TranslateTerm(V1PodAffinityTerm term, string path, int weight, int ownNamespace, IDictionary<string, string>? ownLabels)
    {
        if (string.IsNullOrEmpty(term.TopologyKey)) throw new InvalidObjectException(path + ".topologyKey", "required");
        LabelSelector selector = CompileLabelSelector(term.LabelSelector, path + ".labelSelector", term.MatchLabelKeys, term.MismatchLabelKeys, ownLabels);
        LabelSelector nsSelector = term.NamespaceSelector is null
            ? LabelSelector.Nothing
            : CompileLabelSelector(term.NamespaceSelector, path + ".namespaceSelector");
        int[] namespaces;
        if (term.Namespaces is { Count: > 0 } names)
        {
            namespaces = new int[names.Count];
            for (int i = 0; i < names.Count; i++) namespaces[i] = _interner.Intern(names[i]);
        }
        else
        {
            // No namespaces and no selector: the term applies to the pod's own namespace.
            namespaces = term.NamespaceSelector is null ? new[] { ownNamespace } : Array.Empty<int>();
        }
        return new AffinityTerm(selector, namespaces, nsSelector, _interner.Intern(term.TopologyKey), weight);
    }

    private HostPort[] TranslateHostPorts(V1PodSpec spec)
    {
        List<HostPort>? ports = null;
        void Collect(IList<V1Container>? containers, string path, bool sidecarsOnly)
        {
            if (containers is null) return;
            for (int i = 0; i < containers.Count; i++)
            {
                V1Container c = containers[i];
                if (sidecarsOnly && c.RestartPolicy != "Always") continue;
                if (c.Ports is null) continue;
                for (int j = 0; j < c.Ports.Count; j++)
                {
                    V1ContainerPort p = c.Ports[j];
                    if (p.HostPort is not > 0) continue;
                    if (p.HostPort > 65535) throw new InvalidObjectException($"{path}[{i}].ports[{j}].hostPort", $"must be between 1 and 65535, not {p.HostPort}");
                    string protocol = string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol;
                    if (protocol is not ("TCP" or "UDP" or "SCTP"))
                        throw new InvalidObjectException($"{path}[{i}].ports[{j}].protocol", $"unsupported value \"{p.Protocol}\"; TCP, UDP or SCTP");
                    ports ??= new List<HostPort>();
                    ports.Add(new HostPort(string.IsNullOrEmpty(p.HostIP) ? _bindAll : _interner.Intern(p.HostIP),
                        protocol == "TCP" ? _tcp : _interner.Intern(protocol), p.HostPort.Value));
                }
            }
        }
        Collect(spec.Containers, "spec.containers", sidecarsOnly: false);
        Collect(spec.InitContainers, "spec.initContainers", sidecarsOnly: true);
        return ports?.ToArray() ?? Array.Empty<HostPort>();
    }

    private static DiskVolume[] TranslateDiskVolumes(IList<V1Volume>? volumes)
    {
        if (volumes is null || volumes.Count == 0) return Array.Empty<DiskVolume>();
        List<DiskVolume>? result = null;
        for (int i = 0; i < volumes.Count; i++)
        {
            V1Volume v = volumes[i];
            string at = $"spec.volumes[{i}]";
            DiskVolume? d = null;
            if (v.GcePersistentDisk is { } gce)
                d = new DiskVolume(VolumeKind.GcePersistentDisk, Required(gce.PdName, at + ".gcePersistentDisk.pdName"), gce.ReadOnlyProperty == true);
            else if (v.AwsElasticBlockStore is { } ebs)
                d = new DiskVolume(VolumeKind.AwsElasticBlockStore, Required(ebs.VolumeID, at + ".awsElasticBlockStore.volumeID"), ebs.ReadOnlyProperty == true);
            else if (v.Iscsi is { } iscsi)
                d = new DiskVolume(VolumeKind.Iscsi, Required(iscsi.Iqn, at + ".iscsi.iqn"), iscsi.ReadOnlyProperty == true);
            else if (v.Rbd is { } rbd)
            {
                if (rbd.Monitors is not { Count: > 0 }) throw new InvalidObjectException(at + ".rbd.monitors", "required");
                // API defaulting: the RADOS pool is "rbd" when unset.
                d = new DiskVolume(VolumeKind.Rbd, Required(rbd.Image, at + ".rbd.image"), rbd.ReadOnlyProperty == true,
                    string.IsNullOrEmpty(rbd.Pool) ? "rbd" : rbd.Pool, rbd.Monitors.ToArray());
            }
            if (d is not null) (result ??= new List<DiskVolume>()).Add(d);
        }
        return result?.ToArray() ?? Array.Empty<DiskVolume>();
    }

    private static string[] TranslateClaims(IList<V1Volume>? volumes)
    {
        if (volumes is null || volumes.Count == 0) return Array.Empty<string>();
        List<string>? claims = null;
        for (int i = 0; i < volumes.Count; i++)
        {
            if (volumes[i].PersistentVolumeClaim is { } pvc)
                (claims ??= new List<string>()).Add(Required(pvc.ClaimName, $"spec.volumes[{i}].persistentVolumeClaim.claimName"));
        }
        return claims?.ToArray() ?? Array.Empty<string>();
    }

    /// <summary>A label value: empty, or up to 63 characters of [A-Za-z0-9._-] that start and end alphanumeric.</summary>
    public static bool IsLabelValue(string v)
    {
        if (v.Length == 0) return true;
        if (v.Length > 63 || !char.IsAsciiLetterOrDigit(v[0]) || !char.IsAsciiLetterOrDigit(v[^1])) return false;
        foreach (char ch in v)
        {
            if (!char.IsAsciiLetterOrDigit(ch) && ch is not ('-' or '_' or '.')) return false;
        }
        return true;
    }

    private static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw new InvalidObjectException(field, "required") : value;
}
