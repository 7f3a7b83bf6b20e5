namespace PackingScheduler.TestApiServer;

/// <summary>Which objects a watch or list selects: resource, optional namespace and name, label and field selectors.</summary>
internal sealed record WatchFilter(ResourceType Resource, string? Namespace, string? Name, LabelSelector Labels, FieldSelector Fields)
{
    public bool Matches(StoredObject obj) =>
        (Namespace is null || obj.Namespace == Namespace) &&
        (Name is null || obj.Name == Name) &&
        (Labels.IsEverything || Labels.Matches(obj.Labels)) &&
        Fields.Matches(obj.Root, Resource);
}
