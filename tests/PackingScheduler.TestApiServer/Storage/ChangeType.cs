namespace PackingScheduler.TestApiServer;

/// <summary>What a store mutation did to an object.</summary>
public enum ChangeType
{
    Added,
    Modified,
    Deleted,
}
