using PackingScheduler.Core.Tests.Support;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Tests.Policy;

public sealed class PolicyFilesTests
{
    private static readonly string PolicyJson = RepositoryPaths.PathOf("policies/scheduler-policy.json");
    private static readonly string PackingYaml = RepositoryPaths.PathOf("policies/node-packing.yaml");

    [Fact]
    public void Legacy_policy_file_is_the_node_packing_profile()
    {
        ProfileAssert.SameScheduling(SchedulerProfile.NodePacking(), LegacyPolicyReader.ReadFile(PolicyJson));
    }

    [Fact]
    public void Component_config_file_is_the_node_packing_profile()
    {
        var profiles = ComponentConfigReader.ReadFile(PackingYaml);
        var profile = Assert.Single(profiles);
        Assert.Equal(SchedulerProfile.DefaultSchedulerName, profile.SchedulerName);
        ProfileAssert.SameScheduling(SchedulerProfile.NodePacking(), profile);
    }

    [Fact]
    public void Both_policy_files_read_into_equal_profiles()
    {
        var legacy = LegacyPolicyReader.ReadFile(PolicyJson);
        var config = Assert.Single(ComponentConfigReader.ReadFile(PackingYaml));
        ProfileAssert.SameScheduling(legacy, config);
        Assert.Equal(legacy.Scores, config.Scores);
    }

    [Fact]
    public void Component_config_file_runs_beside_the_default_scheduler()
    {
        var config = ComponentConfigReader.ReadConfigurationFile(PackingYaml);
        Assert.True(config.LeaderElection.LeaderElect);
        Assert.Equal("node-packing-scheduler", config.LeaderElection.ResourceName);
        Assert.Equal("kube-system", config.LeaderElection.ResourceNamespace);
        Assert.Equal("leases", config.LeaderElection.ResourceLock);
    }
}
