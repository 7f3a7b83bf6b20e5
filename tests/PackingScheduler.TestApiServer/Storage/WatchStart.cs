namespace PackingScheduler.TestApiServer;

/// <summary>A freshly registered watch: the events to send first (replayed or synthetic ADDED), then the live subscription.</summary>
internal sealed record WatchStart(WatchSubscription Subscription, IReadOnlyList<StoreEvent> Initial, long ResourceVersion);
