using System.Net;
using System.Text.Json;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Api;

public class PagingTests
{
    [Fact]
    public async Task Pages_of_250_over_an_exact_multiple_end_with_an_empty_page()
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [500]);
        using var client = await ApiClient.CreateAsync(server);
        var path = Servers.PotentialRolePath(server.RoleWithIdentities(500), "identities");

        var first = await client.GetJsonAsync(path + "?limit=250&offset=0");
        var second = await client.GetJsonAsync(path + "?limit=250&offset=250");
        var third = await client.GetJsonAsync(path + "?limit=250&offset=500");

        Assert.Equal(250, first.GetArrayLength());
        Assert.Equal(250, second.GetArrayLength());
        Assert.Equal(0, third.GetArrayLength());
        var ids = first.EnumerateArray().Concat(second.EnumerateArray()).Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.Equal(500, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_role_of_251_identities_takes_a_full_page_and_a_page_of_one()
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [251]);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.RoleWithIdentities(251);
        var path = Servers.PotentialRolePath(role, "identities");

        var first = await client.GetJsonAsync(path);
        var second = await client.GetJsonAsync(path + "?offset=250");

        Assert.Equal(250, first.GetArrayLength());
        var last = Assert.Single(second.EnumerateArray());
        Assert.Equal(server.Tenant.GetIdentity(role, 250).Id, last.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Paging_through_all_identities_returns_every_identity_once_in_name_order()
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [1234]);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.RoleWithIdentities(1234);
        var path = Servers.PotentialRolePath(role, "identities");

        var names = new List<string>();
        for (var offset = 0; ; offset += 100)
        {
            var page = await client.GetJsonAsync($"{path}?limit=100&offset={offset}");
            names.AddRange(page.EnumerateArray().Select(i => i.GetProperty("name").GetString()!));
            if (page.GetArrayLength() < 100)
            {
                break;
            }
        }

        Assert.Equal(server.Tenant.GetIdentities(role).Select(i => i.Name), names);
        Assert.Equal(names.Order(StringComparer.OrdinalIgnoreCase), names);
        Assert.Equal(1234, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public async Task Offset_past_the_end_is_an_empty_page()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server);

        var sessions = await client.GetJsonAsync($"role-mining-sessions?offset={server.Tenant.Sessions.Count + 10}");

        Assert.Equal(0, sessions.GetArrayLength());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(250, 250)]
    [InlineData(7, 7)]
    public async Task Limit_bounds_the_page(int limit, int expected)
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [300]);
        using var client = await ApiClient.CreateAsync(server);

        var page = await client.GetJsonAsync(Servers.PotentialRolePath(server.RoleWithIdentities(300), "identities") + $"?limit={limit}");

        Assert.Equal(expected, page.GetArrayLength());
    }

    [Theory]
    [InlineData("limit=251", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("offset=1.5", "offset")]
    [InlineData("count=maybe", "count")]
    public async Task Invalid_paging_parameters_are_a_400_naming_the_parameter(string query, string parameter)
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server);

        using var response = await client.GetAsync("role-mining-sessions?" + query);

        var text = await ErrorAssert.IsErrorResponseAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains($"'{parameter}'", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Count_true_sets_X_Total_Count_to_the_filtered_total_and_count_false_does_not()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server);
        var savedCount = server.Tenant.Sessions.Count(s => s.Saved);

        using var counted = await client.GetAsync("role-mining-sessions?limit=1&count=true&filters=" + Uri.EscapeDataString("saved eq true"));
        using var uncounted = await client.GetAsync("role-mining-sessions?limit=1");

        Assert.Equal(savedCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(counted.Headers.GetValues("X-Total-Count")));
        Assert.False(uncounted.Headers.Contains("X-Total-Count"));
    }

    [Fact]
    public async Task Offset_exactly_at_the_end_is_a_400_only_for_operations_where_that_option_is_on()
    {
        await using var server = await Servers.StartAsync(o =>
        {
            o.Tenant.AdditionalPotentialRoleIdentityCounts = [500];
            o.Faults.Routes[OperationIds.GetIdentitiesPotentialRole] = new EmulatorRouteFaultOptions { BadRequestForOffsetAtEnd = true };
        });
        using var client = await ApiClient.CreateAsync(server);
        var path = Servers.PotentialRolePath(server.RoleWithIdentities(500), "identities");

        using var atEnd = await client.GetAsync(path + "?offset=500");
        var pastEnd = await client.GetJsonAsync(path + "?offset=501");
        var beforeEnd = await client.GetJsonAsync(path + "?offset=499");
        var sessionsAtEnd = await client.GetJsonAsync($"role-mining-sessions?offset={server.Tenant.Sessions.Count}");

        var text = await ErrorAssert.IsErrorResponseAsync(atEnd, HttpStatusCode.BadRequest);
        Assert.Contains("'offset'", text, StringComparison.Ordinal);
        Assert.Equal(0, pastEnd.GetArrayLength());
        Assert.Equal(1, beforeEnd.GetArrayLength());
        Assert.Equal(0, sessionsAtEnd.GetArrayLength());
    }

    [Fact]
    public async Task A_role_without_identities_has_an_empty_first_page()
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [0]);
        using var client = await ApiClient.CreateAsync(server);

        using var response = await client.GetAsync(Servers.PotentialRolePath(server.RoleWithIdentities(0), "identities") + "?count=true");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, body.GetArrayLength());
        Assert.Equal("0", Assert.Single(response.Headers.GetValues("X-Total-Count")));
    }
}
