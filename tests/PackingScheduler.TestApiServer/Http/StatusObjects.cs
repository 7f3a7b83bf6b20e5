using System.Text.Json.Nodes;

namespace PackingScheduler.TestApiServer;

/// <summary>Builds meta/v1 <c>Status</c> objects exactly shaped like the API server's.</summary>
internal static class StatusObjects
{
    public static JsonObject Failure(ApiStatusException e)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = e.Message,
            ["reason"] = e.Reason,
        };
        var details = new JsonObject();
        if (e.DetailsName is not null)
        {
            details["name"] = e.DetailsName;
        }

        if (e.DetailsGroup is not null)
        {
            details["group"] = e.DetailsGroup;
        }

        if (e.DetailsKind is not null)
        {
            details["kind"] = e.DetailsKind;
        }

        if (e.RetryAfterSeconds is { } retry)
        {
            details["retryAfterSeconds"] = retry;
        }

        if (details.Count > 0)
        {
            status["details"] = details;
        }

        status["code"] = e.Code;
        return status;
    }

    public static JsonObject Success(int code, ResourceType? rt = null, string? name = null, string? uid = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
        };
        if (rt is not null)
        {
            var details = new JsonObject();
            if (name is not null)
            {
                details["name"] = name;
            }

            if (rt.Group.Length > 0)
            {
                details["group"] = rt.Group;
            }

            details["kind"] = rt.Plural;
            if (uid is not null)
            {
                details["uid"] = uid;
            }

            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }
}
