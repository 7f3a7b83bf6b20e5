using System.Collections.Concurrent;
using System.Diagnostics;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Policy;
using PackingScheduler.Core.Queue;
using PackingScheduler.Core.Scheduling;
using PackingScheduler.Core.Tests.Queue;
using PackingScheduler.Core.Tests.Support;
using PackingScheduler.Core.Translation;

namespace PackingScheduler.Core.Tests.Scheduling;

/// <summary>
/// A binder whose outcomes are scripted per pod (Bound by default) and which, while blocking,
/// holds every call until the test releases it (or the call's token is cancelled).
/// </summary>
internal sealed class FakeBinder : IBinder
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Queue<Func<(BindOutcome, string?)>>> _script = new(StringComparer.Ordinal);
    private readonly Queue<TaskCompletionSource> _waiting = new();
    private readonly List<(string Pod, string Node)> _entered = new();
    private readonly List<(string Pod, string Node, BindOutcome Outcome)> _completed = new();
    private bool _blocking;

    /// <summary>The next call for <paramref name="pod"/> returns <paramref name="outcome"/>; later ones, the next scripted or Bound.</summary>
    public FakeBinder Then(string pod, BindOutcome outcome, string? error = null) => Enqueue(pod, () => (outcome, error));

    /// <summary>The next call for <paramref name="pod"/> throws.</summary>
    public FakeBinder ThenThrow(string pod, Exception e) => Enqueue(pod, () => throw e);

    private FakeBinder Enqueue(string pod, Func<(BindOutcome, string?)> next)
    {
        lock (_lock)
        {
            if (!_script.TryGetValue(pod, out var q)) _script[pod] = q = new Queue<Func<(BindOutcome, string?)>>();
            q.Enqueue(next);
        }
        return this;
    }

    /// <summary>From now on every call waits until released.</summary>
    public void Block()
    {
        lock (_lock) _blocking = true;
    }

    /// <summary>Lets the <paramref name="count"/> longest-waiting calls go on.</summary>
    public void Release(int count = 1)
    {
        lock (_lock)
        {
            while (count > 0 && _waiting.TryDequeue(out TaskCompletionSource? gate))
            {
                if (gate.TrySetResult()) count--;
            }
        }
    }

    /// <summary>Stops blocking and lets every waiting call go on.</summary>
    public void ReleaseAll()
    {
        lock (_lock)
        {
            _blocking = false;
            while (_waiting.TryDequeue(out TaskCompletionSource? gate)) gate.TrySetResult();
        }
    }

    /// <summary>Calls blocked right now.</summary>
    public int Waiting
    {
        get { lock (_lock) return _waiting.Count(g => !g.Task.IsCompleted); }
    }

    /// <summary>Every call, in the order they started.</summary>
    public IReadOnlyList<(string Pod, string Node)> Entered
    {
        get { lock (_lock) return _entered.ToList(); }
    }

    /// <summary>Calls that returned an outcome (not those that threw or were cancelled).</summary>
    public IReadOnlyList<(string Pod, string Node, BindOutcome Outcome)> Completed
    {
        get { lock (_lock) return _completed.ToList(); }
    }

    public async Task<(BindOutcome Outcome, string? Error)> BindAsync(PodInfo pod, string nodeName, CancellationToken cancellationToken)
    {
        TaskCompletionSource? gate = null;
        lock (_lock)
        {
            _entered.Add((pod.Name, nodeName));
            if (_blocking)
            {
                gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Enqueue(gate);
            }
        }
        // As the API client does: an aborted call fails.
        cancellationToken.ThrowIfCancellationRequested();
        if (gate is not null)
        {
            using CancellationTokenRegistration reg = cancellationToken.Register(() => gate.TrySetCanceled(cancellationToken));
            await gate.Task.ConfigureAwait(false);
        }
        Func<(BindOutcome, string?)>? next = null;
        lock (_lock)
        {
            if (_script.TryGetValue(pod.Name, out var q)) q.TryDequeue(out next);
        }
        (BindOutcome outcome, string? error) = next is null ? (BindOutcome.Bound, null) : next();
        lock (_lock) _completed.Add((pod.Name, nodeName, outcome));
        return (outcome, error);
    }
}

/// <summary>What the loop reported, in order.</summary>
internal sealed class RecordingReporter : ISchedulingReporter
{
    /// <summary><see cref="Nomination"/>: what the report wrote to status.nominatedNodeName (a node, "" cleared, null untouched).</summary>
    public sealed record Report(string Kind, string Pod, string? Node, string? Reason, string? Message, string? Nomination = null);

    private readonly ConcurrentQueue<Report> _reports = new();

