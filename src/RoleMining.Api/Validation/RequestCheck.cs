using Microsoft.AspNetCore.Http;
using RoleMining.Api.Problems;

namespace RoleMining.Api.Validation;

/// <summary>
/// The checks every handler makes before it calls anything: no query parameter it does not know, the ids of its route,
/// the media type it answers with. Every problem is collected, so that one 400 (or 406) names them all:
/// <code>
/// var check = RequestCheck.Of(request, "offset").SailPointId(nameof(sessionId), sessionId);
/// check.Accept(ContentNegotiation.Json);
/// if (check.Problem is { } problem) return problem;
/// </code>
/// </summary>
internal sealed class RequestCheck
{
    private readonly HttpRequest _request;

    private RequestCheck(HttpRequest request, string[] queryParameters)
    {
        _request = request;
        Query = new QueryReader(request.Query, Errors);
        Query.RejectUnknown(queryParameters);
    }

    /// <summary>The problems found so far.</summary>
    public RequestErrors Errors { get; } = new();

    /// <summary>The query, read strictly.</summary>
    public QueryReader Query { get; }

    /// <summary>The 400 (or 406) problem when anything was wrong; null when the request may go on.</summary>
    public IResult? Problem => Errors.Any ? ApiProblems.Validation(_request, Errors) : null;

    /// <summary>Starts the checks of <paramref name="request"/>, which may carry only <paramref name="queryParameters"/>.</summary>
    public static RequestCheck Of(HttpRequest request, params string[] queryParameters)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new RequestCheck(request, queryParameters);
    }

    /// <summary>Records an error unless <paramref name="id"/> is an ISC id.</summary>
    public RequestCheck SailPointId(string field, string? id)
    {
        if (!ApiIds.IsSailPointId(id))
        {
            Errors.Add(field, $"'{field}' must be a SailPoint id: a UUID or 32 hexadecimal characters.");
        }

        return this;
    }

    /// <summary>Records an error unless <paramref name="id"/> is a job or batch id.</summary>
    public RequestCheck JobId(string field, string? id)
    {
        if (!ApiIds.IsJobId(id))
        {
            Errors.Add(field, $"'{field}' must be 32 hexadecimal characters.");
        }

        return this;
    }

    /// <summary>The media type to answer with, of <paramref name="produces"/>, as the request's <c>Accept</c> prefers.</summary>
    public string? Accept(params string[] produces) => ContentNegotiation.Choose(_request, Errors, produces);
}
