using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CsvHelper;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Emulator;

namespace RoleMining.Api.Tests.Sessions;

/// <summary>The read operations against the emulator, compared with the emulator's own data.</summary>
public sealed class SessionEndpointTests(SharedApiHost fixture) : IClassFixture<SharedApiHost>
{
    private ApiTestHost Host => fixture.Host;

    private TenantSession Session => Host.Emulator.Tenant.Sessions.First(session => session.PotentialRoles.Any(role => role.IsAdditional));

    private TenantPotentialRole RoleWith(int identities) => Session.PotentialRoles.First(role => role.IsAdditional && role.IdentityCount == identities);

    [Fact]
    public async Task Session_is_returned_as_SailPoint_has_it()
    {
        var expected = Session;
        using var response = await Host.Client.GetAsync($"api/sessions/{expected.Id}");
        var session = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(expected.Id, (string?)session["id"]);
        Assert.Equal(expected.Name, (string?)session["name"]);
        Assert.Equal(expected.State, (string?)session["status"]!["state"]);
        Assert.Equal(expected.PotentialRoles.Count, (int?)session["potentialRoleCount"]);
    }

    [Fact]
    public async Task Potential_roles_are_paged_with_a_total()
    {
        var roles = Session.PotentialRoles;
        using var response = await Host.Client.GetAsync($"api/sessions/{Session.Id}/potential-roles?offset=1&limit=2&count=true");
        var page = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(roles.Count.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("X-Total-Count").Single());
        Assert.Equal(roles.Skip(1).Take(2).Select(role => role.Id), HttpAssert.Strings(page, "id"));
    }

    [Fact]
    public async Task Potential_roles_without_count_have_no_total()
    {
        using var response = await Host.Client.GetAsync($"api/sessions/{Session.Id}/potential-roles");
        var page = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.False(response.Headers.Contains("X-Total-Count"));
        Assert.Equal(Session.PotentialRoles.Select(role => role.Id), HttpAssert.Strings(page, "id"));
    }

    [Fact]
    public async Task Potential_roles_are_sorted_and_filtered_by_SailPoint()
    {
        var descending = Session.PotentialRoles.OrderByDescending(role => role.CreatedDate).Select(role => role.Id).ToList();
        using (var response = await Host.Client.GetAsync($"api/sessions/{Session.Id}/potential-roles?sorters=-createdDate"))
        {
            var page = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal(descending, HttpAssert.Strings(page, "id"));
        }

        var prefix = Session.PotentialRoles[0].Name[..3];
        var expected = Session.PotentialRoles.Where(role => role.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(role => role.Id).ToList();
        using (var response = await Host.Client.GetAsync($"api/sessions/{Session.Id}/potential-roles?filters={Uri.EscapeDataString($"name sw \"{prefix}\"")}"))
        {
            var page = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
            Assert.Equal(expected, HttpAssert.Strings(page, "id"));
        }
    }

    [Fact]
    public async Task One_page_of_identities_with_its_total()
    {
        var role = RoleWith(600);
        using var response = await Host.Client.GetAsync($"api/sessions/{Session.Id}/potential-roles/{role.Id}/identities?offset=250&limit=100&count=true");
        var page = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("600", response.Headers.GetValues("X-Total-Count").Single());
        var expected = Enumerable.Range(250, 100).Select(index => Host.Emulator.Tenant.GetIdentity(role, index).Id);
        Assert.Equal(expected, HttpAssert.Strings(page, "id"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(250)]
    [InlineData(251)]
    [InlineData(600)]
    public async Task Every_identity_is_streamed_as_a_json_array(int identities)
    {
        var role = RoleWith(identities);
        using var response = await Host.Client.GetAsync($"api/sessions/{Session.Id}/potential-roles/{role.Id}/identities?all=true&count=true");
        var all = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(identities.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("X-Total-Count").Single());
        var expected = Enumerable.Range(0, identities).Select(index => Host.Emulator.Tenant.GetIdentity(role, index)).ToList();
        Assert.Equal(expected.Select(identity => identity.Id), HttpAssert.Strings(all, "id"));
        Assert.Equal(expected.Select(identity => identity.Name), HttpAssert.Strings(all, "name"));
        if (identities > 0)
        {
            var attributes = all.AsArray()[^1]!["attributes"]!.AsObject();
            Assert.Equal(expected[^1].Attributes.OrderBy(pair => pair.Key), attributes.Select(pair => new KeyValuePair<string, string>(pair.Key, (string)pair.Value!)).OrderBy(pair => pair.Key));
        }
    }

    [Fact]
    public async Task Every_identity_is_streamed_as_csv_with_id_name_and_attribute_columns()
    {
        var role = RoleWith(600);
        using var request = ApiTestHost.Request(HttpMethod.Get, $"api/sessions/{Session.Id}/potential-roles/{role.Id}/identities?all=true", "text/csv");
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);

        using var csv = CsvReader.FromText(await response.Content.ReadAsStringAsync(), CsvReaderOptions.Default);
        await csv.ReadHeaderAsync();
        string[] header = ["id", "name", .. Host.Emulator.Tenant.IdentityAttributeNames];
        Assert.Equal(header, csv.Headers);
        var index = 0;
        while (await csv.ReadAsync())
        {
            var expected = Host.Emulator.Tenant.GetIdentity(role, index++);
            Assert.Equal(expected.Id, csv.GetString("id"));
            Assert.Equal(expected.Name, csv.GetString("name"));
            foreach (var (name, value) in expected.Attributes)
            {
                Assert.Equal(value, csv.GetString(name));
            }
        }

        Assert.Equal(600, index);
    }

    [Fact]
    public async Task One_page_of_identities_as_csv_and_accept_quality_is_honoured()
    {
        var role = RoleWith(251);
        using var request = ApiTestHost.Request(HttpMethod.Get, $"api/sessions/{Session.Id}/potential-roles/{role.Id}/identities?offset=1&limit=5");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;q=0.4, text/csv;q=0.9");
        using var response = await Host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith(Host.Emulator.Tenant.GetIdentity(role, 1).Id + ",", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identities_are_sorted_and_filtered_by_SailPoint_when_streamed()
    {
        var role = RoleWith(600);
        var identities = Enumerable.Range(0, role.IdentityCount).Select(index => Host.Emulator.Tenant.GetIdentity(role, index)).ToList();
        var prefix = identities[300].Name[..2];
        var expected = identities.Where(identity => identity.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(identity => identity.Id).Reverse().ToList();
        var filter = Uri.EscapeDataString($"name sw \"{prefix}\"");
        using var response = await Host.Client.GetAsync($"api/sessions/{Session.Id}/potential-roles/{role.Id}/identities?all=true&sorters=-name&filters={filter}");
        var all = await HttpAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, HttpAssert.Strings(all, "id"));
    }
}
