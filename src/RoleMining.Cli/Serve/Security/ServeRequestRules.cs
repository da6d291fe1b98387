using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using RoleMining.Api.Problems;

namespace RoleMining.Cli.Serve.Security;

/// <summary>
/// Middleware of <c>rolemining serve</c> that refuses what a web page in a browser could send to a server on this machine.
/// Hand-written rather than ASP.NET Core's HostFiltering middleware because its refusal is an HTML page, while every error
/// of this API is an <c>application/problem+json</c> document naming the field.
/// </summary>
internal static class ServeRequestRules
{
    /// <summary>
    /// 400 unless the Host header names this server (a DNS-rebinding page names its own domain). Then, unless
    /// <paramref name="hasPublicBaseUrl"/>, the request's host becomes the address the connection was accepted on, so that
    /// <c>Location</c>, <c>statusUrl</c> and artifact links name the bound address and never echo a header.
    /// </summary>
    public static RequestDelegate CheckHost(RequestDelegate next, ServeSecurity security, bool hasPublicBaseUrl) => context =>
    {
        var host = context.Request.Host;
        if (!host.HasValue || !HostString.MatchesAny(host.Value, [.. security.AllowedHosts]))
        {
            return ApiProblems.Validation(
                context.Request,
                HeaderNames.Host,
                $"'{host.Value}' is not a host this server answers to. Call it by the address it listens on, or add the name to RoleMining:Serve:AllowedHosts.")
                .ExecuteAsync(context);
        }

        if (!hasPublicBaseUrl && context.Connection.LocalIpAddress is { } local)
        {
            context.Request.Host = new HostString(HostOf(local), context.Connection.LocalPort);
        }

        return next(context);
    };

    /// <summary>
    /// 415 for a POST to a route that takes POSTs without a JSON content type (with or without a body): a page can post a
    /// form or a bare request to another site without asking, but not <c>Content-Type: application/json</c>. A POST
    /// that no route takes goes on to its 404 or 405 (the routing runs before this), which tells the caller more.
    /// </summary>
    public static RequestDelegate RequireJsonPosts(RequestDelegate next) => context =>
    {
        if (!HttpMethods.IsPost(context.Request.Method) || IsJson(context.Request.ContentType) || !RouteTakesPost(context))
        {
            return next(context);
        }

        return ApiProblems.Problem(
            context.Request,
            StatusCodes.Status415UnsupportedMediaType,
            "A POST needs a JSON content type.",
            $"Send 'Content-Type: application/json' with every POST, with or without a body (it was '{context.Request.ContentType ?? "missing"}').")
            .ExecuteAsync(context);
    };

    private static bool RouteTakesPost(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post, StringComparer.OrdinalIgnoreCase) == true;

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static string HostOf(IPAddress address)
    {
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return plain.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{new IPAddress(plain.GetAddressBytes())}]" : plain.ToString();
    }
}
