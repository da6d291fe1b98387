using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.EndToEndTests.Infrastructure;
using RoleMining.Testing.Http;

namespace RoleMining.Functions.EndToEndTests.Host;

/// <summary>
/// The published app under a real Functions host, driven over HTTP only, as SailPoint Workflows, Logic Apps and scripts
/// drive it in Azure: the app's own authentication (API keys, Entra ID tokens), JSON and CSV reads, exports followed through <c>Location</c> and <c>Retry-After</c>,
/// the sweep timer started through the host's admin API, and a malformed queue message.
/// </summary>
[Collection(FunctionsHostGroup.Name)]
public sealed partial class FunctionsHostTests : IClassFixture<FunctionsHostEnvironment>
{
    private static readonly TimeSpan ExportBudget = TimeSpan.FromMinutes(3);
    private readonly FunctionsHostEnvironment _environment;

    public FunctionsHostTests(FunctionsHostEnvironment environment) => _environment = environment;

    [RequiresFunctionsHostFact]
    public async Task A_route_answers_401_problems_without_valid_credentials_even_with_the_hosts_own_function_key_and_200_with_an_api_key()
    {
        using var http = _environment.Host.CreateClient();
        var path = $"api/sessions/{_environment.SweepSessionId}";

        using var anonymous = await http.GetAsync(path);
        using var wrongKey = await http.SendAsync(WithKey(new HttpRequestMessage(HttpMethod.Get, path), "not-the-key"));
        using var hostKey = await http.SendAsync(WithKey(new HttpRequestMessage(HttpMethod.Get, path), _environment.Host.FunctionKey));
        using var keyInUrl = await http.GetAsync(path + "?code=" + FunctionsHostEnvironment.ApiKey);
        using var withKey = await http.SendAsync(Authenticated(new HttpRequestMessage(HttpMethod.Get, path)));

        foreach (var refused in new[] { anonymous, wrongKey, hostKey, keyInUrl })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        using var session = JsonDocument.Parse(await withKey.Content.ReadAsStringAsync());
        Assert.Equal(_environment.SweepSessionId, session.RootElement.GetProperty("id").GetString());
    }

    [RequiresFunctionsHostFact]
    public async Task A_caller_that_authenticates_once_like_a_Logic_App_follows_the_export_to_the_zip_and_an_unauthenticated_poll_is_refused()
    {
        using var http = _environment.Host.CreateClient();
        var role = _environment.HttpSession.PotentialRoles[0];
        var token = await _environment.Issuer.RequestTokenAsync(http, FunctionsHostEnvironment.LogicAppClientId, FunctionsHostEnvironment.LogicAppSecret, FunctionsHostEnvironment.Audience);
        void Bearer(HttpRequestMessage request) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var start = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{role.Session.Id}/potential-roles/{role.Id}/exports")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        Bearer(start);
        start.Headers.Add("Idempotency-Key", "e2e-bearer-" + Guid.NewGuid().ToString("N"));
        var follower = new AsyncPatternClient(http, Bearer);

        using var done = await follower.SendAndFollowAsync(start, ExportBudget);

        Assert.True(done.StatusCode == HttpStatusCode.OK, $"{(int)done.StatusCode}: {await done.Content.ReadAsStringAsync()}\n{_environment.Host.Log()}");
        Assert.NotEmpty(follower.Polls);
        using var unauthenticatedPoll = await http.GetAsync(follower.Polls[0].Location);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticatedPoll.StatusCode);
        Assert.Equal("application/problem+json", unauthenticatedPoll.Content.Headers.ContentType?.MediaType);
        using (var problem = JsonDocument.Parse(await unauthenticatedPoll.Content.ReadAsStringAsync()))
        {
            Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        }

        using var job = JsonDocument.Parse(await done.Content.ReadAsStringAsync());
        var zipUrl = job.RootElement.GetProperty("artifacts").EnumerateArray()
            .Single(artifact => artifact.GetProperty("name").GetString() == ExportArtifactLayout.ZipFileName).GetProperty("url").GetString()!;
        var download = new HttpRequestMessage(HttpMethod.Get, zipUrl);
        Bearer(download);
        using var zip = await http.SendAsync(download);
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        using var archive = new ZipArchive(new MemoryStream(await zip.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);
        Assert.Contains(archive.Entries, entry => entry.FullName == "identities.csv");
        Assert.Equal(1, _environment.Issuer.TokenRequests);
    }

