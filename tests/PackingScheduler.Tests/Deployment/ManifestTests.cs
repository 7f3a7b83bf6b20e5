using k8s.Models;
using PackingScheduler.Cli;
using PackingScheduler.Core.Policy;
using PackingScheduler.Hosting;

namespace PackingScheduler.Tests.Deployment;

/// <summary>The rendered base (manifests/) against the code: the args parse, the ports and paths are the real ones.</summary>
public sealed class ManifestTests
{
    private const string Namespace = "kube-system";
    private const string ConfigFile = "node-packing.yaml";

    private static V1Deployment Deployment => RenderedManifests.Single<V1Deployment>();

    private static V1Container SchedulerContainer
    {
        get
        {
            IList<V1Container> containers = Deployment.Spec.Template.Spec.Containers;
            Assert.True(containers.Count == 1, $"the scheduler pod should have one container, has {containers.Count}");
            return containers[0];
        }
    }

    private static string PolicyPath => Path.Combine(RepoPaths.Policies, ConfigFile);

    /// <summary>The container's args as `run` sees them, with the ConfigMap's mount path replaced by the repository's file.</summary>
    private static (string[] Args, string MountedConfig) RunArgs()
    {
        V1Container c = SchedulerContainer;
        Assert.True(c.Command is null || c.Command.Count == 0, "the image's ENTRYPOINT starts the scheduler; the Deployment must not override it with command");
        Assert.NotNull(c.Args);
        Assert.True(c.Args.Count > 0 && c.Args[0] == "run", $"args must start with the run command: {string.Join(" ", c.Args)}");
        var args = c.Args.Skip(1).ToList();
        int at = args.FindIndex(a => a == "--config" || a.StartsWith("--config=", StringComparison.Ordinal));
        Assert.True(at >= 0, "run must be given --config (the policy from the ConfigMap)");
        string mounted;
        if (args[at] == "--config")
        {
            mounted = args[at + 1];
            args[at + 1] = PolicyPath;
        }
        else
        {
            mounted = args[at]["--config=".Length..];
            args[at] = "--config=" + PolicyPath;
        }
        return (args.ToArray(), mounted);
    }

    private static SchedulerOptions Parsed() => RunCommand.ParseOptions(RunArgs().Args);

    private static int ResolvePort(IntOrString port)
    {
        string value = port.Value;
        if (int.TryParse(value, out int n)) return n;
        V1ContainerPort? named = SchedulerContainer.Ports?.SingleOrDefault(p => p.Name == value);
        Assert.True(named is not null, $"probe port \"{value}\" is not a named port of the container");
        return named.ContainerPort;
    }

    [Fact]
    public void Every_namespaced_object_is_in_kube_system()
    {
        foreach (object o in RenderedManifests.Objects)
        {
            var meta = ((k8s.IKubernetesObject<V1ObjectMeta>)o).Metadata;
            bool clusterScoped = o is V1ClusterRole or V1ClusterRoleBinding;
            if (clusterScoped) Assert.Null(meta.NamespaceProperty);
            else Assert.True(meta.NamespaceProperty == Namespace, $"{o.GetType().Name} {meta.Name} is in namespace {meta.NamespaceProperty ?? "(none)"}, not {Namespace}");
        }
    }

    [Fact]
    public void The_rendered_base_has_every_object_a_site_needs()
    {
        Assert.Single(RenderedManifests.All<V1ServiceAccount>());
        Assert.Single(RenderedManifests.All<V1ClusterRole>());
        Assert.Single(RenderedManifests.All<V1ClusterRoleBinding>());
        Assert.Single(RenderedManifests.All<V1Role>());
        Assert.Single(RenderedManifests.All<V1RoleBinding>());
        Assert.Single(RenderedManifests.All<V1ConfigMap>());
        Assert.Single(RenderedManifests.All<V1Deployment>());
        Assert.Single(RenderedManifests.All<V1PodDisruptionBudget>());
        Assert.Single(RenderedManifests.All<V1Service>());
        Assert.Single(RenderedManifests.All<ServiceMonitor>());
    }

    [Fact]
    public void The_deployment_args_are_accepted_by_run_and_mean_leader_election_on_the_packing_lease()
    {
        (string[] args, string mounted) = RunArgs();
        SchedulerOptions o = RunCommand.ParseOptions(args);

        Assert.Equal(SchedulerProfile.DefaultSchedulerName, o.SchedulerName);
        Assert.True(o.LeaderElect, "two replicas need leader election");
        Assert.Equal(Namespace, o.LockNamespace);
        Assert.Equal("node-packing-scheduler", o.LockName);
        Assert.False(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(o.BindAddress)),
            $"--bind-address {o.BindAddress}: the kubelet's probes and Prometheus come from outside the pod");

