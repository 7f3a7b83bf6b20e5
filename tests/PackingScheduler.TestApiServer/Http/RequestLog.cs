namespace PackingScheduler.TestApiServer;

/// <summary>Thread-safe bounded log of handled requests.</summary>
internal sealed class RequestLog(int capacity)
{
    private readonly object _gate = new();
    private readonly Queue<RequestRecord> _records = new();

    public void Add(RequestRecord record)
    {
        lock (_gate)
        {
            _records.Enqueue(record);
            while (_records.Count > Math.Max(1, capacity))
            {
                _records.Dequeue();
            }
        }
    }

    public IReadOnlyList<RequestRecord> Snapshot()
    {
        lock (_gate)
        {
            return _records.ToArray();
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _records.Clear();
        }
    }
}
