namespace PackingScheduler.TestApiServer;

/// <summary>
/// One committed mutation. <see cref="Object"/> is the new state (for deletions: the last state stamped with the
/// deletion's resourceVersion); <see cref="Previous"/> is the state before (null when added).
/// </summary>
internal sealed record StoreEvent(ResourceType Resource, ChangeType Type, StoredObject Object, StoredObject? Previous, long ResourceVersion);
