using System.Text.RegularExpressions;

namespace PackingScheduler.TestApiServer;

/// <summary>Name validation and generateName, as the API server does them.</summary>
internal static partial class ObjectNames
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Generate(string prefix)
    {
        var trimmed = prefix.Length > 58 ? prefix[..58] : prefix;
        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
        }

        return trimmed + new string(suffix);
    }

    /// <summary>Null when valid, else the reason.</summary>
    public static string? Validate(ResourceType rt, string name)
    {
        if (name.Length > 253)
        {
            return "must be no more than 253 characters";
        }

        var label = rt == ResourceRegistry.Namespaces;
        if (label && (name.Length > 63 || !DnsLabel().IsMatch(name)))
        {
            return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
        }

        if (!label && !DnsSubdomain().IsMatch(name))
        {
            return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();
}
