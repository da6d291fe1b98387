using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Exports;

public class ExportLifecycleTests
{
    private static async Task<(string ExportId, JsonElement Body)> CreateExportAsync(ApiClient client, TenantPotentialRole role, object? request)
    {
        using var response = request is null
            ? await client.SendAsync(HttpMethod.Post, Servers.PotentialRolePath(role, "export-async"))
            : await client.PostJsonAsync(Servers.PotentialRolePath(role, "export-async"), request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        return (body.GetProperty("exportId").GetString()!, body);
    }

    private static async Task<string> StatusAsync(ApiClient client, TenantPotentialRole role, string exportId) =>
        (await client.GetJsonAsync(Servers.PotentialRolePath(role, $"export-async/{exportId}"))).GetProperty("status").GetString()!;

    private static async Task<byte[]> DownloadAsync(ApiClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task An_export_goes_from_QUEUED_to_IN_PROGRESS_to_SUCCESS_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(o =>
        {
            o.Exports.QueuedFor = TimeSpan.FromSeconds(1);
            o.Exports.InProgressFor = TimeSpan.FromSeconds(2);
        }, clock);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];

        var (exportId, created) = await CreateExportAsync(client, role, new { minEntitlementPopularity = 20, includeCommonAccess = false });
        var queued = await StatusAsync(client, role, exportId);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        var stillQueued = await StatusAsync(client, role, exportId);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var inProgress = await StatusAsync(client, role, exportId);
        clock.Advance(TimeSpan.FromMilliseconds(1999));
        var stillInProgress = await StatusAsync(client, role, exportId);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var status = await client.GetJsonAsync(Servers.PotentialRolePath(role, $"export-async/{exportId}"));

        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", exportId);
        Assert.Equal("QUEUED", created.GetProperty("status").GetString());
        Assert.Equal(20, created.GetProperty("minEntitlementPopularity").GetInt32());
        Assert.False(created.GetProperty("includeCommonAccess").GetBoolean());
        Assert.Equal(["QUEUED", "QUEUED", "IN_PROGRESS", "IN_PROGRESS"], new[] { queued, stillQueued, inProgress, stillInProgress });
        Assert.Equal("SUCCESS", status.GetProperty("status").GetString());
        Assert.Equal(exportId, status.GetProperty("exportId").GetString());
        Assert.Equal(20, status.GetProperty("minEntitlementPopularity").GetInt32());
        Assert.Equal(1, server.Statistics.ExportCreationsFor(role.Session.Id, role.Id));
        Assert.Equal(1, server.Statistics.ExportCreations);
    }

