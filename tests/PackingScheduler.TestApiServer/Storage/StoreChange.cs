using System.Text;
using k8s;

namespace PackingScheduler.TestApiServer;

/// <summary>A committed mutation as seen by <see cref="TestApiServer.OnMutation"/> hooks.</summary>
public sealed class StoreChange
{
    private readonly StoreEvent _event;

    internal StoreChange(StoreEvent e)
    {
        _event = e;
    }

    public ChangeType Type => _event.Type;

    /// <summary>API group ("" for core).</summary>
    public string Group => _event.Resource.Group;

    /// <summary>Plural resource name, e.g. "pods".</summary>
    public string Resource => _event.Resource.Plural;

    public string Kind => _event.Resource.Kind;

    /// <summary>Namespace, or null for cluster-scoped objects.</summary>
    public string? Namespace => _event.Object.Namespace.Length == 0 ? null : _event.Object.Namespace;

    public string Name => _event.Object.Name;

    public long ResourceVersion => _event.ResourceVersion;

    /// <summary>JSON of the object before the change (null for additions).</summary>
    public string? OldJson => _event.Previous is null ? null : Encoding.UTF8.GetString(_event.Previous.Json);

    /// <summary>JSON of the object after the change (null for deletions).</summary>
    public string? NewJson => _event.Type == ChangeType.Deleted ? null : Encoding.UTF8.GetString(_event.Object.Json);

    public bool Is<T>() => _event.Resource.ClrType == typeof(T);

    public T? GetOld<T>() where T : class => OldJson is { } json ? KubernetesJson.Deserialize<T>(json) : null;

    public T? GetNew<T>() where T : class => NewJson is { } json ? KubernetesJson.Deserialize<T>(json) : null;

    public override string ToString() => $"{Type} {_event.Resource.Plural} {_event.Object.Key} rv={ResourceVersion}";
}
