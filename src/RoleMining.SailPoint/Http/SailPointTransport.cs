using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using RoleMining.SailPoint.Authentication;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.SailPoint.Errors;
using RoleMining.SailPoint.RateLimiting;
using RoleMining.SailPoint.Resilience;

namespace RoleMining.SailPoint.Http;

/// <summary>
/// Sends one role-mining operation: rate-limit permit, bearer token, the Polly pipeline (total timeout, retry, circuit
/// breaker, per-attempt timeout), one token renewal on 401, and the mapping of every failure to
/// <see cref="SailPointException"/>. Shared by every <see cref="RoleMiningClient"/> of one registration.
/// </summary>
internal sealed class SailPointTransport : IDisposable
{
    private const string ExperimentalHeader = "X-SailPoint-Experimental";
    private static readonly ProductInfoHeaderValue UserAgent = new("RoleMining.SailPoint", "1.0");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptZip = new("application/zip");

    private readonly Func<HttpClient> _httpClient;
    private readonly string _baseUri;
    private readonly SailPointTokenProvider _tokens;
    private readonly ISailPointRateLimiter? _rateLimiter;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ResiliencePipeline _attemptPipeline;
    private readonly CircuitOpenCause _circuitOpenCause = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SailPointMetrics _metrics;

    public SailPointTransport(
        RoleMiningClientOptions options,
        Func<HttpClient> apiHttpClient,
        Func<HttpClient> tokenHttpClient,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        ISailPointRateLimiter? rateLimiter,
        SailPointMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        RoleMiningClientOptionsValidator.ThrowIfInvalid(options);
        var baseUrl = options.BaseUrl!;

        _httpClient = apiHttpClient;
        _baseUri = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl.AbsoluteUri : baseUrl.AbsoluteUri + "/";
        _timeProvider = timeProvider;
        DownloadIdleTimeout = options.Timeouts.DownloadIdle;
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger("RoleMining.SailPoint.RoleMiningClient");
        Routes = new RoleMiningRoutes(options.ApiVersion);
        _tokens = new SailPointTokenProvider(
            tokenHttpClient,
            baseUrl,
            options.ClientId!,
            options.ClientSecret!,
            options.TokenRenewalMargin,
            options.Timeouts.Attempt,
            timeProvider,
            loggerFactory.CreateLogger("RoleMining.SailPoint.Authentication"));
        _rateLimiter = rateLimiter;
        _pipeline = SailPointResiliencePipelines.BuildOperationPipeline(options, timeProvider, _logger, _circuitOpenCause);
        _attemptPipeline = SailPointResiliencePipelines.BuildAttemptPipeline(options, timeProvider);
    }

    public RoleMiningRoutes Routes { get; }

    /// <summary>How long a read of a download body may wait for a byte (<see cref="SailPointTimeoutOptions.DownloadIdle"/>).</summary>
    public TimeSpan DownloadIdleTimeout { get; }

    /// <summary>The clock of the timeouts.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    public ILogger Logger => _logger;

