using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Scheduling;

namespace PackingScheduler.Kubernetes;

/// <summary>Binds through the pods/binding subresource, as kube-scheduler's DefaultBinder does.</summary>
public sealed class ApiBinder : IBinder
{
    private readonly IKubernetes _client;
    private readonly TimeSpan _timeout;

    public ApiBinder(IKubernetes client, TimeSpan? timeout = null)
    {
        _client = client;
        _timeout = timeout ?? TimeSpan.FromSeconds(30);
    }

    public async Task<(BindOutcome Outcome, string? Error)> BindAsync(PodInfo pod, string nodeName, CancellationToken cancellationToken)
    {
        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = pod.Name, NamespaceProperty = pod.NamespaceName, Uid = pod.Uid },
            Target = new V1ObjectReference { Kind = "Node", Name = nodeName, ApiVersion = "v1" },
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            await _client.CoreV1.CreateNamespacedPodBindingAsync(binding, pod.Name, pod.NamespaceName, cancellationToken: timeout.Token).ConfigureAwait(false);
            return (BindOutcome.Bound, null);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            return (BindOutcome.AlreadyBound, e.Response.Content);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return (BindOutcome.Gone, e.Response.Content);
        }
        catch (HttpOperationException e)
        {
            return (BindOutcome.Failed, $"{(int?)e.Response?.StatusCode} {e.Response?.ReasonPhrase}".Trim());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (BindOutcome.Failed, $"binding timed out after {_timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return (BindOutcome.Failed, e.Message);
        }
    }
}
