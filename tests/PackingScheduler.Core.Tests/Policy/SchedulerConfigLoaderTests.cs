using PackingScheduler.Core.Tests.Support;
using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Tests.Policy;

public sealed class SchedulerConfigLoaderTests
{
    private static readonly string PolicyJson = RepositoryPaths.PathOf("policies/scheduler-policy.json");
    private static readonly string PackingYaml = RepositoryPaths.PathOf("policies/node-packing.yaml");

    [Fact]
    public void Without_files_the_built_in_node_packing_profile_runs_under_the_given_name()
    {
        var profile = SchedulerConfigLoader.Load(null, "", "packer");

        Assert.Equal("packer", profile.SchedulerName);
        ProfileAssert.SameScheduling(SchedulerProfile.NodePacking(), profile);
    }

    [Fact]
    public void A_policy_file_runs_under_the_given_name()
    {
        var profile = SchedulerConfigLoader.Load(null, PolicyJson, "packer");

        Assert.Equal("packer", profile.SchedulerName);
        ProfileAssert.SameScheduling(LegacyPolicyReader.ReadFile(PolicyJson), profile);
    }

    [Fact]
    public void A_configuration_file_runs_the_profile_with_the_given_name()
    {
        var profile = SchedulerConfigLoader.Load(PackingYaml, null, "node-packing-scheduler");

        Assert.Equal("node-packing-scheduler", profile.SchedulerName);
        ProfileAssert.SameScheduling(SchedulerProfile.NodePacking(), profile);
    }

    [Fact]
    public void A_configuration_without_a_profile_of_that_name_is_an_error_listing_the_profiles()
    {
        var e = Assert.Throws<ConfigurationException>(() => SchedulerConfigLoader.Load(PackingYaml, null, "default-scheduler"));

        Assert.Equal($"{PackingYaml}: profiles: no profile has schedulerName \"default-scheduler\"; profiles: \"node-packing-scheduler\"", e.Message);
    }

    [Fact]
    public void A_configuration_and_a_policy_together_are_an_error()
    {
        var e = Assert.Throws<ConfigurationException>(() => SchedulerConfigLoader.Load(PackingYaml, PolicyJson, "node-packing-scheduler"));

        Assert.StartsWith($"{PackingYaml}: a scheduler configuration and a legacy policy ({PolicyJson}) were both given", e.Message);
    }

    private static string WriteConfig(string profilesYaml)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ps-config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, File.ReadAllText(PackingYaml).Replace("schedulerName: node-packing-scheduler", profilesYaml));
        return path;
    }

    [Fact]
    public void Without_a_name_a_configuration_with_one_profile_runs_that_profile_whatever_its_name()
    {
        string path = WriteConfig("schedulerName: default-scheduler");

        var profile = SchedulerConfigLoader.Load(path, null, null);

        Assert.Equal("default-scheduler", profile.SchedulerName);
        ProfileAssert.SameScheduling(SchedulerProfile.NodePacking(), profile);
    }

    [Fact]
    public void Without_a_name_a_configuration_with_one_profile_still_refuses_a_wrong_explicit_name()
    {
        string path = WriteConfig("schedulerName: default-scheduler");

        var e = Assert.Throws<ConfigurationException>(() => SchedulerConfigLoader.Load(path, null, "node-packing-scheduler"));

        Assert.Contains("no profile has schedulerName \"node-packing-scheduler\"", e.Message);
    }
}
