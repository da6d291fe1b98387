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

    /// <summary>
    /// How an attempt failed to connect, if it did: the host name did not resolve (a typo: retrying cannot help), or no
    /// connection could be made (refused, no route, or <see cref="SailPointTimeoutOptions.Connect"/> ran out). Either way
    /// SailPoint never saw the request, so the answer holds for every method.
    /// </summary>
    public static ConnectFailure ConnectFailureOf(Exception? exception)
    {
        var http = exception switch
        {
            HttpRequestException direct => direct,
            TokenRequestException { InnerException: HttpRequestException inner } => inner,
            _ => null,
        };
        if (http is not null)
        {
            if (http.HttpRequestError == HttpRequestError.NameResolutionError || http.InnerException is SocketException { SocketErrorCode: SocketError.HostNotFound })
            {
                return ConnectFailure.NameNotResolved;
            }

            return ProvablyNotSent(http) || http.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut }
                ? ConnectFailure.NotConnected
                : ConnectFailure.None;
        }

        // SocketsHttpHandler reports an expired ConnectTimeout as a cancellation caused by a TimeoutException.
        return exception is OperationCanceledException { InnerException: TimeoutException } ? ConnectFailure.NotConnected : ConnectFailure.None;
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

/// <summary>How an attempt failed to reach the tenant (see <see cref="TransientFailures.ConnectFailureOf"/>).</summary>
internal enum ConnectFailure
{
    /// <summary>A connection was made, or the failure came later.</summary>
    None,

    /// <summary>The host name did not resolve.</summary>
    NameNotResolved,

    /// <summary>No connection could be made.</summary>
    NotConnected,
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
