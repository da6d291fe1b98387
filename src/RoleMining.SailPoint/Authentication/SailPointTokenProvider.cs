using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.SailPoint.Errors;
using RoleMining.SailPoint.Resilience;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.SailPoint.Authentication;

/// <summary>
/// OAuth2 client credentials against <c>{base}/oauth/token</c>. The token is cached and renewed ahead of expiry;
/// concurrent callers that need a new token wait for one renewal instead of each asking for their own.
/// </summary>
internal sealed class SailPointTokenProvider : IDisposable
{
    internal const string OperationId = "oauthToken";

    /// <summary>The lifetime assumed for a token whose response gives none (<c>expires_in</c>): renewed after it, or at a 401.</summary>
    internal static readonly TimeSpan AssumedLifetime = TimeSpan.FromMinutes(5);

    private readonly Func<HttpClient> _httpClient;
    private readonly Uri _tokenUri;
    private readonly string _clientId;
    private readonly string _clientSecret;
    private readonly TimeSpan _renewalMargin;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private volatile AccessToken? _current;

    public SailPointTokenProvider(
        Func<HttpClient> httpClient, Uri baseUrl, string clientId, string clientSecret, TimeSpan renewalMargin, TimeSpan attemptTimeout, TimeProvider timeProvider, ILogger logger)
    {
        _attemptTimeout = attemptTimeout;
        _httpClient = httpClient;
        _tokenUri = new Uri(EnsureTrailingSlash(baseUrl), "oauth/token");
        _clientId = clientId;
        _clientSecret = clientSecret;
        _renewalMargin = renewalMargin;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Returns a token that is not about to expire. When <paramref name="rejectedToken"/> is given (the service
    /// answered 401 to it) that token is not returned again; if another caller has already replaced it, the
    /// replacement is returned without a new request.
    /// </summary>
    public async ValueTask<AccessToken> GetTokenAsync(string? rejectedToken, CancellationToken cancellationToken)
    {
        var current = _current;
        if (IsUsable(current, rejectedToken))
        {
            return current!;
        }

        await _renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            if (IsUsable(current, rejectedToken))
            {
                return current!;
            }

            var fresh = await RequestTokenAsync(cancellationToken).ConfigureAwait(false);
            _current = fresh;
            return fresh;
        }
        finally
        {
            _renewal.Release();
        }
    }

    public void Dispose() => _renewal.Dispose();

    private static Uri EnsureTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private bool IsUsable(AccessToken? token, string? rejectedToken) =>
        token is not null
        && !token.NeedsRenewal(_timeProvider.GetUtcNow())
        && !string.Equals(token.Value, rejectedToken, StringComparison.Ordinal);

    private async Task<AccessToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, _tokenUri)
        {
            Content = new FormUrlEncodedContent(
            [
                new KeyValuePair<string, string>("grant_type", "client_credentials"),
                new KeyValuePair<string, string>("client_id", _clientId),
                new KeyValuePair<string, string>("client_secret", _clientSecret),
            ]),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // One token request is one attempt (SailPoint:Timeouts:Attempt), like any API request: a token endpoint that
        // accepts the connection and never answers must not hold every caller, waiting behind this renewal, for the
        // operation's whole budget. Timed out, the request is transient and retried.
        using var attempt = new CancellationTokenSource(_attemptTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attempt.Token);
        HttpResponseMessage response;
        try
        {
            response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            Log.TokenEndpointUnreachable(_logger, _timeProvider.GetElapsedTime(started).TotalMilliseconds, exception.GetType().Name);
            throw new TokenRequestException(exception);
        }
        catch (OperationCanceledException exception) when (attempt.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.TokenEndpointUnreachable(_logger, _timeProvider.GetElapsedTime(started).TotalMilliseconds, nameof(TimeoutException));
            throw new TokenRequestException(new TimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"the token endpoint did not answer within {_attemptTimeout.TotalSeconds:0.###} s (SailPoint:Timeouts:Attempt)"), exception));
        }

        using (response)
        {
            var elapsedMs = _timeProvider.GetElapsedTime(started).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                Log.TokenRequestFailed(_logger, (int)response.StatusCode, elapsedMs);
                var body = await ErrorResponseReader.TryReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
                var details = ErrorResponseReader.ToDetails(OperationId, response.StatusCode, body, RetryAfterHeader.Read(response, _timeProvider)) with
                {
                    Kind = SailPointErrorKind.Authentication,
                    Reason = (int)response.StatusCode is >= 300 and < 400
                        ? "the token endpoint answered with a redirect, which is not followed: the client secret goes only to SailPoint:BaseUrl's token endpoint"
                        : "the token endpoint refused the client credentials or failed",
                };
                throw new TokenRequestException(new SailPointException(details), response.StatusCode);
            }

            TokenResponse? token;
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                token = await JsonSerializer.DeserializeAsync(stream, RoleMiningJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                token = null;
            }

            if (string.IsNullOrEmpty(token?.AccessToken))
            {
                throw new SailPointException(new SailPointErrorDetails
                {
                    OperationId = OperationId,
                    Kind = SailPointErrorKind.InvalidResponse,
                    Status = response.StatusCode,
                    Reason = "the token endpoint answered without an access_token",
                });
            }

            // Without expires_in, a lifetime of 0 would fetch a token before every request.
            var lifetime = token.ExpiresIn is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : AssumedLifetime;
            var now = _timeProvider.GetUtcNow();

            // A margin larger than half the lifetime would renew on every call; short-lived tokens renew halfway.
            var margin = _renewalMargin < lifetime / 2 ? _renewalMargin : lifetime / 2;
            Log.TokenAcquired(_logger, _clientId, lifetime.TotalSeconds, elapsedMs);
            Activity.Current?.AddEvent(new ActivityEvent("sailpoint.token.acquired"));
            return new AccessToken(token.AccessToken, now + lifetime, now + lifetime - margin);
        }
    }
}

/// <summary>
/// The token could not be obtained. Raised inside an attempt so that the resilience pipeline can tell a transient token
/// endpoint failure (the API request was never sent, so even a POST may be retried) from refused credentials.
/// </summary>
internal sealed class TokenRequestException : Exception
{
    public TokenRequestException()
    {
    }

    public TokenRequestException(string message)
        : base(message)
    {
    }

    public TokenRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TokenRequestException(HttpRequestException innerException)
        : base("The token endpoint could not be reached.", innerException)
    {
        IsTransient = true;
    }

    public TokenRequestException(TimeoutException innerException)
        : base("The token endpoint did not answer in time.", innerException)
    {
        IsTransient = true;
    }

    public TokenRequestException(SailPointException innerException, HttpStatusCode status)
        : base(innerException.Message, innerException)
    {
        Status = status;
        IsTransient = status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
    }

    public HttpStatusCode? Status { get; }

    public bool IsTransient { get; }
}
