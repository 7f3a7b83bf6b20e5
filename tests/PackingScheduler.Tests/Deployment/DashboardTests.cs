using System.Text.Json;
using System.Text.RegularExpressions;
using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Queue;
using PackingScheduler.Hosting;
using Prometheus;

namespace PackingScheduler.Tests.Deployment;

/// <summary>The Grafana dashboard queries only metrics the scheduler exports, and covers what operators watch.</summary>
public sealed partial class DashboardTests
{
    private static string DashboardPath => Path.Combine(RepoPaths.Root, "manifests", "monitoring", "packing-scheduler-dashboard.json");

    private static List<string> Expressions()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var exprs = new List<string>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    if (p.Name == "expr" && p.Value.ValueKind == JsonValueKind.String) exprs.Add(p.Value.GetString()!);
                    else Walk(p.Value);
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement x in e.EnumerateArray()) Walk(x);
            }
        }
        Walk(doc.RootElement);
        return exprs;
    }

    /// <summary>Metric families in a real scrape of the scheduler's registry, with every labelled series present.</summary>
    private static async Task<HashSet<string>> ExportedFamilies()
    {
        var metrics = new PrometheusMetrics(ClusterBuilderName);
        metrics.ObserveOnScrape(new SchedulingQueue(SystemClock.Instance, SchedulingQueueOptions.FromSeconds(1, 10)), new SchedulerCache(new Interner()));
        metrics.Attempt("scheduled", TimeSpan.FromMilliseconds(3));
        metrics.Binding("Bound", TimeSpan.FromMilliseconds(5));
        metrics.PodScheduled(1, TimeSpan.FromSeconds(1));
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text);
        string scrape = System.Text.Encoding.UTF8.GetString(text.ToArray());
        return TypeLine().Matches(scrape).Select(m => m.Groups[1].Value).ToHashSet();
    }

    private const string ClusterBuilderName = "node-packing-scheduler";

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{")]
    private static partial Regex SelectorMetric();

    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_exported_by_the_scheduler()
    {
        HashSet<string> families = await ExportedFamilies();
        List<string> exprs = Expressions();
        Assert.NotEmpty(exprs);
        foreach (string expr in exprs)
        {
            MatchCollection used = SelectorMetric().Matches(expr);
            Assert.True(used.Count > 0, $"cannot find a metric in: {expr}");
            foreach (Match m in used)
            {
                string name = m.Groups[1].Value;
                if (name is "by" or "on" or "without" or "ignoring") continue;
                string family = Regex.Replace(name, "_(bucket|sum|count)$", "");
                Assert.True(families.Contains(name) || families.Contains(family),
                    $"the dashboard queries {name}, which the scheduler does not export ({string.Join(", ", families.Order())})");
            }
        }
    }

    [Fact]
    public void The_dashboard_shows_attempts_latency_queues_binding_errors_and_multicore_slots()
    {
        List<string> exprs = Expressions();
        Assert.Contains(exprs, e => e.Contains("scheduler_schedule_attempts_total") && e.Contains("by (result)"));
        Assert.Contains(exprs, e => e.Contains("histogram_quantile(") && e.Contains("scheduler_scheduling_attempt_duration_seconds_bucket"));
        Assert.Contains(exprs, e => e.Contains("scheduler_pending_pods") && e.Contains("by (queue)"));
        Assert.Contains(exprs, e => e.Contains("packing_scheduler_bindings_total") && e.Contains("by (outcome)"));
        Assert.Contains(exprs, e => e.Contains("packing_scheduler_bindings_total") && e.Contains("outcome=\"Failed\""));
        Assert.Contains(exprs, e => e.Contains("packing_scheduler_nodes_fitting_multicore_pilot"));
    }
}
