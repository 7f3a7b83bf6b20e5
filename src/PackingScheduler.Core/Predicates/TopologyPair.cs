namespace PackingScheduler.Core.Predicates;

/// <summary>A (topology key, value) pair packed into one long, for counting pods per topology domain.</summary>
public static class TopologyPair
{
    public static long Of(int key, int value) => ((long)key << 32) | (uint)value;

    public static void Add(Dictionary<long, long> counts, int key, int value, long delta)
    {
        long pair = Of(key, value);
        counts.TryGetValue(pair, out long current);
        current += delta;
        // Counts can go negative in scoring; zero entries are dropped, as upstream does.
        if (current == 0) counts.Remove(pair);
        else counts[pair] = current;
    }
}
