using PackingScheduler.Core.Policy;

namespace PackingScheduler.Core.Tests.Policy;

/// <summary>Compares what a profile schedules by, field by field, so a failure names the field that differs.</summary>
internal static class ProfileAssert
{
    public static void SameScheduling(SchedulerProfile expected, SchedulerProfile actual)
    {
        Assert.Equal(expected.Filters.Order(), actual.Filters.Order());
        // Order does not matter to a weighted sum; compare by plugin.
        Assert.Equal(expected.Scores.OrderBy(s => s.Plugin), actual.Scores.OrderBy(s => s.Plugin));
        Assert.Equal(expected.ScoringStrategy.Type, actual.ScoringStrategy.Type);
        Assert.Equal(expected.ScoringStrategy.Resources, actual.ScoringStrategy.Resources);
        Assert.Equal(expected.ScoringStrategy.Shape, actual.ScoringStrategy.Shape);
        Assert.Equal(expected.HardPodAffinityWeight, actual.HardPodAffinityWeight);
        Assert.Equal(expected.IgnorePreferredTermsOfExistingPods, actual.IgnorePreferredTermsOfExistingPods);
        Assert.Equal(expected.IgnoredResources.Order(), actual.IgnoredResources.Order());
        Assert.Equal(expected.IgnoredResourceGroups.Order(), actual.IgnoredResourceGroups.Order());
        Assert.Equal(expected.PercentageOfNodesToScore, actual.PercentageOfNodesToScore);
    }
}
