using System.Net;
using System.Text.Json;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Exports;

/// <summary>The zip holds exactly the data the JSON endpoints return.</summary>
public class ExportContentTests
{
    private static async Task<List<JsonElement>> AllPagesAsync(ApiClient client, string path)
    {
        var items = new List<JsonElement>();
        for (var offset = 0; ; offset += 250)
        {
            var page = await client.GetJsonAsync($"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}limit=250&offset={offset}");
            items.AddRange(page.EnumerateArray());
            if (page.GetArrayLength() < 250)
            {
                return items;
            }
        }
    }

    /// <summary>A JSON value as its CSV field: strings as they are, numbers as written in the JSON, null as empty.</summary>
    private static string AsField(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "",
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    [Theory]
    [InlineData(0, true)]
    [InlineData(35, true)]
    [InlineData(0, false)]
    [InlineData(60, false)]
    public async Task The_zip_holds_every_identity_and_the_selected_entitlements_with_the_same_values(int minEntitlementPopularity, bool includeCommonAccess)
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(o =>
        {
            o.Tenant.ExtraAttributes = 3;
            o.Tenant.MinEntitlementsPerPotentialRole = 30;
            o.Tenant.MaxEntitlementsPerPotentialRole = 40;
            o.Tenant.AdditionalPotentialRoleIdentityCounts = [777];
        }, clock);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.RoleWithIdentities(777);

        using var created = await client.PostJsonAsync(Servers.PotentialRolePath(role, "export-async"), new { minEntitlementPopularity, includeCommonAccess });
        var exportId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("exportId").GetString();
        clock.Advance(TimeSpan.FromSeconds(10));
        using var download = await client.GetAsync(Servers.PotentialRolePath(role, $"export-async/{exportId}/download"));
        var files = ZipContents.Read(await download.Content.ReadAsByteArrayAsync());
        var identities = await AllPagesAsync(client, Servers.PotentialRolePath(role, "identities"));
        var entitlements = (await AllPagesAsync(client, Servers.PotentialRolePath(role, $"entitlement-popularities?includeCommonAccess={(includeCommonAccess ? "true" : "false")}")))
            .Where(e => e.GetProperty("popularity").GetDouble() >= minEntitlementPopularity)
            .ToList();

        var identityRows = files["identities.csv"];
        var header = identityRows[0];
        Assert.Equal(["id", "name", .. server.Tenant.IdentityAttributeNames], header);
        Assert.Equal(777, identities.Count);
        Assert.Equal(identities.Count, identityRows.Count - 1);
        for (var i = 0; i < identities.Count; i++)
        {
            var json = identities[i];
            var expected = new List<string> { json.GetProperty("id").GetString()!, json.GetProperty("name").GetString()! };
            expected.AddRange(header.Skip(2).Select(attribute => json.GetProperty("attributes").GetProperty(attribute).GetString()!));
            Assert.Equal(expected, identityRows[i + 1]);
        }

        var entitlementRows = files["entitlements.csv"];
        var columns = entitlementRows[0];
        Assert.Equal(
            ["entitlementRef.id", "entitlementRef.name", "entitlementRef.description", "entitlementRef.attribute", "name", "applicationName",
                "identityCount", "popularity", "popularityInOrg", "sourceId", "activitySourceState", "sourceUsagePercent"],
            columns);
        Assert.NotEmpty(entitlements);
        Assert.Equal(entitlements.Count, entitlementRows.Count - 1);
        for (var i = 0; i < entitlements.Count; i++)
        {
            var expected = columns.Select(column =>
            {
                var parts = column.Split('.');
                var value = entitlements[i].GetProperty(parts[0]);
                return AsField(parts.Length == 2 ? value.GetProperty(parts[1]) : value);
            });
            Assert.Equal(expected, entitlementRows[i + 1]);
        }
    }

    [Fact]
    public async Task An_empty_role_exports_header_rows_only()
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [0]);
        using var client = await ApiClient.CreateAsync(server);

        using var response = await client.GetAsync(Servers.PotentialRolePath(server.RoleWithIdentities(0), "export"));
        var files = ZipContents.Read(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(files["identities.csv"]);
        Assert.Equal("id", files["identities.csv"][0][0]);
    }
}
