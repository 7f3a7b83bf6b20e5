namespace PackingScheduler.Core.Engine;

/// <summary>
/// A filter's verdict on one node. Success carries nothing; a rejection carries one reason (the
/// common case, no allocation when the reason is a constant) or several (resources). Unresolvable
/// means evicting pods could not help (upstream UnschedulableAndUnresolvable).
/// </summary>
public readonly struct FilterResult
{
    public static readonly FilterResult Success = default;

    private FilterResult(string? reason, string[]? reasons, bool unresolvable)
    {
        Reason = reason;
        Reasons = reasons;
        Unresolvable = unresolvable;
    }

    public bool IsSuccess => Reason is null && Reasons is null;
    public string? Reason { get; }
    public string[]? Reasons { get; }
    public bool Unresolvable { get; }

    public static FilterResult Fail(string reason, bool unresolvable = false) => new(reason, null, unresolvable);

    public static FilterResult Fail(string[] reasons) => reasons.Length == 1 ? new(reasons[0], null, false) : new(null, reasons, false);

    public void AddReasonsTo(List<string> into)
    {
        if (Reason is not null) into.Add(Reason);
        if (Reasons is not null) into.AddRange(Reasons);
    }
}
