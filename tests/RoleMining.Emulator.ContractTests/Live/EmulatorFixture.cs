using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using RoleMining.Emulator.ContractTests.Spec;

namespace RoleMining.Emulator.ContractTests.Live;

/// <summary>How to shape one request of an operation, for the negative cases.</summary>
public sealed record RequestShape
{
    public static readonly RequestShape Valid = new();

    /// <summary>Send no Authorization header.</summary>
    public bool WithoutToken { get; init; }

    /// <summary>Send this bearer token instead of the issued one.</summary>
    public string? BearerToken { get; init; }

    /// <summary>Leave out the X-SailPoint-Experimental header even where the spec requires it.</summary>
    public bool WithoutExperimentalHeader { get; init; }

    /// <summary>Send this value for X-SailPoint-Experimental instead of the spec's default ("true").</summary>
    public string? ExperimentalHeaderValue { get; init; }

    /// <summary>Query parameters to add.</summary>
    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();

    /// <summary>Path parameters to override (e.g. an unknown id).</summary>
    public IReadOnlyDictionary<string, string> PathOverrides { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// One in-process <see cref="EmulatorServer"/> for a test class, with an access token, and the ids of real
/// sessions, potential roles and exports found by calling the API itself (as a client would).
/// </summary>
public abstract class EmulatorFixtureBase : IAsyncLifetime, IDisposable
{
    private readonly SemaphoreSlim discovery = new(1, 1);
    private readonly Dictionary<ApiVersion, string> exportIds = [];
    private (string SessionId, string PotentialRoleId)? knownIds;
    private string? accessToken;
    private EmulatorServer? server;
    private HttpClient? client;

    public SpecCatalog Spec { get; } = SpecCatalog.Instance;

    public EmulatorServer Server => server ?? throw new InvalidOperationException("The emulator has not started.");

    public HttpClient Client => client ?? throw new InvalidOperationException("The emulator has not started.");

    protected abstract EmulatorOptions CreateOptions();

    public async Task InitializeAsync()
    {
        server = await EmulatorServer.StartAsync(CreateOptions(), CancellationToken.None);
        client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        accessToken = await RequestTokenAsync(CancellationToken.None);
        await OnStartedAsync(CancellationToken.None);
    }

    /// <summary>Runs once the server answers and the token is issued.</summary>
    protected virtual Task OnStartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
            server = null;
        }

        Dispose();
    }

    public void Dispose()
    {
        client?.Dispose();
        discovery.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>POST /oauth/token with the configured client credentials; the token stays in memory.</summary>
    public async Task<string> RequestTokenAsync(CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = Server.Options.ClientId,
            ["client_secret"] = Server.Options.ClientSecret,
        });
        using var response = await Client.PostAsync(new Uri("oauth/token", UriKind.Relative), form, cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST oauth/token answered {(int)response.StatusCode}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return body?["access_token"]?.GetValue<string>() ?? throw new InvalidOperationException("The token response has no access_token.");
    }

    /// <summary>Sends one request of <paramref name="operation"/> with valid ids, shaped by <paramref name="shape"/>.</summary>
    public async Task<ApiResponse> SendAsync(SpecOperation operation, RequestShape shape, CancellationToken cancellationToken)
    {
        var pathValues = new Dictionary<string, string>(await PathValuesAsync(operation, shape.PathOverrides, cancellationToken));
        foreach (var (name, value) in shape.PathOverrides)
        {
            pathValues[name] = value;
        }

        return await SendAsync(operation, pathValues, shape, cancellationToken);
    }

    public async Task<ApiResponse> SendAsync(
        SpecOperation operation, IReadOnlyDictionary<string, string> pathValues, RequestShape shape, CancellationToken cancellationToken)
    {
        var path = operation.RelativePath(pathValues);
        if (shape.Query.Count > 0)
        {
            path += "?" + string.Join('&', shape.Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
        }

        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), new Uri(path, UriKind.Relative));
        var token = shape.BearerToken ?? accessToken;
        if (!shape.WithoutToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var header in operation.Parameters.Where(p => p.In == "header" && p.Required))
        {
            var isExperimental = string.Equals(header.Name, SpecCatalog.ExperimentalHeader, StringComparison.OrdinalIgnoreCase);
            if (isExperimental && shape.WithoutExperimentalHeader)
            {
                continue;
            }

            var value = isExperimental && shape.ExperimentalHeaderValue is not null ? shape.ExperimentalHeaderValue : header.DefaultText;
            request.Headers.TryAddWithoutValidation(header.Name, value ?? throw new InvalidOperationException($"{operation}: no value for required header {header.Name}."));
        }

        if (operation.RequestBody is { } body && body.MediaTypes.TryGetValue("application/json", out var media))
        {
            // The request body is the spec's own example (e.g. {minEntitlementPopularity: 0, includeCommonAccess: true}).
            var example = media.Child("example").Node ?? Spec.Documents.Dereference(media.Child("schema")).Child("example").Node;
            request.Content = new StringContent(example?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json");
        }

        using var response = await Client.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new ApiResponse($"{operation.Method} /{path}", response.StatusCode, response.Content.Headers.ContentType?.MediaType, bytes, response.Headers);
    }

