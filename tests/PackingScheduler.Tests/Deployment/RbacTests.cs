using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using PackingScheduler.Cli;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Queue;
using PackingScheduler.Core.Translation;
using PackingScheduler.Hosting;
using PackingScheduler.Kubernetes;
using PackingScheduler.TestApiServer;
using PackingScheduler.Tests.Live;
using Server = PackingScheduler.TestApiServer.TestApiServer;

namespace PackingScheduler.Tests.Deployment;

/// <summary>
/// The RBAC rules in manifests/ against the API calls the scheduler really makes: the live
/// scheduler runs against the recording test API server (leader election on, one pod bound, one
/// unschedulable, one preempting the first), and every logged request must be allowed by a rule,
/// and every rule used.
/// </summary>
[Collection(LiveCollection.Name)]
public sealed class RbacTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>One API call as the authorizer sees it: verb, group, resource[/subresource], namespace, name.</summary>
    private sealed record Call(string Verb, string Group, string Resource, string? Namespace, string? Name)
    {
        public override string ToString() =>
            $"{Verb} {(Group.Length > 0 ? Group : "core")}/{Resource}{(Namespace is null ? "" : " in " + Namespace)}{(Name is null ? "" : " name=" + Name)}";
    }

    /// <summary>One (verb, group, resource) a rule grants, where it applies, and the names it is limited to.</summary>
    private sealed record Grant(string Verb, string Group, string Resource, string? Namespace, IReadOnlyList<string> ResourceNames, string From)
    {
        public bool Allows(Call c) =>
            c.Verb == Verb && c.Group == Group && c.Resource == Resource
            && (Namespace is null || c.Namespace == Namespace)
            && (ResourceNames.Count == 0 || (c.Name is not null && ResourceNames.Contains(c.Name)));

        public override string ToString() =>
            $"{Verb} {(Group.Length > 0 ? Group : "core")}/{Resource}{(Namespace is null ? "" : " in " + Namespace)}" +
            $"{(ResourceNames.Count == 0 ? "" : " names=" + string.Join(",", ResourceNames))} ({From})";
    }

    private sealed class ManualClock(DateTime start) : IClock
    {
        public DateTime UtcNow { get; set; } = start;

        public Task Delay(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
    }

    /// <summary>What the scheduler's service account may do, through the bindings in the base.</summary>
    private static List<Grant> Grants()
    {
        V1ServiceAccount sa = RenderedManifests.Single<V1ServiceAccount>();
        bool IsOurs(IList<Rbacv1Subject>? subjects) =>
            subjects?.Any(s => s.Kind == "ServiceAccount" && s.Name == sa.Metadata.Name && s.NamespaceProperty == sa.Metadata.NamespaceProperty) == true;

        var grants = new List<Grant>();
        foreach (V1ClusterRoleBinding b in RenderedManifests.All<V1ClusterRoleBinding>().Where(b => IsOurs(b.Subjects)))
        {
            Assert.Equal("ClusterRole", b.RoleRef.Kind);
            V1ClusterRole role = Assert.Single(RenderedManifests.All<V1ClusterRole>(), r => r.Metadata.Name == b.RoleRef.Name);
            grants.AddRange(Expand(role.Rules, null, $"ClusterRole {role.Metadata.Name}"));
        }
        foreach (V1RoleBinding b in RenderedManifests.All<V1RoleBinding>().Where(b => IsOurs(b.Subjects)))
        {
            Assert.Equal("Role", b.RoleRef.Kind);
            V1Role role = Assert.Single(RenderedManifests.All<V1Role>(),
                r => r.Metadata.Name == b.RoleRef.Name && r.Metadata.NamespaceProperty == b.Metadata.NamespaceProperty);
            grants.AddRange(Expand(role.Rules, b.Metadata.NamespaceProperty, $"Role {role.Metadata.NamespaceProperty}/{role.Metadata.Name}"));
        }
        return grants;
    }

    private static IEnumerable<Grant> Expand(IList<V1PolicyRule> rules, string? ns, string from)
    {
        foreach (V1PolicyRule r in rules)
        {
            Assert.True(r.NonResourceURLs is null or { Count: 0 }, $"{from}: the scheduler requests no non-resource URLs");
            foreach (string group in r.ApiGroups)
                foreach (string resource in r.Resources)
                    foreach (string verb in r.Verbs)
                        yield return new Grant(verb, group, resource, ns, r.ResourceNames?.ToList() ?? [], from);
        }
    }

    [Fact]
    public void Rules_have_no_wildcards_no_secrets_and_leave_kube_scheduler_alone()
    {
        var rules = RenderedManifests.All<V1ClusterRole>().SelectMany(r => r.Rules.Select(x => (Rule: x, From: $"ClusterRole {r.Metadata.Name}")))
            .Concat(RenderedManifests.All<V1Role>().SelectMany(r => r.Rules.Select(x => (Rule: x, From: $"Role {r.Metadata.Name}"))));
        foreach ((V1PolicyRule rule, string from) in rules)
        {
            IEnumerable<string> fields = rule.ApiGroups.Concat(rule.Resources).Concat(rule.Verbs).Concat(rule.ResourceNames ?? []);
            Assert.DoesNotContain(fields, f => f.Contains('*'));
            Assert.DoesNotContain(rule.Resources, r => r is "secrets" or "configmaps" or "serviceaccounts/token");
            Assert.DoesNotContain(rule.Verbs, v => v is "escalate" or "bind" or "impersonate" or "deletecollection");
        }
        foreach (V1ClusterRole r in RenderedManifests.All<V1ClusterRole>())
            Assert.False(r.Metadata.Name.StartsWith("system:", StringComparison.Ordinal), $"ClusterRole {r.Metadata.Name}: system: roles belong to Kubernetes");
        foreach (V1ClusterRoleBinding b in RenderedManifests.All<V1ClusterRoleBinding>())
            Assert.False(b.RoleRef.Name.StartsWith("system:", StringComparison.Ordinal), $"ClusterRoleBinding {b.Metadata.Name} binds {b.RoleRef.Name}");
        Assert.NotEmpty(Grants());
    }

    [Fact]
    public void The_lease_role_is_in_the_namespace_and_name_the_deployment_elects_on()
    {
        V1Deployment d = RenderedManifests.Single<V1Deployment>();
        string[] args = d.Spec.Template.Spec.Containers[0].Args.Skip(1)
            .Select(a => a.StartsWith("--config=", StringComparison.Ordinal) ? "--config=" + Path.Combine(RepoPaths.Policies, "node-packing.yaml") : a)
            .ToArray();
        SchedulerOptions o = RunCommand.ParseOptions(args);
        List<Grant> leases = Grants().Where(g => g.Group == "coordination.k8s.io" && g.Resource == "leases").ToList();
        Assert.Contains(leases, g => g.Verb == "create" && g.Namespace == o.LockNamespace);
        foreach (string verb in new[] { "get", "update" })
            Assert.Contains(leases, g => g.Verb == verb && g.Allows(new Call(verb, g.Group, g.Resource, o.LockNamespace, o.LockName)));
        Assert.All(leases, g => Assert.Equal(o.LockNamespace, g.Namespace));
    }

    [Fact]
    public async Task Every_call_of_a_live_run_is_allowed_and_every_rule_is_used()
    {
        // The server plays the kubelet, so that a preemption victim's graceful deletion finishes.
        await using Server server = await Server.StartAsync(new TestApiServerOptions { Kubelet = KubeletMode.FixedDelay, KubeletDelay = TimeSpan.FromMilliseconds(100) });
        server.Create(ClusterBuilder.Node("wn-1", 16));
        server.Create(new V1Namespace { Metadata = new V1ObjectMeta { Name = "atlas" } });
        server.Create(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "production" }, Value = 1000 });
        server.Create(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "pilots", NamespaceProperty = "atlas" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "pilot" } } },
            Status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 1 },
        });

        // The deployment's own configuration (lock name and namespace, profile); only the timings
        // are shortened so that the lease is renewed (an update) within the test.
        SchedulerOptions deployed = RunCommand.ParseOptions(
            RenderedManifests.Single<V1Deployment>().Spec.Template.Spec.Containers[0].Args.Skip(1)
                .Select(a => a.StartsWith("--config=", StringComparison.Ordinal) ? "--config=" + Path.Combine(RepoPaths.Policies, "node-packing.yaml") : a)
                .ToArray());
        Assert.True(deployed.LeaderElect);
        await using (LiveScheduler scheduler = await LiveScheduler.StartAsync(server, o =>
        {
            o.SchedulerName = deployed.SchedulerName;
            o.Profile = deployed.Profile;
            o.LeaderElect = true;
            o.LockNamespace = deployed.LockNamespace;
            o.LockName = deployed.LockName;
            o.LeaseDuration = TimeSpan.FromSeconds(3);
            o.RenewDeadline = TimeSpan.FromSeconds(2);
            o.RetryPeriod = TimeSpan.FromMilliseconds(250);
            o.Identity = "rbac-test";
        }))
        {
            await WaitAsync(() => scheduler.Service.IsLeading, "the scheduler leads");

            server.Create(ClusterBuilder.Pod("fits", 1));
            server.Create(ClusterBuilder.Pod("too-big", 64));
            await server.WaitForAsync<V1Pod>("fits", "atlas", p => p.Spec.NodeName == "wn-1", Patience);
            await server.WaitForAsync<V1Pod>("too-big", "atlas",
                p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true, Patience);
            await WaitAsync(() => server.List<Eventsv1Event>("atlas").Any(e => e.Reason == "FailedScheduling")
                                  && server.List<Eventsv1Event>("atlas").Any(e => e.Reason == "Scheduled"), "both events written");
            await WaitAsync(() => server.Requests.Any(r => r.Request.Resource == "leases" && r.Verb == "update"), "the lease renewed");

            // A production pilot that needs the whole node preempts "fits": the DisruptionTarget
            // condition, the DELETE, the Preempted event, and the preemptor's nominatedNodeName.
            V1Pod pilot = ClusterBuilder.Pod("production-pilot", 16);
            pilot.Spec.PriorityClassName = "production";
            server.Create(pilot);
            await server.WaitForAsync<V1Pod>("production-pilot", "atlas", p => p.Spec.NodeName == "wn-1", Patience);
            Assert.Null(server.Get<V1Pod>("fits", "atlas"));
            await WaitAsync(() => server.List<Eventsv1Event>("atlas").Any(e => e.Reason == "Preempted"), "the Preempted event written");
        }

        // Repeats of one failure become a series PATCH after EventReporter.SeriesInterval; the
        // scheduler's own reporter runs on the wall clock, so the same class is driven here with a
        // clock the test moves, against the same server.
        using (var client = server.CreateClient())
        {
            var clock = new ManualClock(DateTime.UtcNow);
            var reporter = new EventReporter(client, deployed.SchedulerName, clock, NullLogger.Instance);
            using var stop = new CancellationTokenSource();
            Task running = reporter.RunAsync(stop.Token);
            PodInfo pod = new ObjectTranslator(new Interner()).TranslatePod(server.Get<V1Pod>("too-big", "atlas")!);
            reporter.FailedScheduling(pod, "Unschedulable", "0/1 nodes are available: 1 Insufficient cpu.");
            clock.UtcNow += EventReporter.SeriesInterval + TimeSpan.FromSeconds(1);
            reporter.FailedScheduling(pod, "Unschedulable", "0/1 nodes are available: 1 Insufficient cpu.");
            await WaitAsync(() => server.Requests.Any(r => r.Request.Group == "events.k8s.io" && r.Verb == "patch"), "the series patch");
            await reporter.FlushAsync(CancellationToken.None);
            await stop.CancelAsync();
            await running;
        }

        IReadOnlyList<RequestRecord> requests = server.Requests;
        List<RequestRecord> nonResource = requests.Where(r => !r.Request.IsResourceRequest).ToList();
        Assert.True(nonResource.Count == 0, "non-resource requests need nonResourceURLs rules: " + string.Join("; ", nonResource.Select(r => r.Request.Path).Distinct()));

        List<Call> calls = requests
            .Select(r => new Call(r.Verb, r.Request.Group, r.Resource + (r.Subresource is null ? "" : "/" + r.Subresource), r.Namespace, r.Name))
            .Distinct()
            .ToList();
        List<Grant> grants = Grants();

        List<Call> denied = calls.Where(c => !grants.Any(g => g.Allows(c))).ToList();
        // LeaseLock reads the lease before it creates or renews it; allowed even if a run never shows it.
        List<Grant> unused = grants
            .Where(g => !calls.Any(g.Allows))
            .Where(g => !(g.Group == "coordination.k8s.io" && g.Resource == "leases" && g.Verb == "get"))
            .ToList();

        string observed = string.Join("\n  ", calls.Select(c => c.ToString()).Order(StringComparer.Ordinal));
        Assert.True(denied.Count == 0,
            $"calls the scheduler makes that manifests/rbac.yaml does not allow:\n  {string.Join("\n  ", denied)}\nall calls:\n  {observed}");
        Assert.True(unused.Count == 0,
            $"rules in manifests/rbac.yaml no call of the scheduler needs:\n  {string.Join("\n  ", unused)}\nall calls:\n  {observed}");

        // The equality, as sets of (verb, group, resource) – the summary a reviewer reads.
        var needed = calls.Select(c => (c.Verb, c.Group, c.Resource)).ToHashSet();
        var granted = grants.Select(g => (g.Verb, g.Group, g.Resource)).ToHashSet();
        Assert.True(needed.SetEquals(granted),
            $"needed: {string.Join(", ", needed.Order())}\ngranted: {string.Join(", ", granted.Order())}");
    }

    private static async Task WaitAsync(Func<bool> done, string what)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within {Patience}");
            await Task.Delay(25);
        }
    }
}
