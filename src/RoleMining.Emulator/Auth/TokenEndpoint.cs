using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using RoleMining.Emulator.Api.Contracts;

namespace RoleMining.Emulator.Auth;

/// <summary>
/// <c>POST /oauth/token</c>, client-credentials grant. Parameters come from an urlencoded form, a multipart form (as
/// the official TypeScript SDK sends them), the query string (as ISC's documentation shows), or HTTP Basic
/// credentials; a form value wins over the query string.
/// </summary>
internal static class TokenEndpoint
{
    private const string JsonContentType = "application/json; charset=utf-8";

    public static async Task HandleAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value;
        var store = context.RequestServices.GetRequiredService<TokenStore>();
        var statistics = context.RequestServices.GetRequiredService<EmulatorStatistics>();
        var tenantId = context.RequestServices.GetRequiredService<EmulatorTenant>().Seed;

        IFormCollection? form = null;
        if (context.Request.HasFormContentType)
        {
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception exception) when (exception is InvalidDataException or IOException or BadHttpRequestException)
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "The request body is not a valid form.");
                return;
            }
        }

        var grantType = Value(context, form, "grant_type");
        var clientId = Value(context, form, "client_id");
        var clientSecret = Value(context, form, "client_secret");
        if ((clientId is null || clientSecret is null) && TryReadBasicCredentials(context.Request, out var basicId, out var basicSecret))
        {
            clientId ??= basicId;
            clientSecret ??= basicSecret;
        }

        if (grantType is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "Missing grant type");
            return;
        }

        if (!string.Equals(grantType, "client_credentials", StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "unsupported_grant_type", $"Unsupported grant type: {grantType}");
            return;
        }

        if (clientId is null || clientSecret is null || !IsKnownClient(options, clientId, clientSecret))
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_client", "Bad credentials");
            return;
        }

        var (accessToken, lifetime) = store.Issue(clientId);
        statistics.RecordTokenIssued();
        context.Features.Get<Api.EmulatorRequestFeature>()?.ClientId = clientId;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var response = new TokenResponseDto(
            accessToken,
            "bearer",
            (long)lifetime.TotalSeconds,
            "sp:scopes:all",
            TenantUuid(tenantId),
            Internal: true,
            Pod: "emulator01-local",
            StrongAuthSupported: false,
            Org: "rolemining-emulator",
            ClaimsSupported: false,
            StrongAuth: false,
            Jti: Guid.NewGuid().ToString("D"));
        await context.Response.WriteAsJsonAsync(response, EmulatorJson.Context.TokenResponseDto, JsonContentType, context.RequestAborted);
    }

    private static string? Value(HttpContext context, IFormCollection? form, string name)
    {
        if (form is not null && form.TryGetValue(name, out var formValue) && !StringValues.IsNullOrEmpty(formValue))
        {
            return formValue.ToString();
        }

        return context.Request.Query.TryGetValue(name, out var queryValue) && !StringValues.IsNullOrEmpty(queryValue) ? queryValue.ToString() : null;
    }

    private static bool TryReadBasicCredentials(HttpRequest request, out string? clientId, out string? clientSecret)
    {
        clientId = null;
        clientSecret = null;
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return false;
            }

            clientId = Uri.UnescapeDataString(decoded[..colon]);
            clientSecret = Uri.UnescapeDataString(decoded[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsKnownClient(EmulatorOptions options, string clientId, string clientSecret)
    {
        if (string.Equals(clientId, options.ClientId, StringComparison.Ordinal))
        {
            return FixedTimeEquals(clientSecret, options.ClientSecret);
        }

        return options.AdditionalClients is not null
            && options.AdditionalClients.TryGetValue(clientId, out var secret)
            && FixedTimeEquals(clientSecret, secret);
    }

    private static bool FixedTimeEquals(string actual, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(actual)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static string TenantUuid(int seed)
    {
        var random = new Tenant.SplitMix64(Tenant.SplitMix64.Combine((ulong)seed, 0x7E7A_4E71));
        return random.NextUuid();
    }

    private static Task WriteErrorAsync(HttpContext context, int statusCode, string error, string description)
    {
        context.Response.StatusCode = statusCode;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new OAuthErrorDto(error, description), EmulatorJson.Context.OAuthErrorDto, JsonContentType, context.RequestAborted);
    }
}
