namespace PackingScheduler.Core.Translation;

/// <summary>
/// A Kubernetes object the engine cannot use as it is. <see cref="Field"/> is the path of the
/// offending field (e.g. spec.tolerations[1].operator); the message says what is wrong with it.
/// </summary>
public sealed class InvalidObjectException : Exception
{
    public InvalidObjectException(string field, string problem)
        : base($"{field}: {problem}")
    {
        Field = field;
        Problem = problem;
    }

    public string Field { get; }
    public string Problem { get; }
}
