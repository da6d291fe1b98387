using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using RoleMining.Api.Problems;

namespace RoleMining.Cli.Serve.Security;

/// <summary>The token of <c>rolemining serve</c> (<see cref="ServeSecurity.AccessToken"/>).</summary>
internal sealed class ServeTokenAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>The token requests must carry.</summary>
    public string? Token { get; set; }
}

/// <summary>
/// Authenticates a request that carries the serve token as <c>Authorization: Bearer</c>, or as <c>x-functions-key</c> so
/// that scripts written for the Azure Functions app work unchanged; answers a missing or wrong token with a 401 problem.
/// </summary>
internal sealed class ServeTokenAuthenticationHandler(IOptionsMonitor<ServeTokenAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ServeTokenAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ServeToken";

    private const string FunctionKeyHeader = "x-functions-key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Presented();
        if (presented is null || Options.Token is not { Length: > 0 } token)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Compared as hashes: equal lengths, in constant time, so that timing tells nothing about the token.
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(token))))
        {
            return Task.FromResult(AuthenticateResult.Fail("The access token does not match."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "serve-token")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return ApiProblems.Problem(
            Request,
            StatusCodes.Status401Unauthorized,
            "An access token is required.",
            "Send the access token of rolemining serve (printed at start, or RoleMining:Serve:AccessToken) as 'Authorization: Bearer <token>' or 'x-functions-key: <token>'.")
            .ExecuteAsync(Context);
    }

    private string? Presented()
    {
        var authorization = Request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var key = Request.Headers[FunctionKeyHeader].ToString();
        return key.Length > 0 ? key : null;
    }
}
