namespace PackingScheduler.TestApiServer;

internal enum PatchKind
{
    Json,
    Merge,
    StrategicMerge,
}
