using System.Text.Json.Nodes;

namespace PackingScheduler.TestApiServer;

/// <summary>The pod-specific behaviour of the API server that a scheduler relies on: defaulting, priority admission,
/// spec immutability and binding.</summary>
internal static class PodRules
{
    public const string DefaultScheduler = "default-scheduler";

    /// <summary>Pod spec fields an update may change (images, deadlines, tolerations, scheduling gates).</summary>
    private static readonly string[] MutableSpecFields =
        ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds", "schedulingGates"];

    /// <summary>Fields defaulted at creation, carried over when an update omits them.</summary>
    private static readonly string[] DefaultedSpecFields = ["schedulerName", "priority", "preemptionPolicy", "priorityClassName"];

    /// <summary>Defaulting and priority admission at creation.</summary>
    /// <param name="findPriorityClass">Looks a PriorityClass up by name; null name means the global default.</param>
    public static void AdmitCreate(JsonObject pod, string name, WriteOrigin origin, Func<string?, JsonObject?> findPriorityClass)
    {
        var spec = pod["spec"] as JsonObject;
        if (spec is null)
        {
            spec = new JsonObject();
            pod["spec"] = spec;
        }

        if (string.IsNullOrEmpty(ObjectJson.GetString(spec, "schedulerName")))
        {
            spec["schedulerName"] = DefaultScheduler;
        }

        if (pod["status"] is not JsonObject status)
        {
            status = new JsonObject();
            pod["status"] = status;
        }

        if (string.IsNullOrEmpty(ObjectJson.GetString(status, "phase")))
        {
            status["phase"] = "Pending";
        }

        ResolvePriority(spec, name, origin, findPriorityClass);
    }

    private static void ResolvePriority(JsonObject spec, string name, WriteOrigin origin, Func<string?, JsonObject?> findPriorityClass)
    {
        var className = ObjectJson.GetString(spec, "priorityClassName");
        JsonObject? pc;
        if (string.IsNullOrEmpty(className))
        {
            pc = findPriorityClass(null);
            if (pc is not null)
            {
                spec["priorityClassName"] = ObjectJson.MetaString(pc, "name");
            }
        }
        else
        {
            pc = findPriorityClass(className);
            if (pc is null)
            {
                if (origin == WriteOrigin.Http)
                {
                    throw ApiStatusException.Forbidden(ResourceRegistry.Pods, name, $"no PriorityClass with name {className} was found");
                }

                return;
            }
        }

        var computed = pc?["value"] is JsonValue v && v.TryGetValue<int>(out var value) ? value : 0;
        if (spec["priority"] is JsonValue given && given.TryGetValue<int>(out var provided))
        {
            if (provided != computed && origin == WriteOrigin.Http)
            {
                throw ApiStatusException.Forbidden(ResourceRegistry.Pods, name,
                    $"the integer value of priority ({provided}) must not be provided in pod spec; priority admission controller computed {computed} from the given PriorityClass name");
            }
        }
        else
        {
            spec["priority"] = computed;
        }

        if (string.IsNullOrEmpty(ObjectJson.GetString(spec, "preemptionPolicy")))
        {
            spec["preemptionPolicy"] = ObjectJson.GetString(pc, "preemptionPolicy") ?? "PreemptLowerPriority";
        }
    }

    /// <summary>Rejects a main-resource update that changes an immutable part of the pod spec (e.g. nodeName: use binding).</summary>
    public static void ValidateUpdate(JsonObject oldPod, JsonObject newPod, string name)
    {
        var oldSpec = oldPod["spec"] as JsonObject ?? new JsonObject();
        if (newPod["spec"] is not JsonObject newSpec)
        {
            newSpec = new JsonObject();
            newPod["spec"] = newSpec;
        }

        foreach (var field in DefaultedSpecFields)
        {
            if (!newSpec.ContainsKey(field) && oldSpec[field] is { } kept)
            {
                newSpec[field] = kept.DeepClone();
            }
        }

        if (!JsonNode.DeepEquals(Comparable(oldSpec), Comparable(newSpec)))
        {
            throw ApiStatusException.Invalid(ResourceRegistry.Pods, name,
                "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`," +
                "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)," +
                "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)");
        }
    }