    [Fact]
    public async Task Download_before_SUCCESS_is_a_400_naming_the_status_and_works_after()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(configure: null, clock);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];
        var (exportId, _) = await CreateExportAsync(client, role, request: null);
        var downloadPath = Servers.PotentialRolePath(role, $"export-async/{exportId}/download");

        using var whileQueued = await client.GetAsync(downloadPath);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        using var whileInProgress = await client.GetAsync(downloadPath);
        clock.Advance(TimeSpan.FromSeconds(5));
        var zip = await DownloadAsync(client, downloadPath);

        Assert.Contains("QUEUED", await ErrorAssert.IsErrorResponseAsync(whileQueued, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("IN_PROGRESS", await ErrorAssert.IsErrorResponseAsync(whileInProgress, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal(["identities.csv", "entitlements.csv"], ZipContents.Read(zip).Keys);
    }

    [Fact]
    public async Task An_export_chosen_by_the_fault_option_ends_in_ERROR_and_cannot_be_downloaded()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(
            o => o.Faults.Routes[OperationIds.ExportRoleMiningPotentialRoleAsync] = new EmulatorRouteFaultOptions { ExportErrorShare = 1 }, clock);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];

        var (exportId, created) = await CreateExportAsync(client, role, new { minEntitlementPopularity = 0, includeCommonAccess = true });
        var whileRunning = await StatusAsync(client, role, exportId);
        clock.Advance(TimeSpan.FromSeconds(10));
        var final = await StatusAsync(client, role, exportId);
        using var download = await client.GetAsync(Servers.PotentialRolePath(role, $"export-async/{exportId}/download"));

        Assert.Equal("QUEUED", created.GetProperty("status").GetString());
        Assert.Equal("QUEUED", whileRunning);
        Assert.Equal("ERROR", final);
        Assert.Contains("ERROR", await ErrorAssert.IsErrorResponseAsync(download, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"minEntitlementPopularity\": ")]
    [InlineData("{\"minEntitlementPopularity\": \"ten\"}")]
    [InlineData("[1, 2]")]
    [InlineData("{\"includeCommonAccess\": 3}")]
    [InlineData("{\"minEntitlementPopularity\": 101}")]
    public async Task A_malformed_or_invalid_body_is_a_400_and_creates_nothing(string body)
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];

        using var response = await client.SendAsync(HttpMethod.Post, Servers.PotentialRolePath(role, "export-async"), new StringContent(body, Encoding.UTF8, "application/json"));

        await ErrorAssert.IsErrorResponseAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, server.Statistics.ExportCreations);
    }

    [Fact]
    public async Task An_absent_body_means_popularity_0_with_common_access()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server);

        var (_, created) = await CreateExportAsync(client, server.FirstCreatedSession().PotentialRoles[0], request: null);

        Assert.Equal(0, created.GetProperty("minEntitlementPopularity").GetInt32());
        Assert.True(created.GetProperty("includeCommonAccess").GetBoolean());
    }

    [Theory]
    [InlineData("not-a-uuid", "exportId")]
    [InlineData("../export", "exportId")]
    public async Task A_malformed_export_id_is_a_400_ErrorResponseDto_on_status_and_download_as_the_spec_types_it(string exportId, string named)
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];

        using var status = await client.GetAsync(Servers.PotentialRolePath(role, $"export-async/{Uri.EscapeDataString(exportId)}"));
        using var download = await client.GetAsync(Servers.PotentialRolePath(role, $"export-async/{Uri.EscapeDataString(exportId)}/download"));
        using var wellFormed = await client.GetAsync(Servers.PotentialRolePath(role, $"export-async/{Guid.NewGuid():N}"));

        Assert.Contains($"'{named}' must be a UUID", await ErrorAssert.IsErrorResponseAsync(status, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains($"'{named}' must be a UUID", await ErrorAssert.IsErrorResponseAsync(download, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await ErrorAssert.IsErrorResponseAsync(wellFormed, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_ids_are_a_404_ErrorResponseDto()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];
        var otherRole = server.FirstCreatedSession().PotentialRoles[1];
        var (exportId, _) = await CreateExportAsync(client, role, request: null);

        using var unknownExport = await client.GetAsync(Servers.PotentialRolePath(role, $"export-async/{Guid.NewGuid()}"));
        using var otherRolesExport = await client.GetAsync(Servers.PotentialRolePath(otherRole, $"export-async/{exportId}"));
        using var unknownRole = await client.SendAsync(HttpMethod.Post, $"role-mining-sessions/{role.Session.Id}/potential-roles/{Guid.NewGuid()}/export-async");
        using var unknownSession = await client.GetAsync($"role-mining-sessions/{Guid.NewGuid()}/potential-roles/{role.Id}/export");

        Assert.Contains("Export", await ErrorAssert.IsErrorResponseAsync(unknownExport, HttpStatusCode.NotFound), StringComparison.Ordinal);
        await ErrorAssert.IsErrorResponseAsync(otherRolesExport, HttpStatusCode.NotFound);
        Assert.Contains("Potential role", await ErrorAssert.IsErrorResponseAsync(unknownRole, HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.Contains("session", await ErrorAssert.IsErrorResponseAsync(unknownSession, HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.Equal(1, server.Statistics.ExportCreations);
    }

    [Fact]
    public async Task Repeated_downloads_of_an_export_are_byte_identical_and_equal_the_synchronous_export()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(o =>
        {
            o.Tenant.AdditionalPotentialRoleIdentityCounts = [2000];
            o.TokenLifetime = TimeSpan.FromDays(1);
        }, clock);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.RoleWithIdentities(2000);
        var (exportId, _) = await CreateExportAsync(client, role, new { minEntitlementPopularity = 0, includeCommonAccess = true });
        clock.Advance(TimeSpan.FromMinutes(1));
        var downloadPath = Servers.PotentialRolePath(role, $"export-async/{exportId}/download");

        var first = await DownloadAsync(client, downloadPath);
        clock.Advance(TimeSpan.FromHours(5));
        var second = await DownloadAsync(client, downloadPath);
        var synchronous = await DownloadAsync(client, Servers.PotentialRolePath(role, "export"));

        Assert.Equal(first, second);
        Assert.Equal(first, synchronous);
    }

    [Fact]
    public async Task NoCompression_stores_the_entries_uncompressed()
    {
        await using var server = await Servers.StartAsync(o =>
        {
            o.Exports.Compression = CompressionLevel.NoCompression;
            o.Tenant.AdditionalPotentialRoleIdentityCounts = [1000];
        });
        using var client = await ApiClient.CreateAsync(server);

        var zip = await DownloadAsync(client, Servers.PotentialRolePath(server.RoleWithIdentities(1000), "export"));
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);

        Assert.All(archive.Entries, entry => Assert.Equal(entry.Length, entry.CompressedLength));
        Assert.True(archive.GetEntry("identities.csv")!.Length > 50_000);
    }
}