        // The path given to --config is the generated ConfigMap's key, mounted read-only.
        V1PodSpec pod = Deployment.Spec.Template.Spec;
        V1VolumeMount mount = Assert.Single(SchedulerContainer.VolumeMounts, m => mounted.StartsWith(m.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal));
        Assert.True(mount.ReadOnlyProperty, "the policy mount should be read-only");
        V1Volume volume = Assert.Single(pod.Volumes, v => v.Name == mount.Name);
        Assert.NotNull(volume.ConfigMap);
        V1ConfigMap cm = RenderedManifests.Single<V1ConfigMap>();
        Assert.Equal(cm.Metadata.Name, volume.ConfigMap.Name);
        Assert.Equal(ConfigFile, mounted[(mount.MountPath.TrimEnd('/').Length + 1)..]);
    }

    [Fact]
    public void The_configmap_holds_policies_node_packing_yaml_unchanged_with_the_lease_in_kube_system()
    {
        V1ConfigMap cm = RenderedManifests.Single<V1ConfigMap>();
        Assert.True(cm.Data?.ContainsKey(ConfigFile) == true, $"ConfigMap {cm.Metadata.Name} has no key {ConfigFile}");
        string policy = File.ReadAllText(PolicyPath);
        Assert.True(policy == cm.Data[ConfigFile],
            $"the ConfigMap's {ConfigFile} differs from policies/{ConfigFile}: copy it to manifests/{ConfigFile} (kustomize cannot read files outside manifests/)");

        ComponentConfig config = ComponentConfigReader.ReadConfigurationFile(PolicyPath);
        Assert.True(config.LeaderElection.LeaderElect);
        Assert.Equal(Namespace, config.LeaderElection.ResourceNamespace);
        Assert.Equal("node-packing-scheduler", config.LeaderElection.ResourceName);
    }

    [Fact]
    public void Two_replicas_spread_over_nodes_and_a_budget_that_keeps_one()
    {
        V1Deployment d = Deployment;
        Assert.Equal(2, d.Spec.Replicas);
        Assert.True(Parsed().LeaderElect);
        IDictionary<string, string> podLabels = d.Spec.Template.Metadata.Labels;
        Assert.True(Matches(d.Spec.Selector, podLabels), "the Deployment's selector does not match its own pods");

        V1PodSpec pod = d.Spec.Template.Spec;
        bool spread = pod.TopologySpreadConstraints?.Any(t =>
                          t.TopologyKey == "kubernetes.io/hostname" && t.WhenUnsatisfiable == "DoNotSchedule" && t.MaxSkew == 1 && Matches(t.LabelSelector, podLabels)) == true
                      || pod.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.Any(t =>
                          t.TopologyKey == "kubernetes.io/hostname" && Matches(t.LabelSelector, podLabels)) == true
                      || pod.Affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution?.Any(t =>
                          t.PodAffinityTerm.TopologyKey == "kubernetes.io/hostname" && Matches(t.PodAffinityTerm.LabelSelector, podLabels)) == true;
        Assert.True(spread, "the replicas must be spread over nodes (topologySpreadConstraints or podAntiAffinity on kubernetes.io/hostname selecting the scheduler's pods)");

        V1PodDisruptionBudget pdb = RenderedManifests.Single<V1PodDisruptionBudget>();
        Assert.True(Matches(pdb.Spec.Selector, podLabels), "the PodDisruptionBudget does not select the scheduler's pods");
        bool keepsOne = pdb.Spec.MaxUnavailable?.Value == "1" || pdb.Spec.MinAvailable?.Value == "1";
        Assert.True(keepsOne, "with 2 replicas the budget should allow one disruption at a time (maxUnavailable 1 or minAvailable 1)");
    }

    [Fact]
    public void Probes_use_the_hosts_paths_on_the_port_run_listens_on()
    {
        V1Container c = SchedulerContainer;
        SchedulerOptions o = Parsed();
        Assert.NotNull(c.LivenessProbe?.HttpGet);
        Assert.NotNull(c.ReadinessProbe?.HttpGet);
        Assert.Equal(SchedulerHost.LivenessPath, c.LivenessProbe.HttpGet.Path);
        Assert.Equal(SchedulerHost.ReadinessPath, c.ReadinessProbe.HttpGet.Path);
        Assert.Equal(o.Port, ResolvePort(c.LivenessProbe.HttpGet.Port));
        Assert.Equal(o.Port, ResolvePort(c.ReadinessProbe.HttpGet.Port));
        Assert.True(c.LivenessProbe.HttpGet.Scheme is null or "HTTP", "the health endpoints are plain HTTP");
        Assert.Contains(c.Ports, p => p.ContainerPort == o.Port && (p.Protocol ?? "TCP") == "TCP");
    }

    [Fact]
    public void The_pod_runs_locked_down_as_a_critical_non_root_pod()
    {
        V1PodSpec pod = Deployment.Spec.Template.Spec;
        V1Container c = SchedulerContainer;
        V1PodSecurityContext? podSc = pod.SecurityContext;
        V1SecurityContext? sc = c.SecurityContext;
        Assert.NotNull(sc);

        Assert.True((sc.RunAsNonRoot ?? podSc?.RunAsNonRoot) == true, "runAsNonRoot must be true");
        long? uid = sc.RunAsUser ?? podSc?.RunAsUser;
        Assert.True(uid is null or > 0, $"runAsUser {uid} is root");
        Assert.True(sc.AllowPrivilegeEscalation == false, "allowPrivilegeEscalation must be false");
        Assert.True(sc.ReadOnlyRootFilesystem == true, "readOnlyRootFilesystem must be true");
        Assert.True(sc.Privileged is null or false, "the container must not be privileged");
        Assert.Contains("ALL", sc.Capabilities?.Drop ?? []);
        Assert.True(sc.Capabilities?.Add is null or { Count: 0 }, "no capabilities may be added");
        Assert.Equal("RuntimeDefault", (sc.SeccompProfile ?? podSc?.SeccompProfile)?.Type);
        Assert.True(pod.HostNetwork is null or false, "no host network");
        Assert.True(pod.HostPID is null or false, "no host PID namespace");

        Assert.Equal("system-cluster-critical", pod.PriorityClassName);
        Assert.Equal(RenderedManifests.Single<V1ServiceAccount>().Metadata.Name, pod.ServiceAccountName);
        Assert.True(pod.AutomountServiceAccountToken is null or true, "the scheduler needs its service account token");
        // Its own pods cannot wait for it: kube-scheduler places them.
        Assert.True(pod.SchedulerName is null or "default-scheduler", $"the scheduler's own pods use schedulerName {pod.SchedulerName}");
        Assert.True(pod.TerminationGracePeriodSeconds >= (long)(new SchedulerOptions().DrainTimeout.TotalSeconds + 5),
            "the grace period must cover the drain of bindings already decided (DrainTimeout + 5 s)");
        // A read-only root: the runtime's diagnostics socket needs a writable /tmp.
        Assert.Contains(c.VolumeMounts, m => m.MountPath == "/tmp" && pod.Volumes.Any(v => v.Name == m.Name && v.EmptyDir is not null));
    }

    [Fact]
    public void Requests_and_limits_are_set_for_cpu_and_memory()
    {
        V1ResourceRequirements r = SchedulerContainer.Resources;
        Assert.NotNull(r);
        foreach (string resource in new[] { "cpu", "memory" })
        {
            Assert.True(r.Requests?.ContainsKey(resource) == true, $"no {resource} request");
            Assert.True(r.Limits?.ContainsKey(resource) == true, $"no {resource} limit");
            Assert.True(r.Requests[resource].ToDecimal() <= r.Limits[resource].ToDecimal(), $"{resource} request above its limit");
        }
    }

    [Fact]
    public void The_image_is_the_published_one_with_a_version_tag()
    {
        string image = SchedulerContainer.Image;
        Assert.Matches(@"^[a-z0-9.\-]+(:[0-9]+)?/[a-z0-9._/\-]+/packing-scheduler:[0-9]+\.[0-9]+\.[0-9]+$", image);
    }

    [Fact]
    public void The_metrics_service_and_servicemonitor_reach_the_metrics_endpoint()
    {
        SchedulerOptions o = Parsed();
        IDictionary<string, string> podLabels = Deployment.Spec.Template.Metadata.Labels;
        V1Service svc = RenderedManifests.Single<V1Service>();
        Assert.True(svc.Spec.Selector.All(kv => podLabels.TryGetValue(kv.Key, out string? v) && v == kv.Value),
            "the metrics Service does not select the scheduler's pods");
        V1ServicePort port = Assert.Single(svc.Spec.Ports);
        Assert.Equal(o.Port, ResolvePort(port.TargetPort ?? (IntOrString)port.Port.ToString()));

        ServiceMonitor sm = RenderedManifests.Single<ServiceMonitor>();
        Assert.True(Matches(sm.Spec.Selector, svc.Metadata.Labels), "the ServiceMonitor does not select the metrics Service");
        ServiceMonitorEndpoint ep = Assert.Single(sm.Spec.Endpoints);
        Assert.Equal(port.Name, ep.Port);
        Assert.Equal(SchedulerHost.MetricsPath, ep.Path ?? "/metrics");
        Assert.True(sm.Spec.NamespaceSelector?.MatchNames is null || sm.Spec.NamespaceSelector.MatchNames.Contains(svc.Metadata.NamespaceProperty));
    }

    internal static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector is null || labels is null) return false;
        if (selector.MatchExpressions is { Count: > 0 }) return false; // the manifests only use matchLabels
        return selector.MatchLabels is { Count: > 0 } && selector.MatchLabels.All(kv => labels.TryGetValue(kv.Key, out string? v) && v == kv.Value);
    }
}
