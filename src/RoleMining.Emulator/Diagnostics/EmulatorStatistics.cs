using System.Collections.Concurrent;

namespace RoleMining.Emulator;

/// <summary>Thread-safe counters of what the emulator received and answered. <see cref="Reset"/> zeroes them.</summary>
public sealed class EmulatorStatistics
{
    private readonly ConcurrentDictionary<string, long> _requestsByOperation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, long> _responsesByStatusCode = new();
    private readonly ConcurrentDictionary<(string SessionId, string PotentialRoleId), long> _exportCreations = new();
    private long _totalRequests;
    private long _rateLimitedResponses;
    private long _tokensIssued;
    private long _exportCreationsTotal;
    private long _connectionResets;
    private long _faultsInjected;
    private readonly Dictionary<string, Queue<long>> _arrivals = new(StringComparer.Ordinal);
    private int _peakRequestsPerWindow;

    /// <summary>Every request received, whatever its outcome.</summary>
    public long TotalRequests => Interlocked.Read(ref _totalRequests);

    /// <summary>429 responses sent, by the rate limiter or by fault injection.</summary>
    public long RateLimitedResponses => Interlocked.Read(ref _rateLimitedResponses);

    /// <summary>Access tokens issued by <c>POST /oauth/token</c>.</summary>
    public long TokensIssued => Interlocked.Read(ref _tokensIssued);

    /// <summary>Export-async jobs created (202 answers of <c>exportRoleMiningPotentialRoleAsync</c>).</summary>
    public long ExportCreations => Interlocked.Read(ref _exportCreationsTotal);

    /// <summary>Connections aborted by fault injection.</summary>
    public long ConnectionResets => Interlocked.Read(ref _connectionResets);

    /// <summary>Faults injected of any kind (latency excluded).</summary>
    public long FaultsInjected => Interlocked.Read(ref _faultsInjected);

    /// <summary>
    /// The most rate-limited API requests (admitted or refused) of one client id that arrived within any one rate-limit
    /// window: what a client sent, whatever the server made of it. Counted while the rate limit is on.
    /// </summary>
    public int PeakRequestsPerWindow
    {
        get
        {
            lock (_arrivals)
            {
                return _peakRequestsPerWindow;
            }
        }
    }

    /// <summary>Requests per spec operationId as served (v1 ids end in <c>V1</c>; unknown routes count as <c>unknown</c>).</summary>
    public IReadOnlyDictionary<string, long> RequestsByOperation => new Dictionary<string, long>(_requestsByOperation, StringComparer.Ordinal);

    /// <summary>Responses per HTTP status code (aborted connections are not responses).</summary>
    public IReadOnlyDictionary<int, long> ResponsesByStatusCode => new Dictionary<int, long>(_responsesByStatusCode);

    /// <summary>Export-async creations per (sessionId, potentialRoleId).</summary>
    public IReadOnlyDictionary<(string SessionId, string PotentialRoleId), long> ExportCreationsByPotentialRole =>
        new Dictionary<(string SessionId, string PotentialRoleId), long>(_exportCreations);

    /// <summary>Requests for <paramref name="operationId"/> exactly as served (e.g. <c>getIdentitiesPotentialRole</c> or
    /// <c>getIdentitiesPotentialRoleV1</c>).</summary>
    public long RequestsFor(string operationId) => _requestsByOperation.GetValueOrDefault(operationId);

    /// <summary>Requests for <paramref name="operationId"/> in every API version (the plain and the <c>V1</c> name).</summary>
    public long RequestsForAnyVersion(string operationId) =>
        RequestsFor(operationId) + RequestsFor(operationId + "V1");

    /// <summary>Responses sent with <paramref name="statusCode"/>.</summary>
    public long ResponsesWith(int statusCode) => _responsesByStatusCode.GetValueOrDefault(statusCode);

    /// <summary>Export-async creations for one potential role.</summary>
    public long ExportCreationsFor(string sessionId, string potentialRoleId) =>
        _exportCreations.GetValueOrDefault((sessionId, potentialRoleId));

    /// <summary>Sets every counter to zero.</summary>
    public void Reset()
    {
        _requestsByOperation.Clear();
        _responsesByStatusCode.Clear();
        _exportCreations.Clear();
        Interlocked.Exchange(ref _totalRequests, 0);
        Interlocked.Exchange(ref _rateLimitedResponses, 0);
        Interlocked.Exchange(ref _tokensIssued, 0);
        Interlocked.Exchange(ref _exportCreationsTotal, 0);
        Interlocked.Exchange(ref _connectionResets, 0);
        Interlocked.Exchange(ref _faultsInjected, 0);
        lock (_arrivals)
        {
            _arrivals.Clear();
            _peakRequestsPerWindow = 0;
        }
    }

    /// <summary>Counts an API request of <paramref name="clientId"/> arriving at <paramref name="now"/> (ticks) into the
    /// busiest <paramref name="window"/> seen.</summary>
    internal void RecordApiArrival(string clientId, long now, TimeSpan window)
    {
        lock (_arrivals)
        {
            if (!_arrivals.TryGetValue(clientId, out var arrivals))
            {
                _arrivals[clientId] = arrivals = new Queue<long>();
            }

            while (arrivals.TryPeek(out var oldest) && oldest <= now - window.Ticks)
            {
                arrivals.Dequeue();
            }

            arrivals.Enqueue(now);
            _peakRequestsPerWindow = Math.Max(_peakRequestsPerWindow, arrivals.Count);
        }
    }

    internal void RecordRequest(string operationId)
    {
        Interlocked.Increment(ref _totalRequests);
        _requestsByOperation.AddOrUpdate(operationId, 1, static (_, count) => count + 1);
    }

    internal void RecordResponse(int statusCode)
    {
        _responsesByStatusCode.AddOrUpdate(statusCode, 1, static (_, count) => count + 1);
        if (statusCode == StatusCodes.Status429TooManyRequests)
        {
            Interlocked.Increment(ref _rateLimitedResponses);
        }
    }

    internal void RecordTokenIssued() => Interlocked.Increment(ref _tokensIssued);

    internal void RecordConnectionReset() => Interlocked.Increment(ref _connectionResets);

    internal void RecordFault() => Interlocked.Increment(ref _faultsInjected);

    internal void RecordExportCreation(string sessionId, string potentialRoleId)
    {
        Interlocked.Increment(ref _exportCreationsTotal);
        _exportCreations.AddOrUpdate((sessionId, potentialRoleId), 1, static (_, count) => count + 1);
    }
}