    public IReadOnlyList<Report> All => _reports.ToArray();

    public IReadOnlyList<Report> Scheduled => All.Where(r => r.Kind == "Scheduled").ToList();

    public IReadOnlyList<Report> Failed => All.Where(r => r.Kind == "FailedScheduling").ToList();

    public IReadOnlyList<Report> For(string pod) => All.Where(r => r.Pod == pod).ToList();

    void ISchedulingReporter.Scheduled(PodInfo pod, string nodeName) =>
        _reports.Enqueue(new Report("Scheduled", pod.Name, nodeName, null, null));

    void ISchedulingReporter.FailedScheduling(PodInfo pod, string reason, string message) =>
        _reports.Enqueue(new Report("FailedScheduling", pod.Name, null, reason, message));

    void ISchedulingReporter.FailedScheduling(PodInfo pod, string reason, string message, string? nominatedNodeName) =>
        _reports.Enqueue(new Report("FailedScheduling", pod.Name, null, reason, message, nominatedNodeName));

    void ISchedulingReporter.ClearNomination(PodInfo pod) =>
        _reports.Enqueue(new Report("ClearNomination", pod.Name, null, null, null, ""));
}

/// <summary>Records every eviction the loop asks for; outcomes scripted per victim (Preempted by default).</summary>
internal sealed class FakePreemptionExecutor : IPreemptionExecutor
{
    private readonly ConcurrentQueue<(string Preemptor, string Victim, string Node)> _calls = new();
    private readonly ConcurrentDictionary<string, (PreemptOutcome, string?)> _script = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Preemptor, string Victim, string Node)> Calls => _calls.ToArray();

    /// <summary>Every call for <paramref name="victim"/> returns <paramref name="outcome"/>.</summary>
    public FakePreemptionExecutor Returns(string victim, PreemptOutcome outcome, string? error = null)
    {
        _script[victim] = (outcome, error);
        return this;
    }

    public Task<(PreemptOutcome Outcome, string? Error)> PreemptAsync(PodInfo preemptor, PodInfo victim, string nodeName, CancellationToken cancellationToken)
    {
        _calls.Enqueue((preemptor.Name, victim.Name, nodeName));
        return Task.FromResult(_script.TryGetValue(victim.Name, out var scripted) ? scripted : (PreemptOutcome.Preempted, (string?)null));
    }
}

/// <summary>Counts what the loop measures.</summary>
internal sealed class CountingMetrics : ISchedulerMetrics
{
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _bindings = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(int Attempts, TimeSpan SinceFirstQueued)> _scheduled = new();
    private readonly ConcurrentQueue<int> _victims = new();
    private int _negativeDurations;
    private int _preemptionAttempts;

    public int PreemptionAttempts => Volatile.Read(ref _preemptionAttempts);

    /// <summary>The victim count of each preemption carried out.</summary>
    public IReadOnlyList<int> Victims => _victims.ToArray();

    public void PreemptionAttempt() => Interlocked.Increment(ref _preemptionAttempts);

    public void PreemptionVictims(int victims) => _victims.Enqueue(victims);

    public int Attempts(string result) => _attempts.GetValueOrDefault(result);

    public int TotalAttempts => _attempts.Values.Sum();

    public int Bindings(string outcome) => _bindings.GetValueOrDefault(outcome);

    public IReadOnlyList<(int Attempts, TimeSpan SinceFirstQueued)> PodsScheduled => _scheduled.ToArray();

    public int NegativeDurations => Volatile.Read(ref _negativeDurations);

    public void Attempt(string result, TimeSpan duration)
    {
        Check(duration);
        _attempts.AddOrUpdate(result, 1, (_, n) => n + 1);
    }

    public void PodScheduled(int attempts, TimeSpan sinceFirstQueued)
    {
        Check(sinceFirstQueued);
        _scheduled.Enqueue((attempts, sinceFirstQueued));
    }

    public void Binding(string outcome, TimeSpan duration)
    {
        Check(duration);
        _bindings.AddOrUpdate(outcome, 1, (_, n) => n + 1);
    }

    private void Check(TimeSpan d)
    {
        if (d < TimeSpan.Zero) Interlocked.Increment(ref _negativeDurations);
    }
}

/// <summary>
/// A scheduling loop over the real queue (fake clock), cache and engine (NodePacking profile),
/// with the fakes above. Pods and nodes go through the real translator.
/// </summary>
internal sealed class LoopHarness : IAsyncDisposable
{
    /// <summary>Generous bound on waits that must end; a hang fails the test instead of the run.</summary>
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private long _order;

