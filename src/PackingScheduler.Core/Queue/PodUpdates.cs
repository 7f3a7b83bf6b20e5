using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace PackingScheduler.Core.Queue;

/// <summary>
/// Upstream's isPodUpdated (scheduling_queue.go): whether a pod update may change its scheduling
/// outcome. The caller computes it at the edge, where the API objects are, and passes it to
/// <see cref="SchedulingQueue.Update"/>. It matters because the scheduler itself writes the
/// PodScheduled condition after every failure: were status updates treated as changes, each
/// failure would pull the pod straight out of the unschedulable pool again.
/// </summary>
public static class PodUpdates
{
    /// <summary>
    /// True when the pods differ in anything but resourceVersion, generation, managedFields,
    /// finalizers and status (status.resourceClaimStatuses and
    /// status.extendedResourceClaimStatus still count, as upstream keeps them).
    /// </summary>
    public static bool IsPodUpdated(V1Pod? oldPod, V1Pod newPod)
    {
        ArgumentNullException.ThrowIfNull(newPod);
        if (oldPod is null) return true;
        return !JsonNode.DeepEquals(Strip(oldPod), Strip(newPod));
    }

    private static JsonNode? Strip(V1Pod pod)
    {
        // Work on a JSON copy so the caller's objects stay untouched.
        JsonNode? node = JsonNode.Parse(KubernetesJson.Serialize(pod));
        if (node is not JsonObject obj) return node;
        if (obj["metadata"] is JsonObject meta)
        {
            meta.Remove("resourceVersion");
            meta.Remove("generation");
            meta.Remove("managedFields");
            meta.Remove("finalizers");
        }
        if (obj["status"] is JsonObject status)
        {
            var kept = new JsonObject();
            foreach (string name in new[] { "resourceClaimStatuses", "extendedResourceClaimStatus" })
            {
                if (status[name] is JsonNode value) kept[name] = value.DeepClone();
            }
            // An absent status and an emptied one must compare equal.
            obj.Remove("status");
            if (kept.Count > 0) obj["status"] = kept;
        }
        return obj;
    }
}
