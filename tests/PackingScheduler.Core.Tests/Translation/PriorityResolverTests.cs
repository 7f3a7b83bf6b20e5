using k8s.Models;
using PackingScheduler.Core.Translation;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Translation;

/// <summary>Pod priority as the Priority admission plugin resolves it.</summary>
public class PriorityResolverTests
{
    private static V1PriorityClass Class(string name, int value, bool globalDefault = false, string? preemption = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Value = value, GlobalDefault = globalDefault, PreemptionPolicy = preemption };

    private static V1Pod WithClass(string? className, int? priority = null, string? preemption = null)
    {
        V1Pod pod = Pod("p").Build();
        pod.Spec.PriorityClassName = className;
        pod.Spec.Priority = priority;
        pod.Spec.PreemptionPolicy = preemption;
        return pod;
    }

    private static PriorityResolver Resolver(params V1PriorityClass[] classes)
    {
        var r = new PriorityResolver();
        foreach (V1PriorityClass c in classes) r.AddOrUpdate(c);
        return r;
    }

    [Fact]
    public void A_pod_without_class_and_no_default_has_priority_zero()
    {
        Assert.Equal((0, false), Resolver(Class("high", 1000)).Resolve(WithClass(null)));
    }

    [Fact]
    public void The_class_gives_the_value_and_preemption_policy()
    {
        Assert.Equal((1000, true), Resolver(Class("high", 1000, preemption: "Never")).Resolve(WithClass("high")));
    }

    [Fact]
    public void The_global_default_applies_to_pods_without_class_and_the_lowest_wins_when_there_are_several()
    {
        PriorityResolver r = Resolver(Class("a", 500, globalDefault: true), Class("b", 100, globalDefault: true), Class("c", 50));
        Assert.Equal(100, r.Resolve(WithClass(null)).Priority);
    }

    [Theory]
    [InlineData("system-cluster-critical", 2000000000)]
    [InlineData("system-node-critical", 2000001000)]
    public void Built_in_classes_exist_without_being_declared(string name, int value)
    {
        Assert.Equal(value, Resolver().Resolve(WithClass(name)).Priority);
    }

    [Fact]
    public void An_unknown_class_is_an_error_naming_the_field()
    {
        var e = Assert.Throws<InvalidObjectException>(() => Resolver().Resolve(WithClass("missing")));
        Assert.Equal("spec.priorityClassName", e.Field);
    }

    [Fact]
    public void The_pods_own_preemption_policy_wins()
    {
        Assert.Equal((1000, false), Resolver(Class("high", 1000, preemption: "Never")).Resolve(WithClass("high", preemption: "PreemptLowerPriority")));
    }
}
