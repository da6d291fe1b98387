using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Testing.Http;
using RoleMining.SailPoint;

namespace RoleMining.Api.Tests.Exports;

/// <summary>Export jobs end to end: the async pattern followed by a client that only obeys Location and Retry-After.</summary>
public sealed class ExportEndpointTests(SharedApiHost fixture) : IClassFixture<SharedApiHost>
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    private ApiTestHost Host => fixture.Host;

    [Fact]
    public async Task Export_of_a_potential_role_is_followed_to_its_files()
    {
        var session = Host.SessionWithRoles();
        var role = session.PotentialRoles[0];
        var follower = new AsyncPatternClient(Host.Client);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session.Id}/potential-roles/{role.Id}/exports")
        {
            Content = JsonContent.Create(new { minEntitlementPopularity = 0, includeCommonAccess = true }),
        };

        using var response = await follower.SendAndFollowAsync(request, Budget);
        var job = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);

        // The first answer was a 202 pointing at the job; polls were answered 202 until the job succeeded.
        Assert.NotEmpty(follower.Polls);
        var jobId = (string)job["jobId"]!;
        Assert.All(follower.Polls, poll => Assert.Equal(new Uri(Host.BaseAddress, $"api/exports/{jobId}"), poll.Location));
        Assert.Equal("succeeded", (string?)job["state"]);
        Assert.Equal(session.Id, (string?)job["sessionId"]);
        Assert.Equal(role.Id, (string?)job["potentialRoleId"]);
        Assert.Equal(0, (int?)job["options"]!["minEntitlementPopularity"]);
        Assert.Equal(jobId, (string?)job["manifest"]!["jobId"]);

        // Every listed file downloads with its announced size and SHA-256.
        var artifacts = job["artifacts"]!.AsArray().Select(node => node!.AsObject()).ToList();
        Assert.Contains(artifacts, artifact => (string?)artifact["name"] == "export.zip");
        Assert.Contains(artifacts, artifact => (string?)artifact["name"] == "manifest.json");
        foreach (var artifact in artifacts.Where(artifact => artifact["sha256"] is not null))
        {
            using var download = await Host.Client.GetAsync((string)artifact["url"]!, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal((long?)artifact["size"], download.Content.Headers.ContentLength);
            var bytes = await download.Content.ReadAsByteArrayAsync();
            Assert.Equal((string?)artifact["sha256"], Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal($"\"{artifact["sha256"]}\"", download.Headers.ETag?.Tag);
        }

        // The stored zip is byte for byte the zip SailPoint serves for that export.
        using var zip = await Host.Client.GetAsync($"api/exports/{jobId}/artifacts/export.zip");
        Assert.Equal("application/zip", zip.Content.Headers.ContentType?.MediaType);
        var client = Host.Services.GetRequiredService<IRoleMiningClient>();
        await using var original = await client.DownloadExportAsync(session.Id, role.Id, (string)job["exportId"]!);
        using var copy = new MemoryStream();
        await original.Content.CopyToAsync(copy);
        Assert.Equal(copy.ToArray(), await zip.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, Host.Emulator.Statistics.ExportCreationsFor(session.Id, role.Id));
    }

    [Fact]
    public async Task A_range_of_an_artifact_can_be_downloaded()
    {
        var (jobId, _) = await ExportAsync();
        using var full = await Host.Client.GetAsync($"api/exports/{jobId}/artifacts/export.zip");
        var bytes = await full.Content.ReadAsByteArrayAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/exports/{jobId}/artifacts/export.zip");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10, 19);
        using var partial = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[10..20], await partial.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task HEAD_of_an_artifact_gives_its_size_etag_and_ranges_without_the_body()
    {
        var (jobId, _) = await ExportAsync();
        using var full = await Host.Client.GetAsync($"api/exports/{jobId}/artifacts/export.zip");
        var bytes = await full.Content.ReadAsByteArrayAsync();

        // What a download tool asks before it downloads (or resumes): the size, the version and whether ranges work.
        using var head = await Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"api/exports/{jobId}/artifacts/export.zip"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        Assert.Equal(full.Headers.ETag, head.Headers.ETag);
        Assert.Contains("bytes", head.Headers.AcceptRanges);
        Assert.Equal("application/zip", head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        using var missing = await Host.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"api/exports/{jobId}/artifacts/other.csv"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Empty(await missing.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Manifest_and_csv_files_are_served_with_their_types()
    {
        var (jobId, job) = await ExportAsync();
        using var manifest = await Host.Client.GetAsync($"api/exports/{jobId}/artifacts/manifest.json");
        var bytes = await manifest.Content.ReadAsByteArrayAsync();
        var document = await HttpAssert.JsonAsync(manifest, HttpStatusCode.OK);
        Assert.Equal(jobId, (string?)document["jobId"]);

        // The manifest has an ETag as the other files do (its SHA-256), so a conditional GET is answered 304.
        Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))}\"", manifest.Headers.ETag?.Tag);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"api/exports/{jobId}/artifacts/manifest.json");
        conditional.Headers.IfNoneMatch.Add(manifest.Headers.ETag!);
        using var notModified = await Host.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        var csv = job["artifacts"]!.AsArray().Select(node => (string)node!["name"]!).First(name => name.EndsWith(".csv", StringComparison.Ordinal));
        using var file = await Host.Client.GetAsync($"api/exports/{jobId}/artifacts/{csv}");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("text/csv", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{csv}", file.Content.Headers.ContentDisposition?.FileNameStar ?? file.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
    }

    [Fact]
    public async Task The_empty_batch_of_a_session_without_potential_roles_can_be_followed_and_an_unknown_batch_is_404()
    {
        // The start answers 200 with a statusUrl: following it must give the same empty, completed batch.
        var empty = Host.Emulator.Tenant.Sessions.First(candidate => candidate.PotentialRoles.Count == 0);
        var withRoles = Host.SessionWithRoles();

        using var start = await Host.Client.PostAsync($"api/sessions/{empty.Id}/exports", null);
        var batch = await HttpAssert.JsonAsync(start, HttpStatusCode.OK);
        using var followed = await Host.Client.GetAsync((string)batch["statusUrl"]!);
        using var unknown = await Host.Client.GetAsync($"api/sessions/{withRoles.Id}/exports/0123456789abcdef0123456789abcdef");
        // A mistyped or foreign batch id of the empty session is no export, not one that finished with nothing.
        using var unknownOfEmpty = await Host.Client.GetAsync($"api/sessions/{empty.Id}/exports/0123456789abcdef0123456789abcdef");
        using var startedAgain = await Host.Client.PostAsync($"api/sessions/{empty.Id}/exports", null);

        var again = await HttpAssert.JsonAsync(followed, HttpStatusCode.OK);
        Assert.Equal((string?)batch["batchId"], (string?)again["batchId"]);
        Assert.Equal("completed", (string?)again["state"]);
        Assert.Equal(0, (int?)again["total"]);
        await HttpAssert.ProblemAsync(unknown, HttpStatusCode.NotFound);
        await HttpAssert.ProblemAsync(unknownOfEmpty, HttpStatusCode.NotFound);
        Assert.Equal((string?)batch["batchId"], (string?)(await HttpAssert.JsonAsync(startedAgain, HttpStatusCode.OK))["batchId"]);
    }

    [Fact]
    public async Task Export_of_every_role_of_a_session_is_followed_to_the_end()
    {
        var session = Host.Emulator.Tenant.Sessions.Last(candidate => candidate.PotentialRoles.Count >= 2 && !candidate.PotentialRoles.Any(role => role.IsAdditional));
        var follower = new AsyncPatternClient(Host.Client);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session.Id}/exports");
        using var response = await follower.SendAndFollowAsync(request, Budget);
        var batch = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.NotEmpty(follower.Polls);
        var batchId = (string)batch["batchId"]!;
        Assert.All(follower.Polls, poll => Assert.Equal(new Uri(Host.BaseAddress, $"api/sessions/{session.Id}/exports/{batchId}"), poll.Location));
        Assert.Equal("completed", (string?)batch["state"]);
        Assert.Equal(session.PotentialRoles.Count, (int?)batch["total"]);
        Assert.Equal(session.PotentialRoles.Count, (int?)batch["succeeded"]);
        Assert.Equal(0, (int?)batch["failed"]);
        Assert.Equal(session.PotentialRoles.Select(role => role.Id).Order(), HttpAssert.Strings(batch["jobs"], "potentialRoleId").Order());
        foreach (var job in batch["jobs"]!.AsArray())
        {
            using var jobResponse = await Host.Client.GetAsync((string)job!["statusUrl"]!);
            var detail = await HttpAssert.JsonAsync(jobResponse, HttpStatusCode.OK);
            Assert.Equal("succeeded", (string?)detail["state"]);
            Assert.Equal(1, Host.Emulator.Statistics.ExportCreationsFor(session.Id, (string)job["potentialRoleId"]!));
        }
    }

    [Fact]
    public async Task First_answer_is_202_with_an_absolute_location_and_retry_after()
    {
        var session = Host.SessionWithRoles();
        var role = session.PotentialRoles[^1];
        using var response = await Host.Client.PostAsync($"api/sessions/{session.Id}/potential-roles/{role.Id}/exports", null);
        var job = await HttpAssert.JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal(new Uri(Host.BaseAddress, $"api/exports/{job["jobId"]}"), response.Headers.Location);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal((string?)job["statusUrl"], response.Headers.Location!.ToString());
        Assert.Contains((string?)job["state"], new[] { "queued", "started", "polling", "downloading", "succeeded" });
        Assert.Null(job["options"]!["minEntitlementPopularity"]);
    }

    private async Task<(string JobId, JsonNode Job)> ExportAsync()
    {
        var session = Host.SessionWithRoles();
        var role = session.PotentialRoles[1 % session.PotentialRoles.Count];
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/sessions/{session.Id}/potential-roles/{role.Id}/exports");
        request.Headers.Add("Idempotency-Key", "artifact-tests-" + role.Id);
        using var response = await new AsyncPatternClient(Host.Client).SendAndFollowAsync(request, Budget);
        var job = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        return ((string)job["jobId"]!, job);
    }
}