    [RequiresFunctionsHostFact]
    public async Task A_wrong_method_is_a_405_problem_with_allow_and_an_unknown_path_a_404_problem_while_every_route_keeps_its_function()
    {
        using var http = _environment.Host.CreateClient();
        var session = _environment.SweepSessionId;

        // The host's own answer to both was an empty 404.
        foreach (var (method, path, allowed) in new[]
        {
            ("GET", $"api/sessions/{session}/exports", "POST"),
            ("DELETE", "api/exports/ffffffffffffffffffffffffffffffff", "GET"),
            ("PUT", "api/exports/ffffffffffffffffffffffffffffffff/artifacts/export.zip", "GET, HEAD"),
        })
        {
            using var response = await http.SendAsync(Authenticated(new HttpRequestMessage(new HttpMethod(method), path)));
            var problem = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
            Assert.Equal(allowed, string.Join(", ", response.Content.Headers.Allow));
            Assert.Equal($"'/{path}' takes {allowed.Replace(", ", " or ", StringComparison.Ordinal)}, not {method}.", problem.GetProperty("detail").GetString());
        }

        foreach (var path in new[] { "api/nothing-here", "api", $"api/sessions/{session}/potential-roles/x/identities/y" })
        {
            using var response = await http.SendAsync(Authenticated(new HttpRequestMessage(HttpMethod.Get, path)));
            var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
            Assert.Contains($"'/{path}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // A path with a parameter, which the catch-all's template matches too, still gets its route's answer: the job's 404.
        using var job = await http.SendAsync(Authenticated(new HttpRequestMessage(HttpMethod.Get, "api/exports/ffffffffffffffffffffffffffffffff")));
        Assert.Equal("ExportJob", (await ProblemAsync(job, HttpStatusCode.NotFound)).GetProperty("resourceType").GetString());
    }

    [RequiresFunctionsHostFact]
    public async Task The_identities_of_a_potential_role_are_served_as_json_and_as_csv()
    {
        using var http = _environment.Host.CreateClient();
        var role = _environment.HttpSession.PotentialRoles[0];
        var path = $"api/sessions/{role.Session.Id}/potential-roles/{role.Id}/identities?all=true";

        using var json = await http.SendAsync(Authenticated(new HttpRequestMessage(HttpMethod.Get, path)));
        var csvRequest = Authenticated(new HttpRequestMessage(HttpMethod.Get, path));
        csvRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var csv = await http.SendAsync(csvRequest);

        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        using var identities = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        var ids = identities.RootElement.EnumerateArray().Select(identity => identity.GetProperty("id").GetString()).ToList();
        Assert.Equal(role.IdentityCount, ids.Count);

        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,name", lines[0], StringComparison.Ordinal);
        Assert.Equal(ids, lines.Skip(1).Select(line => line.Split(',')[0]));
    }

    [RequiresFunctionsHostFact]
    public async Task An_export_is_followed_through_location_and_retry_after_to_a_verified_zip()
    {
        using var http = _environment.Host.CreateClient();
        var role = _environment.HttpSession.PotentialRoles[^1];
        var start = Authenticated(new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{role.Session.Id}/potential-roles/{role.Id}/exports")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        });
        start.Headers.Add("Idempotency-Key", "e2e-" + Guid.NewGuid().ToString("N"));
        var follower = new AsyncPatternClient(http, poll => Authenticated(poll));

        using var done = await follower.SendAndFollowAsync(start, ExportBudget);

        Assert.True(done.StatusCode == HttpStatusCode.OK, $"{(int)done.StatusCode}: {await done.Content.ReadAsStringAsync()}\n{_environment.Host.Log()}");
        Assert.NotEmpty(follower.Polls);
        Assert.All(follower.Polls, poll => Assert.Equal(_environment.Host.BaseAddress.Authority, poll.Location.Authority));
        using var job = JsonDocument.Parse(await done.Content.ReadAsStringAsync());
        Assert.Equal("succeeded", job.RootElement.GetProperty("state").GetString(), ignoreCase: true);
        var artifacts = job.RootElement.GetProperty("artifacts").EnumerateArray().ToDictionary(
            artifact => artifact.GetProperty("name").GetString()!,
            artifact => (Url: artifact.GetProperty("url").GetString()!, Sha256: artifact.TryGetProperty("sha256", out var sha) ? sha.GetString() : null));

        var zip = await http.SendAsync(Authenticated(new HttpRequestMessage(HttpMethod.Get, artifacts[ExportArtifactLayout.ZipFileName].Url)));
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        var bytes = await zip.Content.ReadAsByteArrayAsync();
        using (var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read))
        {
            Assert.Equal(["entitlements.csv", "identities.csv"], archive.Entries.Select(entry => entry.FullName).Order(StringComparer.Ordinal));
            using var identities = new StreamReader(archive.GetEntry("identities.csv")!.Open());
            var rows = (await identities.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;
            Assert.Equal(role.IdentityCount, rows);
        }

        // Through the host too, HEAD gives what a download tool checks first, and no body.
        var head = await http.SendAsync(Authenticated(new HttpRequestMessage(HttpMethod.Head, artifacts[ExportArtifactLayout.ZipFileName].Url)));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        Assert.Equal(zip.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        var manifestResponse = await http.SendAsync(Authenticated(new HttpRequestMessage(HttpMethod.Get, artifacts[ExportArtifactLayout.ManifestFileName].Url)));
        using var manifest = JsonDocument.Parse(await manifestResponse.Content.ReadAsStringAsync());
        var zipInManifest = manifest.RootElement.GetProperty("files").EnumerateArray()
            .Single(file => file.GetProperty("name").GetString() == ExportArtifactLayout.ZipFileName);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(zipInManifest.GetProperty("sha256").GetString(), actual, ignoreCase: true);
        Assert.Equal(bytes.Length, zipInManifest.GetProperty("size").GetInt64());
        AssertQuietWorkerLog();
    }

    [RequiresFunctionsHostFact]
    public async Task A_session_export_ends_when_every_potential_role_is_exported()
    {
        using var http = _environment.Host.CreateClient();
        var session = _environment.HttpSession;
        var start = Authenticated(new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session.Id}/exports")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        });

        using var done = await new AsyncPatternClient(http, poll => Authenticated(poll)).SendAndFollowAsync(start, ExportBudget);

        Assert.True(done.StatusCode == HttpStatusCode.OK, $"{(int)done.StatusCode}: {await done.Content.ReadAsStringAsync()}\n{_environment.Host.Log()}");
        using var batch = JsonDocument.Parse(await done.Content.ReadAsStringAsync());
        Assert.Equal(session.PotentialRoles.Count, batch.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(session.PotentialRoles.Count, batch.RootElement.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, batch.RootElement.GetProperty("failed").GetInt32());
    }

    [RequiresFunctionsHostFact]
    public async Task The_sweep_timer_run_through_the_admin_api_stores_an_export_of_every_role_of_its_session()
    {
        using var http = _environment.Host.CreateClient();
        var session = _environment.Emulator.Tenant.FindSession(_environment.SweepSessionId)!;
        var run = new HttpRequestMessage(HttpMethod.Post, "admin/functions/ExportSweep")
        {
            Content = new StringContent("{\"input\":\"\"}", Encoding.UTF8, "application/json"),
        };

        using var accepted = await http.SendAsync(WithKey(run, _environment.Host.MasterKey));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var container = _environment.Azurite.Blobs().GetBlobContainerClient(FunctionsSettings.ArtifactContainer);
        var expected = session.PotentialRoles.Select(role => role.Id).Order(StringComparer.Ordinal).ToList();
        var exported = await WaitForAsync(
            async () =>
            {
                var roles = await ManifestRolesAsync(container, session.Id);
                return roles.Count == expected.Count ? roles : null;
            },
            ExportBudget);
        Assert.Equal(expected, exported);
        AssertQuietWorkerLog();
    }

    /// <summary>
    /// Quiet by default: the worker's Azure SDK lines (one per storage request and response, a warning for each expected
    /// 404) do not reach the host's log, which is what Application Insights would bill. The host's own Azure SDK warnings
    /// (its lease and state blobs) are the host's, under host.json, and are told apart by their category.
    /// </summary>
    private void AssertQuietWorkerLog()
    {
        var workerLines = WorkerLogLines(_environment.Host.ConsoleLines());
        var sdkLines = workerLines.Where(line => line.Contains("Request [", StringComparison.Ordinal) || line.Contains("Response [", StringComparison.Ordinal)
            || line.Contains("Error response [", StringComparison.Ordinal)).ToList();
        Assert.True(sdkLines.Count == 0, $"{sdkLines.Count} of the worker's {workerLines.Count} log lines in the host's log are the Azure SDK's, e.g.:\n{string.Join('\n', sdkLines.Take(5))}");
    }

    /// <summary>The message lines the host logged for the worker (category <c>Function.{name}.User</c>), from its console log.</summary>
    private static List<string> WorkerLogLines(IReadOnlyList<string> console)
    {
        var lines = new List<string>();
        var inWorkerEntry = false;
        foreach (var line in console)
        {
            if (ConsoleEntryHeader().Match(line) is { Success: true } header)
            {
                inWorkerEntry = header.Groups["category"].Value.EndsWith(".User", StringComparison.Ordinal);
            }
            else if (inWorkerEntry)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    [GeneratedRegex(@"^(trce|dbug|info|warn|fail|crit): (?<category>Function\.[^\s\[]+|[^\s\[]+)\[")]
    private static partial Regex ConsoleEntryHeader();

    [RequiresFunctionsHostFact]
    public async Task A_message_that_is_not_an_export_message_is_dropped_and_the_host_keeps_serving()
    {
        var queues = _environment.Azurite.Queues();
        var poll = queues.GetQueueClient(ExportQueueNames.Poll);
        var poison = queues.GetQueueClient(ExportQueueNames.PoisonFor(ExportStep.Poll));
        await poison.CreateIfNotExistsAsync();
        var jobs = _environment.Azurite.Blobs().GetBlobContainerClient(FunctionsSettings.JobContainer);
        var jobsBefore = await JobVersionsAsync(jobs);

        await poll.SendMessageAsync("{not an export message");

        // Taken and completed (deleted) by the queue trigger, not retried into the poison queue.
        await WaitForAsync(async () => (await poll.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0 ? (object)true : null, TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(jobsBefore, await JobVersionsAsync(jobs));
        using var http = _environment.Host.CreateClient();
        using var stillServing = await http.SendAsync(Authenticated(new HttpRequestMessage(HttpMethod.Get, $"api/sessions/{_environment.SweepSessionId}")));
        Assert.Equal(HttpStatusCode.OK, stillServing.StatusCode);
    }

    /// <summary>Asserts a problem document with <paramref name="expected"/> status and returns it.</summary>
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: '{body}'");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static HttpRequestMessage Authenticated(HttpRequestMessage request) => WithKey(request, FunctionsHostEnvironment.ApiKey);

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string key)
    {
        request.Headers.Add("x-functions-key", key);
        return request;
    }

    private static async Task<List<string>> ManifestRolesAsync(BlobContainerClient container, string sessionId)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        if (!await container.ExistsAsync())
        {
            return [];
        }

        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, sessionId + "/", default))
        {
            var segments = blob.Name.Split('/');
            if (segments is [_, var role, _, ExportArtifactLayout.ManifestFileName])
            {
                roles.Add(role);
            }
        }

        return [.. roles];
    }

    private static async Task<Dictionary<string, string>> JobVersionsAsync(BlobContainerClient jobs)
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (await jobs.ExistsAsync())
        {
            await foreach (var blob in jobs.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix: null, default))
            {
                versions[blob.Name] = blob.Properties.ETag?.ToString() ?? string.Empty;
            }
        }

        return versions;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan within) where T : class
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within {within}.");
            }

            await Task.Delay(500);
        }
    }
}
