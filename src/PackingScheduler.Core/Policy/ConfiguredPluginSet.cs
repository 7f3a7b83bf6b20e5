namespace PackingScheduler.Core.Policy;

/// <summary>One extension point's enabled and disabled lists as written in a profile.</summary>
internal sealed record ConfiguredPluginSet(IReadOnlyList<ConfiguredPlugin> Enabled, IReadOnlyList<ConfiguredPlugin> Disabled)
{
    public static readonly ConfiguredPluginSet Empty = new([], []);

    public bool Disables(string name) => Disabled.Any(p => p.Name == name);

    /// <summary>What upstream compares when it requires the same queueSort in every profile.</summary>
    public string Signature =>
        string.Join(",", Enabled.Select(p => $"{p.Name}:{p.Weight}")) + "|" + string.Join(",", Disabled.Select(p => p.Name));
}
