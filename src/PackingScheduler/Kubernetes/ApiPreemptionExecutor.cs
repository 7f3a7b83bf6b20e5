using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Scheduling;

namespace PackingScheduler.Kubernetes;

/// <summary>
/// Evicts preemption victims through the API server, as upstream's PreemptPod: the
/// DisruptionTarget=True condition (reason PreemptionByScheduler) on the victim's status, then
/// DELETE with default options, so the victim's own terminationGracePeriodSeconds applies; a 404
/// on either call means the victim is already gone. Then the Preempted event on the victim,
/// related to the preemptor (written in the background by the <see cref="EventReporter"/>).
/// </summary>
public sealed partial class ApiPreemptionExecutor : IPreemptionExecutor
{
    private readonly IKubernetes _client;
    private readonly string _schedulerName;
    private readonly EventReporter _events;
    private readonly TimeSpan _timeout;
    private readonly ILogger _log;

    public ApiPreemptionExecutor(IKubernetes client, string schedulerName, EventReporter events, ILogger log, TimeSpan? timeout = null)
    {
        _client = client;
        _schedulerName = schedulerName;
        _events = events;
        _log = log;
        _timeout = timeout ?? TimeSpan.FromSeconds(30);
    }

    public async Task<(PreemptOutcome Outcome, string? Error)> PreemptAsync(PodInfo preemptor, PodInfo victim, string nodeName, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        string step = "adding the DisruptionTarget condition";
        try
        {
            string body = KubernetesJson.Serialize(new
            {
                status = new
                {
                    conditions = new[]
                    {
                        new
                        {
                            type = "DisruptionTarget",
                            status = "True",
                            reason = "PreemptionByScheduler",
                            message = $"{_schedulerName}: preempting to accommodate a higher priority pod",
                            lastTransitionTime = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                        },
                    },
                },
            });
            await _client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(body, V1Patch.PatchType.StrategicMergePatch),
                victim.Name, victim.NamespaceName, cancellationToken: timeout.Token).ConfigureAwait(false);
            step = "deleting";
            await _client.CoreV1.DeleteNamespacedPodAsync(victim.Name, victim.NamespaceName, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            LogAlreadyGone(victim.Key, preemptor.Key);
            return (PreemptOutcome.Gone, null);
        }
        catch (HttpOperationException e)
        {
            string error = $"{step}: {(int?)e.Response?.StatusCode} {e.Response?.ReasonPhrase}".TrimEnd();
            LogFailed(victim.Key, preemptor.Key, error);
            return (PreemptOutcome.Failed, error);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            string error = $"{step}: timed out after {_timeout.TotalSeconds:0} s";
            LogFailed(victim.Key, preemptor.Key, error);
            return (PreemptOutcome.Failed, error);
        }
        catch (OperationCanceledException)
        {
            return (PreemptOutcome.Failed, $"{step}: the scheduler is stopping");
        }
        catch (HttpRequestException e)
        {
            LogFailed(victim.Key, preemptor.Key, $"{step}: {e.Message}");
            return (PreemptOutcome.Failed, $"{step}: {e.Message}");
        }
        LogPreempted(preemptor.Key, victim.Key, nodeName);
        _events.Preempted(victim, preemptor, nodeName);
        return (PreemptOutcome.Preempted, null);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "preemptor {Preemptor} preempted {Victim} on node {Node}")]
    private partial void LogPreempted(string preemptor, string victim, string node);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "victim {Victim} of {Preemptor} is already gone")]
    private partial void LogAlreadyGone(string victim, string preemptor);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "could not preempt {Victim} for {Preemptor}: {Error}")]
    private partial void LogFailed(string victim, string preemptor, string error);
}
