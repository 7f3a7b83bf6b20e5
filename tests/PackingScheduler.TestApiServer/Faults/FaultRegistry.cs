namespace PackingScheduler.TestApiServer;

/// <summary>Injected faults, matched in the order they were added; the first active match applies.</summary>
internal sealed class FaultRegistry
{
    private readonly object _gate = new();
    private readonly List<FaultRegistration> _faults = [];

    public FaultRegistration Add(Func<RequestInfo, bool> match, FaultAction action)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(action);
        var registration = new FaultRegistration(this, match, action);
        lock (_gate)
        {
            _faults.Add(registration);
        }

        return registration;
    }

    public void Remove(FaultRegistration registration)
    {
        lock (_gate)
        {
            registration.IsActive = false;
            _faults.Remove(registration);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            foreach (var f in _faults)
            {
                f.IsActive = false;
            }

            _faults.Clear();
        }
    }

    /// <summary>Claims one application of the first matching fault, if any.</summary>
    public FaultAction? Take(RequestInfo request)
    {
        lock (_gate)
        {
            foreach (var f in _faults)
            {
                bool matches;
                try
                {
                    matches = f.Match(request);
                }
                catch (Exception)
                {
                    matches = false;
                }

                if (!matches)
                {
                    continue;
                }

                f.Hit();
                if (f.Remaining is { } remaining)
                {
                    f.Remaining = remaining - 1;
                    if (remaining - 1 <= 0)
                    {
                        f.IsActive = false;
                        _faults.Remove(f);
                    }
                }

                return f.Action;
            }

            return null;
        }
    }
}
