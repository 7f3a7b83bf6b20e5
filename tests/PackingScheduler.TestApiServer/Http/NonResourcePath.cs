namespace PackingScheduler.TestApiServer;

/// <summary>Paths that are not resources.</summary>
internal enum NonResourcePath
{
    None,
    Unknown,
    Version,
    Health,
    CoreVersions,
    GroupList,
    ResourceList,
}
