using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Queue;
using PackingScheduler.Core.Scheduling;
using Prometheus;

namespace PackingScheduler.Hosting;

/// <summary>
/// kube-scheduler's metrics where the meaning is the same, plus a packing gauge. Each scheduler
/// instance has its own registry, so replicas in one process (tests) do not mix their numbers.
/// </summary>
public sealed class PrometheusMetrics : ISchedulerMetrics
{
    /// <summary>The cores an 8-core pilot needs, in millicores: the packing gauge counts nodes with this much free.</summary>
    public const long MulticoreSlotMilliCpu = 8000;

    private readonly Counter _attempts;
    private readonly Histogram _attemptDuration;
    private readonly Histogram _podSchedulingDuration;
    private readonly Histogram _bindingDuration;
    private readonly Counter _bindings;
    private readonly Gauge _pending;
    private readonly Gauge _cacheSize;
    private readonly Gauge _multicoreSlots;
    private readonly Counter _preemptionAttempts;
    private readonly Histogram _preemptionVictims;

    public PrometheusMetrics(string profile)
    {
        Registry = Metrics.NewCustomRegistry();
        MetricFactory f = Metrics.WithCustomRegistry(Registry);
        Profile = profile;
        double[] latency = Histogram.ExponentialBuckets(0.0001, 2, 20);
        _attempts = f.CreateCounter("scheduler_schedule_attempts_total",
            "Number of attempts to schedule pods, by the result.", "result", "profile");
        _attemptDuration = f.CreateHistogram("scheduler_scheduling_attempt_duration_seconds",
            "Scheduling attempt latency in seconds (scheduling algorithm + binding).",
            new HistogramConfiguration { LabelNames = new[] { "result", "profile" }, Buckets = latency });
        _podSchedulingDuration = f.CreateHistogram("scheduler_pod_scheduling_duration_seconds",
            "E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue, which may include multiple scheduling attempts.",
            new HistogramConfiguration { LabelNames = new[] { "attempts" }, Buckets = Histogram.ExponentialBuckets(0.01, 2, 20) });
        _bindingDuration = f.CreateHistogram("scheduler_binding_duration_seconds",
            "Binding latency in seconds.", new HistogramConfiguration { Buckets = latency });
        _bindings = f.CreateCounter("packing_scheduler_bindings_total", "Binding calls by outcome (Bound, AlreadyBound, Gone, Failed).", "outcome");
        _pending = f.CreateGauge("scheduler_pending_pods", "Number of pending pods, by the queue type.", "queue");
        _cacheSize = f.CreateGauge("scheduler_cache_size", "Number of nodes, pods, and assumed (bound) pods in the scheduler cache.", "type");
        _multicoreSlots = f.CreateGauge("packing_scheduler_nodes_fitting_multicore_pilot",
            "Schedulable nodes with at least 8 free cores (cpu requests), i.e. that could still take an 8-core pilot.");
        // kube-scheduler's names, help texts and buckets (#victims over 64 is rare: one bucket).
        _preemptionAttempts = f.CreateCounter("scheduler_preemption_attempts_total", "Total preemption attempts in the cluster till now");
        _preemptionVictims = f.CreateHistogram("scheduler_preemption_victims", "Number of selected preemption victims",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 7) });
    }

    public CollectorRegistry Registry { get; }
    public string Profile { get; }

    public void Attempt(string result, TimeSpan duration)
    {
        _attempts.WithLabels(result, Profile).Inc();
        _attemptDuration.WithLabels(result, Profile).Observe(duration.TotalSeconds);
    }

    public void PodScheduled(int attempts, TimeSpan sinceFirstQueued) =>
        _podSchedulingDuration.WithLabels(attempts >= 15 ? "15+" : attempts.ToString()).Observe(sinceFirstQueued.TotalSeconds);

    public void Binding(string outcome, TimeSpan duration)
    {
        _bindings.WithLabels(outcome).Inc();
        _bindingDuration.Observe(duration.TotalSeconds);
    }

    public void PreemptionAttempt() => _preemptionAttempts.Inc();

    public void PreemptionVictims(int victims) => _preemptionVictims.Observe(victims);

    /// <summary>Gauges read from the queue and the cache just before each scrape.</summary>
    public void ObserveOnScrape(SchedulingQueue queue, SchedulerCache cache)
    {
        Registry.AddBeforeCollectCallback(() =>
        {
            (int active, int backoff, int unschedulable) = queue.PendingCounts;
            _pending.WithLabels("active").Set(active);
            _pending.WithLabels("backoff").Set(backoff);
            _pending.WithLabels("unschedulable").Set(unschedulable);
            _pending.WithLabels("gated").Set(0);
            (int nodes, int pods, int slots) = cache.Read(state =>
            {
                int free = 0;
                foreach (NodeInfo n in state.Nodes)
                {
                    if (!n.Unschedulable && n.Allocatable.MilliCpu - n.Requested.MilliCpu >= MulticoreSlotMilliCpu) free++;
                }
                return (state.Nodes.Count, state.PodCount, free);
            });
            _cacheSize.WithLabels("nodes").Set(nodes);
            _cacheSize.WithLabels("pods").Set(pods);
            _cacheSize.WithLabels("assumed_pods").Set(cache.AssumedCount);
            _multicoreSlots.Set(slots);
        });
    }
}
