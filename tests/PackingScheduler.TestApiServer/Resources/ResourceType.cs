namespace PackingScheduler.TestApiServer;

/// <summary>Describes one resource the server serves: where it lives, what it is called and how it behaves.</summary>
internal sealed class ResourceType
{
    public ResourceType(
        string group,
        string version,
        string plural,
        string kind,
        bool namespaced,
        bool hasStatus,
        bool deleteReturnsObject,
        Type clrType,
        IEnumerable<string>? fieldLabels = null)
    {
        Group = group;
        Version = version;
        Plural = plural;
        Kind = kind;
        Namespaced = namespaced;
        HasStatus = hasStatus;
        DeleteReturnsObject = deleteReturnsObject;
        ClrType = clrType;
        var labels = new HashSet<string>(StringComparer.Ordinal) { "metadata.name", "metadata.namespace" };
        foreach (var label in fieldLabels ?? [])
        {
            labels.Add(label);
        }

        FieldLabels = labels;
    }

    /// <summary>API group; empty for the core group.</summary>
    public string Group { get; }

    public string Version { get; }

    /// <summary>Lower-case plural resource name as it appears in URLs (e.g. "pods").</summary>
    public string Plural { get; }

    public string Kind { get; }

    public bool Namespaced { get; }

    /// <summary>Whether the resource has a status subresource (main-resource writes then keep the stored status).</summary>
    public bool HasStatus { get; }

    /// <summary>Whether DELETE answers with the deleted object (as KubernetesClient expects) rather than a Status.</summary>
    public bool DeleteReturnsObject { get; }

    /// <summary>The KubernetesClient model type.</summary>
    public Type ClrType { get; }

    /// <summary>Field selector labels the real API server accepts for this resource.</summary>
    public IReadOnlySet<string> FieldLabels { get; }

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public string ListKind => Kind + "List";

    /// <summary>Resource name qualified by group, as used in API server error messages ("leases.coordination.k8s.io").</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : Plural + "." + Group;

    public override string ToString() => ApiVersion + "/" + Plural;
}
