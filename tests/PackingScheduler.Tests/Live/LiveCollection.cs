namespace PackingScheduler.Tests.Live;

/// <summary>
/// Tests that run a live scheduler against a test API server share this collection: they run one
/// at a time, so that on a 2-core CI machine they do not starve each other of CPU.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCollection
{
    public const string Name = "Live cluster";
}
