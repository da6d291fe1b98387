using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RoleMining.SailPoint.Authentication;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.SailPoint.Http;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.RateLimiting;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.SailPoint;

/// <summary>
/// The ISC role-mining client. Register it with <c>services.AddSailPointRoleMining(...)</c>, or build one without DI
/// with <see cref="Create"/>. Thread-safe; one instance serves the whole process.
/// </summary>
public sealed class RoleMiningClient : IRoleMiningClient, IDisposable
{
    private readonly SailPointTransport _transport;
    private readonly RoleMiningRoutes _routes;
    private readonly IDisposable? _owned;

    internal RoleMiningClient(SailPointTransport transport, IDisposable? owned = null)
    {
        _transport = transport;
        _routes = transport.Routes;
        _owned = owned;
    }

    /// <summary>The API version this client calls.</summary>
    public RoleMiningApiVersion ApiVersion => _routes.ApiVersion;

    private ILogger Logger => _transport.Logger;

    /// <summary>
    /// Builds a client without dependency injection. <paramref name="handler"/> replaces the HTTP stack (a proxy, a
    /// test handler) for the API and the token requests; it is not disposed with the client. It must not follow
    /// redirects: a <see cref="SocketsHttpHandler"/> or <see cref="HttpClientHandler"/> with
    /// <c>AllowAutoRedirect</c> set is refused (<see cref="ArgumentException"/>), since the token request carries the
    /// client secret, which a 307 or 308 would send on to another host.
    /// </summary>
    public static RoleMiningClient Create(RoleMiningClientOptions options, HttpMessageHandler? handler = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        RoleMiningClientOptionsValidator.ThrowIfInvalid(options);
        if (handler is not null && TokenRedirects.AreFollowedBy(handler))
        {
            throw new ArgumentException(TokenRedirects.Problem("The handler"), nameof(handler));
        }

        HttpClient OwnClient(bool followRedirects) => new(
            new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = options.Timeouts.Connect, AllowAutoRedirect = followRedirects },
            disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

        var httpClient = handler is null ? OwnClient(followRedirects: true) : new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        // The token request carries the client secret in its body, which a 307 or 308 would send on to wherever it points.
        var tokenClient = handler is null ? OwnClient(followRedirects: false) : httpClient;
        timeProvider ??= TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;

        // A client built here has a budget of its own (in-process); clients that must share one come from one container.
        var rateLimiter = SailPointRateLimiters.Create(options, store: null, timeProvider, loggerFactory);
        var metrics = new SailPointMetrics();
        var transport = new SailPointTransport(options, () => httpClient, () => tokenClient, timeProvider, loggerFactory, rateLimiter, metrics);
        return new RoleMiningClient(transport, new OwnedResources(transport, httpClient, tokenClient, rateLimiter as IDisposable, metrics));
    }

