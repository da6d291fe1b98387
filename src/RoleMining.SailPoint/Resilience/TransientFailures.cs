using System.Net;
using System.Net.Sockets;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using RoleMining.SailPoint.Authentication;
using RoleMining.SailPoint.Http;

namespace RoleMining.SailPoint.Resilience;

/// <summary>Which outcomes are worth another attempt, and which count against the tenant's health.</summary>
internal static class TransientFailures
{
    /// <summary>Whether the outcome may be retried for this operation.</summary>
    public static bool IsRetryable(Outcome<HttpResponseMessage> outcome, RoleMiningOperation operation)
    {
        if (outcome.Result is { } response)
        {
            var status = response.StatusCode;

            // 429 means the service refused the request without acting on it: safe for every method.
            if (status == HttpStatusCode.TooManyRequests)
            {
                return true;
            }

            return operation.IsIdempotent && IsTransientStatus(status);
        }

        return outcome.Exception switch
        {
            null => false,
            BrokenCircuitException or RateLimiterRejectedException => false,

            // The token endpoint failed before the API request was built: the request itself never left.
            TokenRequestException token => token.IsTransient,
            TimeoutRejectedException => operation.IsIdempotent,
            HttpRequestException http => operation.IsIdempotent || ProvablyNotSent(http),
            IOException => operation.IsIdempotent,
            _ => false,
        };
    }

    /// <summary>Whether the outcome says the tenant is unhealthy (429 and 4xx do not).</summary>
    public static bool IsCircuitFailure(Outcome<HttpResponseMessage> outcome)
    {
        if (outcome.Result is { } response)
        {
            return IsTransientStatus(response.StatusCode);
        }

        return outcome.Exception switch
        {
            TimeoutRejectedException => true,
            TokenRequestException token => token.IsTransient && token.Status != HttpStatusCode.TooManyRequests,
            HttpRequestException or IOException => true,
            _ => false,
        };
    }

    public static bool IsTransientStatus(HttpStatusCode status) =>
        status == HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>
    /// True only when the connection was never established, so the server cannot have seen the request. A reset or a
    /// premature end after sending is not proof: the server may have created the export already.
    /// </summary>
    public static bool ProvablyNotSent(HttpRequestException exception)
    {
        switch (exception.HttpRequestError)
        {
            case HttpRequestError.NameResolutionError:
            case HttpRequestError.ConnectionError:
            case HttpRequestError.SecureConnectionError:
            case HttpRequestError.ProxyTunnelError:
                return true;
        }

        return exception.InnerException is SocketException
        {
            SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable,
        };
    }
}

/// <summary>The client-side rate limiter refused a request (its queue is full, SailPoint asked to pause for longer than a
/// request may wait, or a shared budget could not be reached).</summary>
internal sealed class RateLimiterRejectedException : Exception
{
    /// <summary>When asking again may succeed, if known.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public RateLimiterRejectedException()
        : base("The client-side rate limiter refused the request: its queue is full.")
    {
    }

    public RateLimiterRejectedException(string message)
        : base(message)
    {
    }

    public RateLimiterRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
