using System.Diagnostics;
using k8s.Models;
using PackingScheduler.Hosting;
using PackingScheduler.TestApiServer;
using PackingScheduler.Tests.Live;
using Xunit.Abstractions;

namespace PackingScheduler.Tests.Reliability;

/// <summary>Two replicas with leader election; the leader stops while pods keep arriving and bindings are in flight.</summary>
[Trait("Category", "Reliability")]
[Collection(LiveCollection.Name)]
public sealed class LeaderFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private static Action<SchedulerOptions> Replica(string identity) => o =>
    {
        o.LeaderElect = true;
        o.LeaseDuration = Lease;
        o.RenewDeadline = TimeSpan.FromSeconds(2);
        o.RetryPeriod = TimeSpan.FromMilliseconds(250);
        o.Identity = identity;
        // Stopping gives bindings in flight 100 ms; the API server holds each for 400 ms, so the old
        // leader's last bindings are abandoned, not finished: those pods are the standby's to bind.
        o.DrainTimeout = TimeSpan.FromMilliseconds(100);
    };

    [Fact]
    public async Task The_standby_takes_over_within_the_lease_and_no_pod_in_flight_is_lost()
    {
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(20, 32);
        LiveScheduler a = await c.StartSchedulerAsync(Replica("replica-a"));
        await WaitForAsync(() => a.Service.IsLeading, "replica-a leads");
        LiveScheduler b = await c.StartSchedulerAsync(Replica("replica-b"));
        c.Server.InjectFault(r => r.Subresource == "binding" && r.Verb == "create", FaultAction.Delay(TimeSpan.FromMilliseconds(400)));

        // Pods arrive steadily, 300 over about 3 s; the leader is stopped half way through.
        Task producer = Task.Run(async () =>
        {
            for (int i = 0; i < 300; i++)
            {
                c.CreatePod($"pilot-{i:D3}", i % 4 == 0 ? 2 : 1);
                if (i % 5 == 4) await Task.Delay(50);
            }
        });
        await WaitForAsync(() => c.Server.List<V1Pod>().Count(p => p.Spec.NodeName is not null) >= 50, "the leader has bound 50 pods");
        long inFlight = a.Service.Loop!.InFlightBindings;
        Assert.True(inFlight > 0, "the leader had no binding in flight when it stopped");
        var stopping = Stopwatch.StartNew();
        await a.StopAsync();
        await WaitForAsync(() => b.Service.IsLeading, "replica-b takes over");
        TimeSpan takeover = stopping.Elapsed;
        await producer;

        await c.AssertNothingLostAsync(allBound: true, scheduler: b);
        // The old leader released nothing: the standby waits out the lease, and a generous margin on top.
        Assert.True(takeover < Lease + TimeSpan.FromSeconds(10), $"the standby took {takeover.TotalSeconds:0.0} s to take over (lease {Lease.TotalSeconds} s)");
        Assert.Equal(300, c.OurPods().Count);
        // Bindings the old leader had sent were abandoned when it stopped (logged without an answer), yet every pod is bound.
        int abandoned = c.Server.Requests.Count(r => r.Subresource == "binding" && r.StatusCode == 0);
        Assert.True(abandoned > 0, "no binding was in flight at the old leader when it stopped");
        output.WriteLine($"takeover {takeover.TotalSeconds:0.00} s after the leader began stopping (lease {Lease.TotalSeconds} s); " +
                         $"{inFlight} bindings in flight at the old leader, {abandoned} abandoned; 409 answers: {c.BindingRequests(409)}");
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + ReliabilityCluster.Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not reached within {ReliabilityCluster.Patience}");
            await Task.Delay(20);
        }
    }
}
