using Microsoft.AspNetCore.Http;

namespace RoleMining.Api.Problems;

/// <summary>Adds response headers (<c>Location</c>, <c>Retry-After</c>, <c>X-Total-Count</c>) to another result.</summary>
public sealed class HeaderResult : IResult, IStatusCodeHttpResult
{
    private readonly IResult _inner;
    private readonly (string Name, string Value)[] _headers;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public HeaderResult(IResult inner, params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(headers);
        _inner = inner;
        _headers = headers;
    }

    /// <summary>The wrapped result.</summary>
    public IResult Inner => _inner;

    /// <summary>The headers added.</summary>
    public IReadOnlyList<(string Name, string Value)> Headers => _headers;

    /// <inheritdoc />
    public int? StatusCode => (_inner as IStatusCodeHttpResult)?.StatusCode;

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        foreach (var (name, value) in _headers)
        {
            httpContext.Response.Headers[name] = value;
        }

        return _inner.ExecuteAsync(httpContext);
    }
}
