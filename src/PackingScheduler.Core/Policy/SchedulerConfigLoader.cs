namespace PackingScheduler.Core.Policy;

/// <summary>Chooses the profile the scheduler runs from its command line's configuration files.</summary>
public static class SchedulerConfigLoader
{
    /// <summary>
    /// Neither file: the built-in node-packing profile. A legacy Policy file: that policy. A
    /// KubeSchedulerConfiguration: its profile named <paramref name="schedulerName"/>; when no name
    /// is given (simulate), its only profile, or among several the one named node-packing-scheduler.
    /// Both files is an error: each says on its own which plugins run, and no choice between them
    /// would be obvious.
    /// </summary>
    public static SchedulerProfile Load(string? configPath, string? policyPath, string? schedulerName)
    {
        bool hasConfig = !string.IsNullOrEmpty(configPath);
        bool hasPolicy = !string.IsNullOrEmpty(policyPath);
        if (hasConfig && hasPolicy)
            throw new ConfigurationException(
                $"{configPath}: a scheduler configuration and a legacy policy ({policyPath}) were both given; use one: " +
                "the configuration's profiles and the policy's predicates and priorities would contradict each other");
        if (hasPolicy)
            return LegacyPolicyReader.ReadFile(policyPath!) with { SchedulerName = schedulerName ?? SchedulerProfile.DefaultSchedulerName };
        if (hasConfig)
        {
            IReadOnlyList<SchedulerProfile> profiles = ComponentConfigReader.ReadFile(configPath!);
            if (schedulerName is null && profiles.Count == 1) return profiles[0];
            return ComponentConfigReader.SelectProfile(profiles, schedulerName ?? SchedulerProfile.DefaultSchedulerName, configPath!);
        }
        return SchedulerProfile.NodePacking() with { SchedulerName = schedulerName ?? SchedulerProfile.DefaultSchedulerName };
    }
}