    /// <param name="preemption">Give the loop an executor (<see cref="Evictions"/>), so that it preempts.</param>
    public LoopHarness(int bindConcurrency = 2, int bindQueueCapacity = 16, bool preemption = false)
    {
        Translator = new ObjectTranslator(Interner);
        Cache = new SchedulerCache(Interner);
        Queue = new SchedulingQueue(Clock);
        Engine = new SchedulingEngine(SchedulerProfile.NodePacking(), Interner);
        Loop = new SchedulerLoop(Queue, Cache, Engine, Binder, Reporter, Metrics, Clock, bindConcurrency, bindQueueCapacity,
            preemption ? Evictions : null);
    }

    public FakePreemptionExecutor Evictions { get; } = new();

    public Interner Interner { get; } = new();
    public ObjectTranslator Translator { get; }
    public FakeClock Clock { get; } = new();
    public SchedulerCache Cache { get; }
    public SchedulingQueue Queue { get; }
    public SchedulingEngine Engine { get; }
    public FakeBinder Binder { get; } = new();
    public RecordingReporter Reporter { get; } = new();
    public CountingMetrics Metrics { get; } = new();
    public SchedulerLoop Loop { get; }
    public Task? Run { get; private set; }

    public LoopHarness Nodes(params NodeBuilder[] nodes)
    {
        foreach (NodeBuilder n in nodes) Cache.Write(s => s.AddOrUpdateNode(Translator.TranslateNode(n.Build())));
        return this;
    }

    /// <summary>A pending pod, queued; pods added earlier pop first.</summary>
    public PodInfo Add(PodBuilder pod, int priority = 0, bool preemptionNever = false)
    {
        PodInfo info = Translator.TranslatePod(pod.Build(), priority, preemptionNever, order: ++_order);
        Queue.Add(info);
        return info;
    }

    /// <summary>A pod as the watch sees it once bound (spec.nodeName set).</summary>
    public PodInfo BoundPod(PodBuilder pod, int priority = 0) => Translator.TranslatePod(pod.Build(), priority, order: ++_order);

    /// <summary>A bound pod the watch delivered: counted on its node in the cache.</summary>
    public PodInfo Running(PodBuilder pod, int priority = 0)
    {
        PodInfo info = BoundPod(pod, priority);
        Cache.AddOrUpdateBoundPod(info);
        return info;
    }

    /// <summary>What the watch's deletion of a bound pod does: it leaves the cache, and unschedulable pods move.</summary>
    public void WatchDeletes(string pod)
    {
        if (Cache.RemovePod("default/" + pod)) Queue.MoveAllToActiveOrBackoff("AssignedPodDelete");
    }

    /// <summary>The node the pod is nominated to in the cache's state, or null.</summary>
    public string? Nominated(string pod) => Cache.Read(s => s.FindNominated("default/" + pod)?.NominatedNodeName);

    /// <summary>Runs the loop in the background; <see cref="Run"/> ends when it stops.</summary>
    public void Start()
    {
        Assert.Null(Run);
        Run = Task.Run(() => Loop.RunAsync(_stop.Token, _abort.Token));
    }

    /// <summary>Stops scheduling (bindings already queued drain) and, optionally, aborts the bindings too.</summary>
    public void Stop(bool abortBindings = false)
    {
        _stop.Cancel();
        if (abortBindings) _abort.Cancel();
    }

    public async Task StopAndWaitAsync(bool abortBindings = false)
    {
        Stop(abortBindings);
        await Run!.WaitAsync(Safety);
    }

    public long MilliCpu(string node) => Cache.Read(s => s.FindNode(node)!.Requested.MilliCpu);

    /// <summary>The node the cache counts the pod on, or null when the cache does not hold it.</summary>
    public string? CachedNode(string pod) => Cache.Read(s => s.FindPod("default/" + pod)?.NodeName);

    public QueueLocation Location(string pod) => Queue.GetLocation("default/" + pod);

    /// <summary>Moves pods whose backoff has run out to activeQ, after advancing the clock.</summary>
    public int AdvanceAndFlushBackoff(TimeSpan by)
    {
        Clock.Advance(by);
        return Queue.FlushBackoffCompleted();
    }

    /// <summary>Waits (polling) until <paramref name="condition"/> holds; fails after <see cref="Safety"/>.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Safety) throw new TimeoutException($"timed out waiting until {what}");
            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Binder.ReleaseAll();
        if (Run is not null)
        {
            try
            {
                await Run.WaitAsync(Safety);
            }
            catch (TimeoutException)
            {
                // Reported by the test's own assertions; do not mask them.
            }
        }
        Queue.Close();
        _stop.Dispose();
        _abort.Dispose();
    }
}
