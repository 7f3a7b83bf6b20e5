using k8s.Models;
using PackingScheduler.Core.Queue;

namespace PackingScheduler.Core.Tests.Queue;

public sealed class PodUpdatesTests
{
    private static V1Pod NewPod(Action<V1Pod>? change = null)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = "default", ResourceVersion = "1", Labels = new Dictionary<string, string> { ["app"] = "x" } },
            Spec = new V1PodSpec { Containers = new List<V1Container> { new() { Name = "c", Image = "i" } } },
        };
        change?.Invoke(pod);
        return pod;
    }

    [Fact]
    public void Status_and_bookkeeping_changes_are_not_updates()
    {
        V1Pod newer = NewPod(p =>
        {
            p.Metadata.ResourceVersion = "2";
            p.Metadata.Generation = 3;
            p.Metadata.Finalizers = new List<string> { "f" };
            p.Status = new V1PodStatus { Conditions = new List<V1PodCondition> { new() { Type = "PodScheduled", Status = "False" } } };
        });
        Assert.False(PodUpdates.IsPodUpdated(NewPod(), newer));
    }

    [Fact]
    public void Spec_and_label_changes_are_updates()
    {
        Assert.True(PodUpdates.IsPodUpdated(NewPod(), NewPod(p => p.Metadata.Labels["app"] = "y")));
        Assert.True(PodUpdates.IsPodUpdated(NewPod(), NewPod(p => p.Spec.NodeSelector = new Dictionary<string, string> { ["zone"] = "a" })));
        Assert.True(PodUpdates.IsPodUpdated(null, NewPod()));
    }

    [Fact]
    public void The_inputs_are_not_modified()
    {
        V1Pod newer = NewPod(p => { p.Metadata.ResourceVersion = "2"; p.Status = new V1PodStatus { Phase = "Pending" }; });
        PodUpdates.IsPodUpdated(NewPod(), newer);
        Assert.Equal("2", newer.Metadata.ResourceVersion);
        Assert.Equal("Pending", newer.Status.Phase);
    }
}
