using YamlDotNet.RepresentationModel;

namespace PackingScheduler.Core.Policy;

/// <summary>A plugin named in a profile's plugins section, with where it was written for error messages.</summary>
/// <param name="Node">The entry, for errors about it as a whole (its weight).</param>
/// <param name="NameNode">The name's value, for errors about which plugin it is.</param>
internal sealed record ConfiguredPlugin(string Name, int? Weight, YamlNode Node, YamlNode NameNode, string Path);
