using k8s;
using k8s.Models;
using YamlDotNet.Core;

namespace PackingScheduler.Core.Scenarios;

/// <summary>A document read, checked and defaulted, with the positions later whole-file checks report.</summary>
internal sealed record LoadedDocument(
    DocumentContext Context,
    int Line,
    IKubernetesObject<V1ObjectMeta> Object,
    Mark NameAt,
    Mark? NodeNameAt);
