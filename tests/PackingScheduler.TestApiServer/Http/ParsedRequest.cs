namespace PackingScheduler.TestApiServer;

/// <summary>A request resolved against the served API: the resource (null for non-resource or unknown paths) and whether it watches.</summary>
internal sealed record ParsedRequest(RequestInfo Info, ResourceType? Resource, bool IsWatch, NonResourcePath NonResource);
