using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>KubernetesClient's own LeaderElector with a LeaseLock (get / create / replace with optimistic concurrency).</summary>
public sealed class LeaderElectionTests
{
    [Fact]
    public async Task LeaderElectorAcquiresRenewsAndHandsOver()
    {
        await using var server = await TestApiServer.StartAsync();
        using var clientA = server.CreateClient();
        using var clientB = server.CreateClient();

        var (electorA, leadingA) = Elector(new LeaseLock(clientA, "kube-system", "packing-scheduler", "replica-a"));
        using var stopA = new CancellationTokenSource();
        var runA = electorA.RunUntilLeadershipLostAsync(stopA.Token);
        await leadingA.Task.WaitAsync(EventCollector<object>.Guard);

        var lease = server.Get<V1Lease>("packing-scheduler", "kube-system")!;
        Assert.Equal("replica-a", lease.Spec.HolderIdentity);
        Assert.True(electorA.IsLeader());

        // Renewals go through replace with the cached resourceVersion.
        var firstVersion = long.Parse(lease.Metadata.ResourceVersion);
        await ControlTests.Eventually(() => long.Parse(server.Get<V1Lease>("packing-scheduler", "kube-system")!.Metadata.ResourceVersion) > firstVersion);

        // A second candidate sees the leader and waits while the lease is held.
        var (electorB, leadingB) = Elector(new LeaseLock(clientB, "kube-system", "packing-scheduler", "replica-b"));
        var observedLeader = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        electorB.OnNewLeader += leader => observedLeader.TrySetResult(leader);
        using var stopB = new CancellationTokenSource();
        var runB = electorB.RunUntilLeadershipLostAsync(stopB.Token);
        Assert.Equal("replica-a", await observedLeader.Task.WaitAsync(EventCollector<object>.Guard));
        Assert.False(leadingB.Task.IsCompleted);

        // A steps down and releases the lease; B creates it anew and leads.
        await stopA.CancelAsync();
        await Stopped(runA);
        await clientA.CoordinationV1.DeleteNamespacedLeaseAsync("packing-scheduler", "kube-system");
        await leadingB.Task.WaitAsync(EventCollector<object>.Guard);
        Assert.Equal("replica-b", server.Get<V1Lease>("packing-scheduler", "kube-system")!.Spec.HolderIdentity);
        Assert.True(electorB.IsLeader());

        await stopB.CancelAsync();
        await Stopped(runB);
    }

    /// <summary>A cancelled elector either throws OperationCanceledException or returns after OnStoppedLeading.</summary>
    private static async Task Stopped(Task run)
    {
        try
        {
            await run.WaitAsync(EventCollector<object>.Guard);
        }
        catch (OperationCanceledException)
        {
            // Expected.
        }
    }

    private static (LeaderElector Elector, TaskCompletionSource Leading) Elector(LeaseLock lease)
    {
        var elector = new LeaderElector(new LeaderElectionConfig(lease)
        {
            // Long enough that no renewal stall on a busy test machine lets the other candidate in.
            LeaseDuration = TimeSpan.FromSeconds(10),
            RenewDeadline = TimeSpan.FromSeconds(8),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        });
        var leading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        elector.OnStartedLeading += () => leading.TrySetResult();
        return (elector, leading);
    }
}
