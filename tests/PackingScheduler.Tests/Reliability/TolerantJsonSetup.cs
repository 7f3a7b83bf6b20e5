using System.Runtime.CompilerServices;
using PackingScheduler.Kubernetes;

namespace PackingScheduler.Tests.Reliability;

/// <summary>
/// The test process reads Kubernetes JSON as the scheduler process does (Program.cs installs the
/// tolerant quantity reader before anything else): the test API server, the harness and the
/// scheduler hosts share KubernetesJson's options, which freeze on first use.
/// </summary>
internal static class TolerantJsonSetup
{
#pragma warning disable CA2255 // A test assembly is an application here: the reader must be in place before any test runs.
    [ModuleInitializer]
    internal static void Install() => TolerantQuantityJson.Install();
#pragma warning restore CA2255
}
