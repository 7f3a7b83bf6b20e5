using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Queue;
using PackingScheduler.Core.Scheduling;

namespace PackingScheduler.Kubernetes;

/// <summary>
/// Writes what kube-scheduler writes: events.k8s.io/v1 Events (Scheduled, FailedScheduling) with
/// reportingController = the scheduler's name, and the PodScheduled=False/Unschedulable condition
/// the cluster autoscaler acts on. API calls run on a background worker, never on the scheduling
/// loop. A pod that keeps failing with the same message does not flood: the first failure creates
/// an Event, repeats are counted and written at most once per <see cref="SeriesInterval"/> as a
/// series update (PATCH), and the condition is only written when its message changes.
/// </summary>
public sealed partial class EventReporter : ISchedulingReporter
{
    public static readonly TimeSpan SeriesInterval = TimeSpan.FromMinutes(1);

    private readonly IKubernetes _client;
    private readonly string _controller;
    private readonly string _instance;
    private readonly IClock _clock;
    private readonly ILogger _log;
    private readonly Channel<Func<CancellationToken, Task>> _work =
        Channel.CreateBounded<Func<CancellationToken, Task>>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly object _lock = new();
    private readonly Dictionary<string, FailureRecord> _failures = new(StringComparer.Ordinal);

    private sealed class FailureRecord
    {
        public required string Message { get; set; }
        public required string EventName { get; set; }
        public int Count { get; set; }
        public DateTime LastWritten { get; set; }
        public string? ConditionMessage { get; set; }
    }

    public EventReporter(IKubernetes client, string schedulerName, IClock? clock, ILogger log)
    {
        _client = client;
        _controller = schedulerName;
        _instance = $"{schedulerName}-{Environment.MachineName}";
        _clock = clock ?? SystemClock.Instance;
        _log = log;
    }

    private long _eventsWritten;
    private long _conditionsWritten;

    public long EventsWritten => Interlocked.Read(ref _eventsWritten);

    /// <summary>Pods with a failure record (failed and neither scheduled nor gone since).</summary>
    public int TrackedPods
    {
        get { lock (_lock) return _failures.Count; }
    }
    public long ConditionsWritten => Interlocked.Read(ref _conditionsWritten);

    public void Scheduled(PodInfo pod, string nodeName)
    {
        lock (_lock) _failures.Remove(pod.Key);
        DateTime now = _clock.UtcNow;
        Enqueue(ct => CreateEventAsync(pod, "Normal", "Scheduled", "Binding",
            $"Successfully assigned {pod.NamespaceName}/{pod.Name} to {nodeName}", NewEventName(pod, now), now, ct));
    }

    public void FailedScheduling(PodInfo pod, string reason, string message) => FailedScheduling(pod, reason, message, null);

    /// <summary>
    /// As above; a non-null <paramref name="nominatedNodeName"/> (a node, or "" to clear) is written
    /// to status.nominatedNodeName in the same status patch as the condition, and always written:
    /// the loop passes it only when the nomination changes.
    /// </summary>
    public void FailedScheduling(PodInfo pod, string reason, string message, string? nominatedNodeName)
    {
        DateTime now = _clock.UtcNow;
        bool create = false, patch = false, condition = false;
        string eventName;
        int count;
        lock (_lock)
        {
            if (!_failures.TryGetValue(pod.Key, out FailureRecord? r) || r.Message != message)
            {
                r = new FailureRecord { Message = message, EventName = NewEventName(pod, now), Count = 1, LastWritten = now, ConditionMessage = r?.ConditionMessage };
                _failures[pod.Key] = r;
                create = true;
            }
            else
            {
                r.Count++;
                if (now - r.LastWritten >= SeriesInterval)
                {
                    r.LastWritten = now;
                    patch = true;
                }
            }
            if (reason == "Unschedulable" && r.ConditionMessage != message)
            {
                r.ConditionMessage = message;
                condition = true;
            }
            eventName = r.EventName;
            count = r.Count;
        }
        if (create) Enqueue(ct => CreateEventAsync(pod, "Warning", "FailedScheduling", "Scheduling", message, eventName, now, ct));
        if (patch) Enqueue(ct => PatchSeriesAsync(pod, eventName, count, now, ct));
        if (condition || nominatedNodeName is not null)
            Enqueue(ct => PatchConditionAsync(pod, condition ? reason : null, message, nominatedNodeName, now, ct));
    }