    private static JsonObject Comparable(JsonObject spec)
    {
        var copy = (JsonObject)spec.DeepClone();
        foreach (var field in MutableSpecFields)
        {
            copy.Remove(field);
        }

        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (copy[list] is JsonArray containers)
            {
                foreach (var c in containers.OfType<JsonObject>())
                {
                    c.Remove("image");
                }
            }
        }

        return copy;
    }

    /// <summary>Applies a Binding to a pod the way the API server's binding storage does; throws on conflicts.</summary>
    public static void Bind(JsonObject pod, StoredObject current, JsonObject binding, DateTimeOffset now)
    {
        var name = current.Name;
        var bindingMeta = binding["metadata"] as JsonObject;
        var uid = ObjectJson.GetString(bindingMeta, "uid");
        if (!string.IsNullOrEmpty(uid) && uid != current.Uid)
        {
            throw ApiStatusException.Conflict(ResourceRegistry.Pods, name,
                $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid}", "pods/binding");
        }

        var target = binding["target"] as JsonObject;
        var targetKind = ObjectJson.GetString(target, "kind");
        var nodeName = ObjectJson.GetString(target, "name");
        if (!string.IsNullOrEmpty(targetKind) && targetKind != "Node")
        {
            throw ApiStatusException.Invalid(ResourceRegistry.Pods, name, "target.kind: Invalid value: must be empty or 'Node'");
        }

        if (string.IsNullOrEmpty(nodeName))
        {
            throw ApiStatusException.Invalid(ResourceRegistry.Pods, name, "target.name: Required value");
        }

        var meta = ObjectJson.Metadata(pod);
        if (meta.ContainsKey("deletionTimestamp") && meta["deletionTimestamp"] is not null)
        {
            throw ApiStatusException.Conflict(ResourceRegistry.Pods, name,
                $"pod {name} is being deleted, cannot be assigned to a host", "pods/binding");
        }

        var spec = pod["spec"] as JsonObject ?? new JsonObject();
        pod["spec"] = spec;
        var assigned = ObjectJson.GetString(spec, "nodeName");
        if (!string.IsNullOrEmpty(assigned))
        {
            throw ApiStatusException.Conflict(ResourceRegistry.Pods, name,
                $"pod {name} is already assigned to node \"{assigned}\"", "pods/binding");
        }

        spec["nodeName"] = nodeName;
        if (bindingMeta?["annotations"] is JsonObject annotations && annotations.Count > 0)
        {
            if (meta["annotations"] is not JsonObject podAnnotations)
            {
                podAnnotations = new JsonObject();
                meta["annotations"] = podAnnotations;
            }

            foreach (var (k, v) in annotations)
            {
                podAnnotations[k] = v?.DeepClone();
            }
        }

        SetCondition(pod, "PodScheduled", "True", now);
    }

    /// <summary>Sets a pod condition like podutil.UpdatePodCondition: the transition time moves only when the status changes.</summary>
    private static void SetCondition(JsonObject pod, string type, string status, DateTimeOffset now)
    {
        if (pod["status"] is not JsonObject podStatus)
        {
            podStatus = new JsonObject();
            pod["status"] = podStatus;
        }

        if (podStatus["conditions"] is not JsonArray conditions)
        {
            conditions = new JsonArray();
            podStatus["conditions"] = conditions;
        }

        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => ObjectJson.GetString(c, "type") == type);
        var transition = existing is not null && ObjectJson.GetString(existing, "status") == status
            ? existing["lastTransitionTime"]?.DeepClone()
            : ObjectJson.Timestamp(now);
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = transition,
        };
        if (existing is null)
        {
            conditions.Add(condition);
        }
        else
        {
            conditions[conditions.IndexOf(existing)] = condition;
        }
    }
}
