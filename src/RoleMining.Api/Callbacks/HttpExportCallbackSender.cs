using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Options;
using RoleMining.Api.Exports;
using RoleMining.Api.Routing;
using RoleMining.Api.Serialization;
using RoleMining.Exports;

namespace RoleMining.Api.Callbacks;

/// <summary>
/// Calls a configured completion callback: gets an OAuth token with the callback's client credentials (cached until
/// shortly before it expires), then POSTs <see cref="ExportCallbackEnvelope"/> with <c>Idempotency-Key: {jobId}</c>. One
/// call per attempt; the callback step retries with backoff. 2xx is delivered; 408, 429, 5xx, a network failure or an
/// unavailable token endpoint may pass with time; any other answer is final (a 401 first gets one retry with a new token).
/// </summary>
public sealed class HttpExportCallbackSender : IExportCallbackSender
{
    /// <summary>The <c>HttpClient</c> name of the callbacks and their token requests.</summary>
    public const string HttpClientName = "RoleMining.Api.Callbacks";

    private static readonly TimeSpan TokenRenewalMargin = TimeSpan.FromMinutes(1);

    private readonly RoleMiningApiOptions _options;
    private readonly ApiLinks _links;
    private readonly IHttpClientFactory _httpClients;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _tokens = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the sender.</summary>
    public HttpExportCallbackSender(IOptions<RoleMiningApiOptions> options, IHttpClientFactory httpClients, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClients);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value;
        _links = new ApiLinks(_options);
        _httpClients = httpClients;
        _timeProvider = timeProvider;
    }

    /// <summary>The configured callback names.</summary>
    public IEnumerable<string> Names => _options.Callbacks.Where(pair => pair.Value.IsConfigured).Select(pair => pair.Key);

    /// <inheritdoc />
    public bool IsConfigured(string name) => _options.Callbacks.TryGetValue(name, out var target) && target.IsConfigured;

    /// <inheritdoc />
    public async Task<ExportCallbackDelivery> SendAsync(ExportJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Callback is not { } callback || !_options.Callbacks.TryGetValue(callback.Name, out var target) || !target.IsConfigured)
        {
            return ExportCallbackDelivery.Permanent($"The callback '{job.Callback?.Name}' is no longer configured (RoleMining:Api:Callbacks).");
        }

        if (target.UrlIsUnresolvedKeyVaultReference)
        {
            return ExportCallbackDelivery.Transient($"The callback's URL (app setting RoleMining__Api__Callbacks__{callback.Name}__Url) is a Key Vault reference the platform has not resolved: check that the secret exists and the app's identity may read it, then restart the app.");
        }

        var http = _httpClients.CreateClient(HttpClientName);
        var envelope = new ExportCallbackEnvelope
        {
            Input = new ExportCallbackPayload
            {
                JobId = job.JobId,
                State = ExportRepresentation.StateName(job.State),
                SessionId = job.SessionId,
                PotentialRoleId = job.PotentialRoleId,
                StatusUrl = _links.Export(null, job.JobId),
                CompletedAt = job.CompletedAt,
                Artifacts = _links.Artifacts(null, job),
                Failure = ExportRepresentation.ToFailure(job),
            },
        };

        // Serialized once and sent with its Content-Length: JsonContent would stream it chunked, which some receivers and
        // the proxies in front of them read as an empty body.
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope, ApiJsonContext.Default.ExportCallbackEnvelope);

        for (var attempt = 0; ; attempt++)
        {
            string? token = null;
            if (target.UsesToken)
            {
                var (value, error) = await TokenAsync(http, callback.Name, target, renew: attempt > 0, cancellationToken).ConfigureAwait(false);
                if (value is null)
                {
                    return error!;
                }

                token = value;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
            };
            request.Headers.Add("Idempotency-Key", job.JobId);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException exception)
            {
                return ExportCallbackDelivery.Transient($"The callback receiver could not be reached: {exception.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return ExportCallbackDelivery.Transient("The callback receiver did not answer in time.");
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return ExportCallbackDelivery.Success;
                }

                if (response.StatusCode == HttpStatusCode.Unauthorized && token is not null && attempt == 0)
                {
                    continue; // The cached token may have been revoked: one more try with a new one.
                }

                var status = (int)response.StatusCode;
                var error = status is >= 300 and < 400
                    ? $"The callback receiver answered {status} {response.ReasonPhrase}: redirects are not followed, the envelope goes only to the configured URL."
                    : $"The callback receiver answered {status} {response.ReasonPhrase}.";
                return status is 408 or 429 or >= 500 ? ExportCallbackDelivery.Transient(error) : ExportCallbackDelivery.Permanent(error);
            }
        }
    }

    private async Task<(string? Token, ExportCallbackDelivery? Error)> TokenAsync(HttpClient http, string name, CallbackTargetOptions target, bool renew, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (!renew && _tokens.TryGetValue(name, out var cached) && cached.RenewAt > now)
        {
            return (cached.Token, null);
        }

        using var request = new ClientCredentialsTokenRequest
        {
            Address = target.TokenUrl,
            ClientId = target.ClientId!,
            ClientSecret = target.ClientSecret,
            Scope = string.IsNullOrWhiteSpace(target.Scope) ? null : target.Scope,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
        };
        var response = await http.RequestClientCredentialsTokenAsync(request, cancellationToken).ConfigureAwait(false);
        // The secret is never part of a message: only the endpoint's status and OAuth error code.
        var status = (int)response.HttpStatusCode;
        if (status is >= 200 and < 300)
        {
            if (AccessTokenOf(response) is not { } token)
            {
                // Not an OAuth token endpoint (a login page, a wrong path) or a broken one: asking again will not change it.
                return (null, ExportCallbackDelivery.Permanent(
                    $"The callback's token endpoint answered {status} without an access token (a JSON object with a string access_token): check the callback's TokenUrl."));
            }

            _tokens[name] = (token.Value, now + (token.Lifetime > TokenRenewalMargin * 2 ? token.Lifetime - TokenRenewalMargin : token.Lifetime / 2));
            return (token.Value, null);
        }

        var error = status is >= 300 and < 400
            ? $"The callback's token endpoint answered {status}: redirects are not followed, the client secret goes only to the configured token URL."
            : status == 0
                ? $"The callback's token endpoint did not answer: {response.Exception?.Message ?? response.Error ?? "no reason given"}."
                : $"The callback's token endpoint refused the client credentials ({status.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {ErrorCodeOf(response) ?? "no error code"}).";
        return (null, status is 0 or 408 or 429 or >= 500
            ? ExportCallbackDelivery.Transient(error)
            : ExportCallbackDelivery.Permanent(error));
    }

    /// <summary>The access token of a successful answer and how long it lasts (0 when it does not say); null when the body has none.</summary>
    private static (string Value, TimeSpan Lifetime)? AccessTokenOf(TokenResponse response)
    {
        // Read here rather than through response.AccessToken, which takes a number for a token too.
        if (response.ErrorType == ResponseErrorType.Exception || StringMember(response, "access_token") is not { Length: > 0 } value)
        {
            return null;
        }

        // expires_in is a number (RFC 6749); some servers send it as a string, which Duende's reader takes too.
        var seconds = response.Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("expires_in", out var expiresIn)
            && expiresIn.ValueKind == JsonValueKind.Number && expiresIn.TryGetInt32(out var number)
                ? number
                : int.TryParse(StringMember(response, "expires_in"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var text) ? text : 0;
        return (value, TimeSpan.FromSeconds(Math.Max(seconds, 0)));
    }

    /// <summary>The OAuth error code of a refusal, if its body is a JSON object that has one.</summary>
    // The body's own "error", not response.Error, which is the reason phrase for some statuses (401).
    private static string? ErrorCodeOf(TokenResponse response) => StringMember(response, "error");

    /// <summary>A string member of the token endpoint's JSON object; null when the body is not an object or the member is not a string.</summary>
    private static string? StringMember(TokenResponse response, string name)
    {
        if (response.Json is not { ValueKind: JsonValueKind.Object } json || !json.TryGetProperty(name, out var member) || member.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return member.GetString();
        }
        catch (InvalidOperationException)
        {
            // A JSON string escaping a lone UTF-16 surrogate parses, and throws only when read as a .NET string.
            return null;
        }
    }
}
