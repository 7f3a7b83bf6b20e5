using System.Text.Json.Nodes;

namespace PackingScheduler.TestApiServer;

/// <summary>RFC 7386 JSON merge patch (application/merge-patch+json).</summary>
internal static class JsonMergePatch
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/> in place and returns the result.</summary>
    public static JsonObject Apply(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchChild && target[key] is JsonObject targetChild)
            {
                Apply(targetChild, patchChild);
            }
            else if (value is JsonObject patchObject)
            {
                target[key] = Apply(new JsonObject(), patchObject);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }

        return target;
    }
}