    /// <summary>
    /// Sends the operation and returns its successful response; JSON bodies are already buffered, downloads
    /// (<paramref name="streamResponse"/>) are not. Any failure is thrown as <see cref="SailPointException"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(
        RoleMiningOperation operation, Func<HttpContent>? content, bool streamResponse, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var telemetry = new OperationTelemetry(_metrics, operation.OperationId, operation.Method, operation.ResourceType, _timeProvider);
        var state = new OperationState(this, operation, content, streamResponse, telemetry);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(SailPointResiliencePipelines.OperationKey, operation);
        context.Properties.Set(SailPointResiliencePipelines.TelemetryKey, telemetry);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(
                static (context, state) => state.Transport.AttemptAsync(state, context.CancellationToken),
                context,
                state).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && ToSailPointException(operation, exception, _circuitOpenCause.OpenedBy) is { } mapped)
        {
            // Also for a failure raised before any request left (the token endpoint's own answer).
            mapped.NotProcessed |= !state.MayHaveBeenProcessed;
            telemetry.Failed(mapped);
            if (mapped.Status is { } status)
            {
                Log.OperationFailed(_logger, operation.OperationId, (int)status, telemetry.Attempts, telemetry.Elapsed.TotalMilliseconds, mapped.DetailCode, mapped.TrackingId);
            }
            else
            {
                Log.OperationFailedWithoutAnswer(_logger, operation.OperationId, telemetry.Attempts, telemetry.Elapsed.TotalMilliseconds, mapped.Kind);
            }

            throw mapped;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (response.IsSuccessStatusCode)
        {
            telemetry.Completed((int)response.StatusCode, null);
            return response;
        }

        using (response)
        {
            var failure = await ErrorResponseReader.CreateExceptionAsync(
                operation, response, RetryAfterHeader.Read(response, _timeProvider), cancellationToken).ConfigureAwait(false);
            // Every answer was a 429 or 401 (the retries used up): nothing was processed.
            failure.NotProcessed = !state.MayHaveBeenProcessed;
            telemetry.Completed(failure.StatusCode, failure.TrackingId);
            Log.OperationFailed(
                _logger,
                operation.OperationId,
                failure.StatusCode,
                telemetry.Attempts,
                telemetry.Elapsed.TotalMilliseconds,
                failure.DetailCode,
                failure.TrackingId);
            throw failure;
        }
    }

    public void Dispose() => _tokens.Dispose();

    private static SailPointException? ToSailPointException(RoleMiningOperation operation, Exception exception, SailPointErrorDetails? circuitOpenedBy)
    {
        SailPointErrorDetails Details(SailPointErrorKind kind, string reason) => new()
        {
            OperationId = operation.OperationId,
            Kind = kind,
            Reason = reason,
            ResourceType = operation.ResourceType,
            ResourceId = operation.ResourceId,
        };

        return exception switch
        {
            SailPointException sailPoint => sailPoint,
            TokenRequestException { InnerException: SailPointException refused } => refused,
            TokenRequestException { InnerException: TimeoutException timeout } => new SailPointException(Details(SailPointErrorKind.Timeout, timeout.Message), timeout),
            TokenRequestException token => new SailPointException(Details(SailPointErrorKind.Transport, "the token endpoint could not be reached: " + CauseOf(token.InnerException ?? token)), token.InnerException),
            BrokenCircuitException broken => new SailPointException(
                Details(SailPointErrorKind.CircuitOpen, "recent calls to this tenant failed; retry after the break") with { CircuitOpenedBy = circuitOpenedBy, RetryAfter = broken.RetryAfter },
                broken),
            TimeoutRejectedException timeout => new SailPointException(Details(SailPointErrorKind.Timeout, "the time budget ran out"), timeout),
            RateLimiterRejectedException limited => new SailPointException(Details(SailPointErrorKind.RateLimited, limited.Message) with { RetryAfter = limited.RetryAfter }, limited),
            HttpRequestException or IOException => new SailPointException(Details(SailPointErrorKind.Transport, CauseOf(exception)), exception),
            OperationCanceledException => new SailPointException(Details(SailPointErrorKind.Timeout, "the request was cancelled by a timeout"), exception),
            _ => null,
        };
    }

    /// <summary>
    /// What went wrong on the wire, for the message ("Name or service not known (host:443)", "Connection refused"): the
    /// first message of the exception chain that is not a "see inner exception" wrapper, such as the TLS handshake's.
    /// Host names and ports only; requests and credentials are never in these messages.
    /// </summary>
    private static string CauseOf(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (!current.Message.Contains("inner exception", StringComparison.OrdinalIgnoreCase))
            {
                return current.Message.TrimEnd('.');
            }
        }

        return exception.Message;
    }

    private async ValueTask<HttpResponseMessage> AttemptAsync(OperationState state, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetTokenAsync(null, cancellationToken).ConfigureAwait(false);
        var response = await SendOnceAsync(state, token.Value, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || state.TokenRenewed)
        {
            return response;
        }

        // The token was revoked or expired early. Renew once per operation (shared with concurrent callers) and resend.
        // A 401 means the request was not processed, so this is safe for POST as well.
        state.TokenRenewed = true;
        Log.TokenRejected(_logger, state.Operation.OperationId);
        response.Dispose();
        token = await _tokens.GetTokenAsync(token.Value, cancellationToken).ConfigureAwait(false);
        return await SendOnceAsync(state, token.Value, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<HttpResponseMessage> SendOnceAsync(OperationState state, string accessToken, CancellationToken cancellationToken)
    {
        IDisposable? permit = null;
        if (_rateLimiter is not null)
        {
            permit = await AcquirePermitAsync(state, cancellationToken).ConfigureAwait(false);
        }

        // The permit is held until the answer is in (or the attempt failed): the service counted the request somewhere
        // in between, and the limiter counts it for that whole time.
        using (permit)
        {
            return await SendCountedAsync(state, accessToken, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<HttpResponseMessage> SendCountedAsync(OperationState state, string accessToken, CancellationToken cancellationToken)
    {
        var attempt = state.Telemetry.AttemptStarted();
        var started = _timeProvider.GetTimestamp();
        try
        {
            var response = await _attemptPipeline.ExecuteAsync(
                static (arguments, token) => arguments.State.Transport.SendHttpAsync(arguments.State, arguments.AccessToken, token),
                (State: state, AccessToken: accessToken),
                cancellationToken).ConfigureAwait(false);

            var operation = state.Operation;
            state.Telemetry.AttemptEnded((int)response.StatusCode, null);
            if (_rateLimiter is not null && response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                // Everyone sharing the budget waits as long as this request will (its retry honours Retry-After too).
                var retryAfter = RetryAfterHeader.Read(response, _timeProvider) ?? TimeSpan.Zero;
                await _rateLimiter.OnRateLimitedAsync(operation.OperationId, retryAfter, cancellationToken).ConfigureAwait(false);
            }

            Log.AttemptCompleted(
                _logger,
                operation.OperationId,
                operation.Method.Method,
                (int)response.StatusCode,
                attempt,
                _timeProvider.GetElapsedTime(started).TotalMilliseconds,
                response.IsSuccessStatusCode ? null : TrackingIdOf(response));
            return response;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not RateLimiterRejectedException)
        {
            state.Telemetry.AttemptEnded(null, exception);
            Log.AttemptFailed(
                _logger,
                state.Operation.OperationId,
                state.Operation.Method.Method,
                attempt,
                _timeProvider.GetElapsedTime(started).TotalMilliseconds,
                exception.GetType().Name,
                exception);
            throw;
        }
    }

    /// <summary>
    /// Waits for a permit of the tenant's request budget. The one place that waits for the budget, and so the one place
    /// that measures the wait (<see cref="SailPointTelemetry.RateLimitWaitInstrument"/>): a shared limiter plugs in here.
    /// </summary>
    private async ValueTask<IDisposable?> AcquirePermitAsync(OperationState state, CancellationToken cancellationToken)
    {
        var waitStarted = _timeProvider.GetTimestamp();
        var permit = await _rateLimiter!.AcquireAsync(state.Operation.OperationId, cancellationToken).ConfigureAwait(false);
        var waited = _timeProvider.GetElapsedTime(waitStarted);
        state.Telemetry.RateLimitWaited(waited);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.RateLimitWait(_logger, state.Operation.OperationId, waited.TotalMilliseconds);
        }

        return permit;
    }

    private async ValueTask<HttpResponseMessage> SendHttpAsync(OperationState state, string accessToken, CancellationToken cancellationToken)
    {
        var operation = state.Operation;
        using var request = new HttpRequestMessage(operation.Method, new Uri(_baseUri + operation.RelativeUri, UriKind.Absolute));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Accept.Add(AcceptJson);
        if (state.StreamResponse)
        {
            request.Headers.Accept.Add(AcceptZip);
        }

        if (operation.SendsExperimentalHeader)
        {
            request.Headers.TryAddWithoutValidation(ExperimentalHeader, "true");
        }

        request.Content = state.Content?.Invoke();

        HttpResponseMessage response;
        try
        {
            response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (TransientFailures.ConnectFailureOf(exception) == ConnectFailure.None)
        {
            // Sent, or maybe: a reset or a timeout after the request left does not prove the service did not act on it.
            // No connection made (refused, a connect timeout, a name that does not resolve) proves it.
            state.MayHaveBeenProcessed = true;
            throw;
        }

        // 429 and 401 say the request was not processed; any other answer may follow processing (a 5xx after the export
        // was created).
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized))
        {
            state.MayHaveBeenProcessed = true;
        }

        try
        {
            // JSON bodies are read inside the attempt, so a connection that breaks mid-body is retried like any other
            // transient failure. A download stays a stream; only its error bodies (small) are read here.
            if (!state.StreamResponse || !response.IsSuccessStatusCode)
            {
                var received = response.Content;
                response.Content = await PooledBufferContent.ReadAsync(received, cancellationToken).ConfigureAwait(false);
                received.Dispose();
            }

            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    // Buffered in SendHttpAsync, so this reads memory, not the network.
    private static string? TrackingIdOf(HttpResponseMessage response) => ErrorResponseReader.TryParseBuffered(response)?.TrackingId;

    /// <summary>Per-operation state shared by its attempts.</summary>
    private sealed class OperationState(SailPointTransport transport, RoleMiningOperation operation, Func<HttpContent>? content, bool streamResponse, OperationTelemetry telemetry)
    {
        public OperationTelemetry Telemetry { get; } = telemetry;

        public SailPointTransport Transport { get; } = transport;

        public RoleMiningOperation Operation { get; } = operation;

        public Func<HttpContent>? Content { get; } = content;

        public bool StreamResponse { get; } = streamResponse;

        public bool TokenRenewed { get; set; }

        /// <summary>
        /// Whether an attempt may have been processed by the service. False while every attempt failed before a request
        /// left (token, rate limit, no connection) or was answered 429 or 401.
        /// </summary>
        public bool MayHaveBeenProcessed { get; set; }
    }
}