    /// <inheritdoc />
    public Task<RoleMiningSession> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return GetJsonAsync(_routes.GetSession(sessionId), RoleMiningJsonContext.Default.RoleMiningSession, cancellationToken);
    }

    /// <inheritdoc />
    public Task<RoleMiningSessionStatus> GetSessionStatusAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return GetJsonAsync(_routes.GetSessionStatus(sessionId), RoleMiningJsonContext.Default.RoleMiningSessionStatus, cancellationToken);
    }

    /// <inheritdoc />
    public AsyncPageable<RoleMiningSession> GetSessionsAsync(CollectionQuery? query = null, CancellationToken cancellationToken = default) =>
        Pageable(request => _routes.GetSessions(request), RoleMiningJsonContext.Default.ListRoleMiningSession, query, cancellationToken);

    /// <inheritdoc />
    public AsyncPageable<PotentialRoleSummary> GetPotentialRoleSummariesAsync(string sessionId, CollectionQuery? query = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        return Pageable(request => _routes.GetPotentialRoleSummaries(sessionId, request), RoleMiningJsonContext.Default.ListPotentialRoleSummary, query, cancellationToken);
    }

    /// <inheritdoc />
    public Task<PotentialRoleSummary> GetPotentialRoleSummaryAsync(string sessionId, string potentialRoleId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(potentialRoleId);
        return GetJsonAsync(_routes.GetPotentialRole(sessionId, potentialRoleId), RoleMiningJsonContext.Default.PotentialRoleSummary, cancellationToken);
    }

    /// <inheritdoc />
    public Task<PotentialRole> GetPotentialRoleAsync(string sessionId, string potentialRoleId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(potentialRoleId);
        return GetJsonAsync(_routes.GetPotentialRole(sessionId, potentialRoleId), RoleMiningJsonContext.Default.PotentialRole, cancellationToken);
    }

    /// <inheritdoc />
    public AsyncPageable<RoleMiningIdentity> GetPotentialRoleIdentitiesAsync(string sessionId, string potentialRoleId, CollectionQuery? query = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(potentialRoleId);
        return Pageable(request => _routes.GetPotentialRoleIdentities(sessionId, potentialRoleId, request), RoleMiningJsonContext.Default.ListRoleMiningIdentity, query, cancellationToken);
    }

    /// <inheritdoc />
    public AsyncPageable<RoleMiningEntitlement> GetEntitlementPopularitiesAsync(string sessionId, string potentialRoleId, CollectionQuery? query = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(potentialRoleId);
        return Pageable(request => _routes.GetEntitlementPopularities(sessionId, potentialRoleId, request), RoleMiningJsonContext.Default.ListRoleMiningEntitlement, query, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<PotentialRoleExport> StartExportAsync(string sessionId, string potentialRoleId, PotentialRoleExportRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(potentialRoleId);
        ArgumentNullException.ThrowIfNull(request);
        var operation = _routes.StartExport(sessionId, potentialRoleId);

        // Serialized once, with its length: JsonContent streams its body chunked, which some gateways refuse (411) and the
        // SailPoint SDKs never send. A fresh content per attempt: a retried request cannot reuse one that was sent.
        var body = JsonSerializer.SerializeToUtf8Bytes(request, RoleMiningJsonContext.Default.PotentialRoleExportRequest);
        using var response = await _transport.SendAsync(
            operation,
            () => new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
            streamResponse: false,
            cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(operation, response, RoleMiningJsonContext.Default.PotentialRoleExport, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<PotentialRoleExport> GetExportStatusAsync(string sessionId, string potentialRoleId, string exportId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(potentialRoleId);
        ArgumentException.ThrowIfNullOrWhiteSpace(exportId);
        return GetJsonAsync(_routes.GetExportStatus(sessionId, potentialRoleId, exportId), RoleMiningJsonContext.Default.PotentialRoleExport, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ExportDownload> DownloadExportAsync(string sessionId, string potentialRoleId, string exportId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(potentialRoleId);
        ArgumentException.ThrowIfNullOrWhiteSpace(exportId);
        var operation = _routes.DownloadExport(sessionId, potentialRoleId, exportId);
        var response = await _transport.SendAsync(operation, null, streamResponse: true, cancellationToken).ConfigureAwait(false);
        try
        {
            var content = response.Content;
            var stream = new IdleTimeoutReadStream(await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _transport.DownloadIdleTimeout, _transport.TimeProvider);
            var disposition = content.Headers.ContentDisposition;
            var fileName = (disposition?.FileNameStar ?? disposition?.FileName)?.Trim('"');
            return new ExportDownload(stream, content.Headers.ContentLength, fileName, content.Headers.ContentType?.MediaType, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Releases what <see cref="Create"/> made; a client from DI owns nothing.</summary>
    public void Dispose() => _owned?.Dispose();

    private async Task<T> GetJsonAsync<T>(RoleMiningOperation operation, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(operation, null, streamResponse: false, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(operation, response, typeInfo, cancellationToken).ConfigureAwait(false);
    }

    private OffsetPageable<T> Pageable<T>(Func<PageRequest, RoleMiningOperation> route, JsonTypeInfo<List<T>> typeInfo, CollectionQuery? query, CancellationToken cancellationToken) =>
        OffsetPageable<T>.Create(
            async (request, token) =>
            {
                var operation = route(request);
                using var response = await _transport.SendAsync(operation, null, streamResponse: false, token).ConfigureAwait(false);
                var items = await ReadJsonAsync(operation, response, typeInfo, token).ConfigureAwait(false);
                int? total = null;
                if (response.Headers.TryGetValues("X-Total-Count", out var values)
                    && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                {
                    total = parsed;
                }

                return (items, total);
            },
            query,
            Logger,
            cancellationToken);

    private static async Task<T> ReadJsonAsync<T>(RoleMiningOperation operation, HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        T? value;
        try
        {
            if (response.Content is PooledBufferContent buffered)
            {
                value = JsonSerializer.Deserialize(buffered.Span, typeInfo);
            }
            else
            {
                var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                value = await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException exception)
        {
            throw InvalidResponse(operation, response.StatusCode, "the body is not the JSON the spec describes", exception);
        }

        return value ?? throw InvalidResponse(operation, response.StatusCode, "the body is empty or null", null);
    }

    private static SailPointException InvalidResponse(RoleMiningOperation operation, HttpStatusCode status, string reason, Exception? inner) =>
        new(new SailPointErrorDetails
        {
            OperationId = operation.OperationId,
            Kind = SailPointErrorKind.InvalidResponse,
            Status = status,
            Reason = reason,
            ResourceType = operation.ResourceType,
            ResourceId = operation.ResourceId,
        }, inner);

    private sealed class OwnedResources(SailPointTransport transport, HttpClient httpClient, HttpClient tokenClient, IDisposable? rateLimiter, SailPointMetrics metrics) : IDisposable
    {
        public void Dispose()
        {
            transport.Dispose();
            httpClient.Dispose();
            tokenClient.Dispose();
            rateLimiter?.Dispose();
            metrics.Dispose();
        }
    }
}
