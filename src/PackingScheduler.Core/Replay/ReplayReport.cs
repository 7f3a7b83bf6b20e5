namespace PackingScheduler.Core.Replay;

/// <summary>Every strategy's figures on one trace, and the repacking bound's.</summary>
public sealed record ReplayReport(ReplayTrace Trace, IReadOnlyList<StrategyResult> Strategies, StrategyResult Bound);
