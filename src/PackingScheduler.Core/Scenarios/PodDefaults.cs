using k8s.Models;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// The API server's defaulting that changes what the scheduler sees. The live scheduler only ever
/// reads stored (defaulted) pods, so a scenario's pods must be defaulted the same way for the
/// simulation to give the same answer.
/// </summary>
internal static class PodDefaults
{
    public static void Apply(V1Pod pod)
    {
        // SetDefaults_Pod: a resource with a limit but no request gets the limit as its request,
        // resource by resource, for containers and init containers.
        foreach (V1Container container in (pod.Spec.Containers ?? []).Concat(pod.Spec.InitContainers ?? []))
        {
            if (container.Resources?.Limits is not { Count: > 0 } limits)
                continue;
            container.Resources.Requests ??= new Dictionary<string, ResourceQuantity>();
            foreach ((string resource, ResourceQuantity limit) in limits)
            {
                if (!container.Resources.Requests.ContainsKey(resource))
                    container.Resources.Requests[resource] = new ResourceQuantity(limit.ToString());
            }
        }
    }
}
