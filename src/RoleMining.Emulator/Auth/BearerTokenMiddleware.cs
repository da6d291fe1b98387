using RoleMining.Emulator.Api;

namespace RoleMining.Emulator.Auth;

/// <summary>Every API call needs <c>Authorization: Bearer &lt;token&gt;</c>; anything else is a 401 <c>{"error": ...}</c>.</summary>
internal sealed class BearerTokenMiddleware(RequestDelegate next, TokenStore tokens)
{
    private static readonly PathString TokenPath = "/oauth/token";

    public Task InvokeAsync(HttpContext context)
    {
        var operation = context.GetEndpoint()?.Metadata.GetMetadata<EmulatedOperation>();
        if (operation is { Anonymous: true } || context.Request.Path.StartsWithSegments(TokenPath))
        {
            return next(context);
        }

        string authorization = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == scheme.Length)
        {
            return ApiErrors.UnauthorizedAsync(context, "JWT validation failed: JWT is missing");
        }

        var accessToken = authorization[scheme.Length..].Trim();
        var check = tokens.Check(accessToken, out var clientId);
        return check switch
        {
            TokenCheck.Valid => Continue(context, clientId!),
            TokenCheck.Expired => ApiErrors.UnauthorizedAsync(context, "JWT validation failed: JWT is expired"),
            TokenCheck.Revoked => ApiErrors.UnauthorizedAsync(context, "JWT validation failed: JWT has been revoked"),
            _ => ApiErrors.UnauthorizedAsync(context, "JWT validation failed: JWT is invalid"),
        };
    }

    private Task Continue(HttpContext context, string clientId)
    {
        context.Features.Get<EmulatorRequestFeature>()?.ClientId = clientId;
        return next(context);
    }
}