    /// <summary>Real values for every path parameter of <paramref name="operation"/> except those in <paramref name="skip"/>.</summary>
    public async Task<IReadOnlyDictionary<string, string>> PathValuesAsync(
        SpecOperation operation, IReadOnlyDictionary<string, string>? skip, CancellationToken cancellationToken)
    {
        var names = operation.PathParameterNames.Where(n => skip?.ContainsKey(n) != true).ToList();
        var values = new Dictionary<string, string>();
        if (names.Count == 0)
        {
            return values;
        }

        var (sessionId, potentialRoleId) = await KnownIdsAsync(cancellationToken);
        foreach (var name in names)
        {
            values[name] = name switch
            {
                "sessionId" => sessionId,
                "potentialRoleId" => potentialRoleId,
                "exportId" => await CompletedExportIdAsync(operation.Version, cancellationToken),
                _ => throw new InvalidOperationException($"{operation}: no known value for path parameter '{name}'."),
            };
        }

        return values;
    }

    /// <summary>A session with potential roles and one of its potential roles, found through the v2024 list operations.</summary>
    public async Task<(string SessionId, string PotentialRoleId)> KnownIdsAsync(CancellationToken cancellationToken)
    {
        await discovery.WaitAsync(cancellationToken);
        try
        {
            return knownIds ??= await DiscoverIdsAsync(cancellationToken);
        }
        finally
        {
            discovery.Release();
        }
    }

    private async Task<(string, string)> DiscoverIdsAsync(CancellationToken cancellationToken)
    {
        var sessions = await SendAsync(Spec.Operation(ApiVersion.V2024, "getRoleMiningSessions"), new Dictionary<string, string>(), RequestShape.Valid, cancellationToken);
        Assert.True(sessions.StatusCode == 200, $"Finding a session failed: {sessions}");
        var session = sessions.Json!.AsArray()
            .Select(s => s!.AsObject())
            .FirstOrDefault(s => s["status"]?["state"]?.GetValue<string>() == "POTENTIAL_ROLES_CREATED" && s["potentialRoleCount"]?.GetValue<int>() > 0)
            ?? throw new InvalidOperationException($"No session in state POTENTIAL_ROLES_CREATED with potential roles: {sessions}");
        var sessionId = session["id"]!.GetValue<string>();

        var summaries = await SendAsync(
            Spec.Operation(ApiVersion.V2024, "getPotentialRoleSummaries"),
            new Dictionary<string, string> { ["sessionId"] = sessionId },
            RequestShape.Valid,
            cancellationToken);
        Assert.True(summaries.StatusCode == 200, $"Finding a potential role failed: {summaries}");
        var potentialRoleId = summaries.Json!.AsArray().FirstOrDefault()?["id"]?.GetValue<string>()
            ?? throw new InvalidOperationException($"Session {sessionId} lists no potential role: {summaries}");
        return (sessionId, potentialRoleId);
    }

    /// <summary>An export created through <paramref name="version"/>'s export-async operation, polled until SUCCESS.</summary>
    public async Task<string> CompletedExportIdAsync(ApiVersion version, CancellationToken cancellationToken)
    {
        var (sessionId, potentialRoleId) = await KnownIdsAsync(cancellationToken);
        await discovery.WaitAsync(cancellationToken);
        try
        {
            if (exportIds.TryGetValue(version, out var known))
            {
                return known;
            }

            var ids = new Dictionary<string, string> { ["sessionId"] = sessionId, ["potentialRoleId"] = potentialRoleId };
            var created = await SendAsync(Spec.Operation(version, "exportRoleMiningPotentialRoleAsync"), ids, RequestShape.Valid, cancellationToken);
            Assert.True(created.StatusCode == 202, $"Starting an export failed: {created}");
            var exportId = created.Json?["exportId"]?.GetValue<string>() ?? throw new InvalidOperationException($"No exportId in {created}");
            ids["exportId"] = exportId;

            // The fixture's exports skip QUEUED and IN_PROGRESS; the loop only guards against a slow machine.
            var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
            while (true)
            {
                var status = await SendAsync(Spec.Operation(version, "exportRoleMiningPotentialRoleStatus"), ids, RequestShape.Valid, cancellationToken);
                Assert.True(status.StatusCode == 200, $"Following export {exportId} failed: {status}");
                var state = status.Json?["status"]?.GetValue<string>();
                if (state == "SUCCESS")
                {
                    break;
                }

                Assert.True(state is "QUEUED" or "IN_PROGRESS" && DateTimeOffset.UtcNow < deadline, $"Export {exportId} did not succeed: {status}");
                await Task.Delay(50, cancellationToken);
            }

            exportIds[version] = exportId;
            return exportId;
        }
        finally
        {
            discovery.Release();
        }
    }
}

/// <summary>The emulator without rate limiting (so the suite is not throttled) and with exports that finish at once.</summary>
public sealed class EmulatorFixture : EmulatorFixtureBase
{
    protected override EmulatorOptions CreateOptions() => new()
    {
        RateLimit = { Enabled = false },
        Exports = { QueuedFor = TimeSpan.Zero, InProgressFor = TimeSpan.Zero },
    };
}
