namespace PackingScheduler.Core.Policy;

/// <summary>The framework's extension points, in the order of upstream's <c>Plugins</c> type (multiPoint excluded: it is not a point of its own).</summary>
internal enum ExtensionPoint
{
    PreEnqueue,
    QueueSort,
    PreFilter,
    Filter,
    PostFilter,
    PreScore,
    Score,
    Reserve,
    Permit,
    PreBind,
    Bind,
    PostBind,
}
