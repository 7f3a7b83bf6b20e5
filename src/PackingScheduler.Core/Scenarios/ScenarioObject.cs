using k8s;
using k8s.Models;

namespace PackingScheduler.Core.Scenarios;

/// <summary>
/// A typed object from a scenario with where it came from, so that problems found later (for
/// example an invalid selector operator met during translation) can still name the document.
/// </summary>
/// <param name="DocumentIndex">1-based, counting only non-empty documents.</param>
/// <param name="Line">1-based line of the document's first content line.</param>
public sealed record ScenarioObject<T>(int DocumentIndex, int Line, T Object)
    where T : IKubernetesObject<V1ObjectMeta>
{
    public string Kind => Object.Kind;

    public string Name => Object.Metadata.Name;

    /// <summary>The namespace ("default" when the file had none) for namespaced kinds; null for cluster-scoped ones.</summary>
    public string? Namespace => Object.Metadata.NamespaceProperty;

    /// <summary>"Pod default/job-a" or "Node wn-a", as error messages show it.</summary>
    public string Description => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";
}
