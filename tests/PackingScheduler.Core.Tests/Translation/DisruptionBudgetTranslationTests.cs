using k8s.Models;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Translation;

/// <summary>PodDisruptionBudgets as preemption reads them: the status as given, or computed like the disruption controller.</summary>
[Trait("Category", "Preemption")]
public sealed class DisruptionBudgetTranslationTests
{
    private readonly ObjectTranslator _translator = new(new Interner());

    private static V1PodDisruptionBudget Budget(IntOrString? minAvailable = null, IntOrString? maxUnavailable = null, V1PodDisruptionBudgetStatus? status = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "pdb", NamespaceProperty = "grid" },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = minAvailable,
            MaxUnavailable = maxUnavailable,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
        },
        Status = status,
    };

    /// <summary>Four bound db pods in grid, one pending db pod, one bound db pod elsewhere, one bound web pod.</summary>
    private static IEnumerable<V1Pod> Pods() =>
    [
        .. Enumerable.Range(0, 4).Select(i => Pod($"db-{i}", "grid").Label("app", "db").OnNode("n").Requests(cpu: "1").Build()),
        Pod("db-pending", "grid").Label("app", "db").Requests(cpu: "1").Build(),
        Pod("db-other", "other").Label("app", "db").OnNode("n").Requests(cpu: "1").Build(),
        Pod("web", "grid").Label("app", "web").OnNode("n").Requests(cpu: "1").Build(),
    ];

    [Theory]
    [InlineData("3", null, 1)]
    [InlineData("50%", null, 2)]
    [InlineData("60%", null, 1)] // ceil(2.4) = 3 must stay
    [InlineData("5", null, 0)]
    [InlineData(null, "1", 1)]
    [InlineData(null, "30%", 2)] // ceil(1.2) = 2 may go
    [InlineData(null, null, 4)]
    public void Without_a_status_disruptions_allowed_are_computed_from_the_selected_bound_pods(string? min, string? max, int allowed)
    {
        DisruptionBudget b = _translator.TranslateDisruptionBudget(
            Budget(min is null ? null : (IntOrString)min, max is null ? null : (IntOrString)max), Pods());
        Assert.Equal(allowed, b.DisruptionsAllowed);
        Assert.Equal("grid/pdb", b.Key);
    }

    [Fact]
    public void A_status_is_used_as_the_disruption_controller_wrote_it()
    {
        var status = new V1PodDisruptionBudgetStatus { DisruptionsAllowed = 7, DisruptedPods = new Dictionary<string, DateTime?> { ["db-1"] = DateTime.UtcNow } };
        DisruptionBudget b = _translator.TranslateDisruptionBudget(Budget(minAvailable: (IntOrString)"3", status: status), Pods());
        Assert.Equal(7, b.DisruptionsAllowed);
        Assert.Equal(["db-1"], b.DisruptedPods);
    }

    [Theory]
    [InlineData("3", "1", "spec", "cannot be both set")]
    [InlineData("many", null, "spec.minAvailable", "neither a non-negative integer nor a percentage")]
    [InlineData(null, "150%", "spec.maxUnavailable", "not a percentage between 0% and 100%")]
    public void Invalid_budgets_are_errors_naming_the_field(string? min, string? max, string field, string problem)
    {
        var e = Assert.Throws<InvalidObjectException>(() => _translator.TranslateDisruptionBudget(
            Budget(min is null ? null : (IntOrString)min, max is null ? null : (IntOrString)max), Pods()));
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem);
    }
}