    /// <summary>status.nominatedNodeName cleared: a higher-priority preemptor took the node this pod was nominated to.</summary>
    public void ClearNomination(PodInfo pod)
    {
        DateTime now = _clock.UtcNow;
        Enqueue(ct => PatchConditionAsync(pod, null, null, "", now, ct));
    }

    /// <summary>The Preempted event on a victim, related to its preemptor, as upstream's PreemptPod writes it.</summary>
    public void Preempted(PodInfo victim, PodInfo preemptor, string nodeName)
    {
        DateTime now = _clock.UtcNow;
        var related = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = preemptor.Name, NamespaceProperty = preemptor.NamespaceName, Uid = preemptor.Uid };
        Enqueue(ct => CreateEventAsync(victim, "Normal", "Preempted", "Preempting",
            $"Preempted by pod {preemptor.Uid} on node {nodeName}", NewEventName(victim, now), now, ct, related));
    }

    /// <summary>Forget a pod that is gone (deleted or bound elsewhere).</summary>
    public void Forget(string podKey)
    {
        lock (_lock) _failures.Remove(podKey);
    }

    /// <summary>Runs the API calls until cancelled; then writes what is still queued, best effort.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (Func<CancellationToken, Task> work in _work.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                await RunOneAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits until everything queued so far has been written (for tests and shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (_work.Reader.Count > 0) await Task.Delay(20, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunOneAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Events are best effort, as in kube-scheduler: a failed write is logged, not retried forever.
            LogWriteFailed(e.Message);
        }
    }

    private void Enqueue(Func<CancellationToken, Task> work) => _work.Writer.TryWrite(work);

    private static string NewEventName(PodInfo pod, DateTime now) => $"{pod.Name}.{now.Ticks:x}";

    private async Task CreateEventAsync(PodInfo pod, string type, string reason, string action, string note, string name, DateTime now, CancellationToken ct,
        V1ObjectReference? related = null)
    {
        var ev = new Eventsv1Event
        {
            ApiVersion = "events.k8s.io/v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = pod.NamespaceName },
            EventTime = now,
            ReportingController = _controller,
            ReportingInstance = _instance,
            Action = action,
            Reason = reason,
            Type = type,
            Note = note.Length > 1024 ? note[..1024] : note,
            Regarding = new V1ObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Name, NamespaceProperty = pod.NamespaceName, Uid = pod.Uid },
            Related = related,
        };
        await _client.EventsV1.CreateNamespacedEventAsync(ev, pod.NamespaceName, cancellationToken: ct).ConfigureAwait(false);
        Interlocked.Increment(ref _eventsWritten);
    }

    private async Task PatchSeriesAsync(PodInfo pod, string name, int count, DateTime now, CancellationToken ct)
    {
        string body = KubernetesJson.Serialize(new { series = new { count, lastObservedTime = now.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ") } });
        await _client.EventsV1.PatchNamespacedEventAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), name, pod.NamespaceName, cancellationToken: ct).ConfigureAwait(false);
        Interlocked.Increment(ref _eventsWritten);
    }

    /// <summary>
    /// One strategic-merge status patch: the PodScheduled=False condition when <paramref name="reason"/>
    /// is given, and status.nominatedNodeName when <paramref name="nominatedNodeName"/> is ("" removes it).
    /// </summary>
    private async Task PatchConditionAsync(PodInfo pod, string? reason, string? message, string? nominatedNodeName, DateTime now, CancellationToken ct)
    {
        var status = new Dictionary<string, object?>();
        if (reason is not null)
        {
            status["conditions"] = new[]
            {
                new { type = "PodScheduled", status = "False", reason, message, lastTransitionTime = now.ToString("yyyy-MM-ddTHH:mm:ssZ") },
            };
        }
        if (nominatedNodeName is not null) status["nominatedNodeName"] = nominatedNodeName.Length == 0 ? null : nominatedNodeName;
        string body = KubernetesJson.Serialize(new Dictionary<string, object> { ["status"] = status });
        await _client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(body, V1Patch.PatchType.StrategicMergePatch), pod.Name, pod.NamespaceName, cancellationToken: ct).ConfigureAwait(false);
        Interlocked.Increment(ref _conditionsWritten);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "could not write event or pod condition: {Error}")]
    private partial void LogWriteFailed(string error);
}
