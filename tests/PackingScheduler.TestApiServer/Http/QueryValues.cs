using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace PackingScheduler.TestApiServer;

/// <summary>Query parameter parsing with the API server's conventions (Go's strconv.ParseBool).</summary>
internal static class QueryValues
{
    public static string? String(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var v) && v.Count > 0 ? v[^1] : null;

    public static bool Bool(IQueryCollection query, string name) =>
        String(query, name) is "1" or "t" or "T" or "true" or "TRUE" or "True";

    public static long? Long(IQueryCollection query, string name) =>
        long.TryParse(String(query, name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;
}
