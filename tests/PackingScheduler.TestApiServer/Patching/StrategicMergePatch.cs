using System.Text.Json.Nodes;

namespace PackingScheduler.TestApiServer;

/// <summary>
/// Strategic merge patch (application/strategic-merge-patch+json) for the lists that matter here: a merge patch
/// except that lists with a patch merge key (status.conditions by type, containers by name, ...) are merged
/// element-wise and <c>metadata.finalizers</c> is unioned. Understands <c>$patch: delete|replace</c>,
/// <c>$deleteFromPrimitiveList/…</c>, and ignores <c>$setElementOrder/…</c> and <c>$retainKeys</c>.
/// </summary>
internal static class StrategicMergePatch
{
    /// <summary>Merge keys of the well-known lists, by dotted path without indices.</summary>
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["metadata.ownerReferences"] = "uid",
        ["spec.containers"] = "name",
        ["spec.initContainers"] = "name",
        ["spec.ephemeralContainers"] = "name",
        ["spec.containers.ports"] = "containerPort",
        ["spec.containers.env"] = "name",
        ["spec.containers.volumeMounts"] = "mountPath",
        ["spec.initContainers.env"] = "name",
        ["spec.volumes"] = "name",
        ["spec.imagePullSecrets"] = "name",
        ["spec.resourceClaims"] = "name",
        ["status.conditions"] = "type",
        ["status.addresses"] = "type",
        ["status.podIPs"] = "ip",
    };

    private static readonly HashSet<string> UnionLists = new(StringComparer.Ordinal) { "metadata.finalizers" };

    public static JsonObject Apply(JsonObject target, JsonObject patch) => ApplyObject(target, patch, "");

    private static JsonObject ApplyObject(JsonObject target, JsonObject patch, string path)
    {
        if (ObjectJson.GetString(patch, "$patch") is { } directive)
        {
            if (directive == "replace")
            {
                var replaced = (JsonObject)patch.DeepClone();
                replaced.Remove("$patch");
                return replaced;
            }

            if (directive != "merge")
            {
                throw ApiStatusException.BadRequest($"unknown patch directive \"{directive}\" at {path}");
            }
        }

        foreach (var (key, value) in patch.ToList())
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith("$setElementOrder/", StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var listKey = key["$deleteFromPrimitiveList/".Length..];
                if (target[listKey] is JsonArray list && value is JsonArray remove)
                {
                    foreach (var item in list.ToList().Where(i => remove.Any(r => JsonNode.DeepEquals(i, r))))
                    {
                        list.Remove(item);
                    }
                }

                continue;
            }

            var childPath = path.Length == 0 ? key : path + "." + key;
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchChild)
            {
                if (ObjectJson.GetString(patchChild, "$patch") == "delete")
                {
                    target.Remove(key);
                }
                else if (target[key] is JsonObject targetChild)
                {
                    var merged = ApplyObject(targetChild, patchChild, childPath);
                    if (!ReferenceEquals(merged, targetChild))
                    {
                        target[key] = merged;
                    }
                }
                else
                {
                    target[key] = ApplyObject(new JsonObject(), patchChild, childPath);
                }
            }
            else if (value is JsonArray patchList && MergeKeys.TryGetValue(childPath, out var mergeKey))
            {
                var targetList = target[key] as JsonArray;
                if (targetList is null)
                {
                    targetList = new JsonArray();
                    target[key] = targetList;
                }

                MergeKeyedList(targetList, patchList, mergeKey, childPath);
            }
            else if (value is JsonArray union && UnionLists.Contains(childPath) && target[key] is JsonArray existing)
            {
                foreach (var item in union.Where(u => !existing.Any(e => JsonNode.DeepEquals(e, u))))
                {
                    existing.Add(item?.DeepClone());
                }
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }

        return target;
    }

    private static void MergeKeyedList(JsonArray target, JsonArray patch, string mergeKey, string path)
    {
        foreach (var element in patch)
        {
            if (element is not JsonObject patchItem)
            {
                throw ApiStatusException.BadRequest($"strategic merge patch: elements of {path} must be objects");
            }

            var keyValue = patchItem[mergeKey];
            var existing = target.OfType<JsonObject>().FirstOrDefault(t => JsonNode.DeepEquals(t[mergeKey], keyValue));
            var directive = ObjectJson.GetString(patchItem, "$patch");
            if (directive == "delete")
            {
                if (existing is not null)
                {
                    target.Remove(existing);
                }

                continue;
            }

            if (existing is null)
            {
                var added = (JsonObject)patchItem.DeepClone();
                added.Remove("$patch");
                target.Add(added);
            }
            else
            {
                var merged = ApplyObject(existing, patchItem, path);
                if (!ReferenceEquals(merged, existing))
                {
                    var index = target.IndexOf(existing);
                    target.RemoveAt(index);
                    target.Insert(index, merged);
                }
            }
        }
    }
}
