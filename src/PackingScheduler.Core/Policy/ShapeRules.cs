namespace PackingScheduler.Core.Policy;

/// <summary>
/// Upstream's checks on RequestedToCapacityRatio arguments (validation_pluginargs.go
/// validateFunctionShape / validateResources), shared by the legacy Policy and the component config.
/// </summary>
internal static class ShapeRules
{
    public const int MaxUtilization = 100;

    /// <summary>MaxCustomPriorityScore: shape scores are 0-10 in both file formats.</summary>
    public const int MaxShapeScore = 10;

    public const long MaxResourceWeight = 100;

    /// <summary>The first broken point as (index, field, message), or null when the shape is valid. Does not check emptiness.</summary>
    public static (int Index, string Field, string Message)? FirstProblem(IReadOnlyList<UtilizationShapePoint> shape)
    {
        for (int i = 0; i < shape.Count; i++)
        {
            var point = shape[i];
            if (point.Utilization is < 0 or > MaxUtilization)
                return (i, "utilization", $"{point.Utilization} not in valid range [0, {MaxUtilization}]");
            if (point.Score is < 0 or > MaxShapeScore)
                return (i, "score", $"{point.Score} not in valid range [0, {MaxShapeScore}] (shape scores use the legacy 0-10 scale)");
            if (i > 0 && shape[i - 1].Utilization >= point.Utilization)
                return (i, "utilization", $"{point.Utilization} after {shape[i - 1].Utilization}: values must be sorted in increasing order");
        }
        return null;
    }

    /// <summary>Weight 0 or absent means 1 (upstream defaulting); the result must be in [1, 100].</summary>
    public static long? EffectiveWeight(long? weight) => weight is null or 0 ? 1 : weight is < 1 or > MaxResourceWeight ? null : weight;
}
