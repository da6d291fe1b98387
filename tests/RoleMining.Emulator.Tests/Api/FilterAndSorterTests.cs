using System.Globalization;
using System.Net;
using System.Text.Json;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Api;

public sealed class FilterAndSorterTests : IAsyncLifetime
{
    private EmulatorServer _server = null!;
    private ApiClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await Servers.StartAsync(o =>
        {
            o.Tenant.SessionCount = 16;
            o.Tenant.AdditionalPotentialRoleIdentityCounts = [3000, 20_000];
        });
        _client = await ApiClient.CreateAsync(_server);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static string Q(string value) => Uri.EscapeDataString(value);

    private async Task<List<JsonElement>> ListAsync(string path) => [.. (await _client.GetJsonAsync(path)).EnumerateArray()];

    [Fact]
    public async Task Sessions_filter_on_saved_and_name_with_and()
    {
        var saved = await ListAsync("role-mining-sessions?filters=" + Q("saved eq true"));
        var savedAsString = await ListAsync("role-mining-sessions?filters=" + Q("saved eq \"true\" and name sw \"Saved RM\""));
        var oneName = _server.Tenant.Sessions[3].Name;
        var byName = await ListAsync("role-mining-sessions?filters=" + Q($"name eq \"{oneName}\""));

        Assert.NotEmpty(saved);
        Assert.All(saved, s => Assert.True(s.GetProperty("saved").GetBoolean()));
        Assert.Equal(_server.Tenant.Sessions.Count(s => s.Saved), saved.Count);
        Assert.Equal(saved.Select(s => s.GetProperty("id").GetString()), savedAsString.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(_server.Tenant.Sessions[3].Id, Assert.Single(byName).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Sessions_sort_by_createdDate_both_ways_and_by_createdBy()
    {
        var ascending = await ListAsync("role-mining-sessions?sorters=createdDate");
        var descending = await ListAsync("role-mining-sessions?sorters=-createdDate");
        var byCreator = await ListAsync("role-mining-sessions?sorters=createdBy,-createdDate");

        var ascendingDates = ascending.Select(s => s.GetProperty("createdDate").GetDateTime()).ToList();
        Assert.Equal(ascendingDates.Order(), ascendingDates);
        Assert.Equal(ascending.Select(s => s.GetProperty("id").GetString()).Reverse(), descending.Select(s => s.GetProperty("id").GetString()));
        var creators = byCreator.Select(s => s.GetProperty("createdBy").ValueKind == JsonValueKind.Null ? null : s.GetProperty("createdBy").GetProperty("displayName").GetString()).ToList();
        Assert.Equal(creators.Order(StringComparer.OrdinalIgnoreCase), creators);
        Assert.Contains(null, creators);
    }

    [Theory]
    [InlineData("role-mining-sessions", "department eq \"IT\"", "department")]
    [InlineData("role-mining-sessions", "name co \"RM\"", "'co'")]
    [InlineData("role-mining-sessions", "saved eq maybe", "maybe")]
    [InlineData("role-mining-sessions", "name sw \"unterminated", "unterminated")]
    [InlineData("role-mining-sessions", "name sw", "value")]
    [InlineData("role-mining-sessions", "(saved eq true", "')'")]
    [InlineData("role-mining-sessions", "saved eq true or", "at the end")]
    [InlineData("role-mining-sessions", "name xx \"a\"", "xx")]
    public async Task Invalid_filters_are_a_400_naming_the_problem(string path, string filter, string named)
    {
        using var response = await _client.GetAsync($"{path}?filters={Q(filter)}");

        var text = await ErrorAssert.IsErrorResponseAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(named, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("createdDate,-id")]
    [InlineData("createdDate,")]
    public async Task Invalid_session_sorters_are_a_400(string sorters)
    {
        using var response = await _client.GetAsync("role-mining-sessions?sorters=" + Q(sorters));

        var text = await ErrorAssert.IsErrorResponseAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("sort", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Summaries_support_every_listed_filter_including_the_specs_example()
    {
        var session = _server.FirstCreatedSession();
        var path = $"role-mining-sessions/{session.Id}/potential-role-summaries";
        var quality = await ListAsync(path + "?filters=" + Q("quality ge 60"));
        var common = await ListAsync(path + "?filters=" + Q("type eq \"COMMON\""));
        var creator = session.CreatedBy!;
        var specExample = await ListAsync(path + "?filters=" + Q($"(createdByName co \"{creator.DisplayName[2..5]}\")and (createdById sw \"{creator.Id[..6]}\")and (type eq \"SPECIALIZED\")and ((name co \"Potential\")or (saved eq true))"));
        var middle = session.PotentialRoles[session.PotentialRoles.Count / 2].CreatedDate.ToString("O", CultureInfo.InvariantCulture);
        var started = await ListAsync(path + "?filters=" + Q($"startDate gt \"{middle}\""));
        var ended = await ListAsync(path + "?filters=" + Q($"endDate le \"{middle}\""));

        Assert.Equal(session.PotentialRoles.Count(r => r.Quality >= 60), quality.Count);
        Assert.All(common, r => Assert.Equal("COMMON", r.GetProperty("type").GetString()));
        Assert.Equal(session.PotentialRoles.Count(r => r.Type == RoleTypes.Common), common.Count);
        Assert.Equal(session.PotentialRoles.Count(r => r.Type == RoleTypes.Specialized), specExample.Count);
        Assert.Equal(session.PotentialRoles.Count, started.Count + ended.Count);
        Assert.NotEmpty(started);
        Assert.NotEmpty(ended);
    }

    [Theory]
    [InlineData("2024-01-02T10:00:00Z", true)]
    [InlineData("2024-01-02T10:00:00.123+01:00", true)]
    [InlineData("2024-01-02T10:00:00.1234567z", true)]
    [InlineData("2024-01-02T10:00:00.123456789Z", true)]
    [InlineData("2024-01-02T10:00:00.123456789", false)]
    [InlineData("2024-01-02T10:00:00", false)]
    [InlineData("2024-01-02", false)]
    [InlineData("01/02/2024", false)]
    [InlineData("Jan 2 2024 10:00", false)]
    public async Task Date_filters_take_RFC_3339_date_times_with_their_offset_only(string value, bool accepted)
    {
        var session = _server.FirstCreatedSession();

        using var response = await _client.GetAsync($"role-mining-sessions/{session.Id}/potential-role-summaries?filters={Q($"startDate gt \"{value}\"")}");

        if (accepted)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Contains("RFC 3339", await ErrorAssert.IsErrorResponseAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Summaries_reject_operators_the_spec_does_not_list()
    {
        var session = _server.FirstCreatedSession();

        using var response = await _client.GetAsync($"role-mining-sessions/{session.Id}/potential-role-summaries?filters={Q("startDate lt \"2026-01-01T00:00:00Z\"")}");
        using var sorter = await _client.GetAsync($"role-mining-sessions/{session.Id}/potential-role-summaries?sorters=quality");

        Assert.Contains("'lt'", await ErrorAssert.IsErrorResponseAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("'quality'", await ErrorAssert.IsErrorResponseAsync(sorter, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3000, "Br")]
    [InlineData(3000, "garcia.f")]
    [InlineData(20_000, "Kim.Sofia.0")]
    [InlineData(20_000, "Zz")]
    public async Task Identity_name_sw_returns_exactly_the_names_with_that_prefix(int identityCount, string prefix)
    {
        var role = _server.RoleWithIdentities(identityCount);
        var expected = _server.Tenant.GetIdentities(role).Where(i => i.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(i => i.Name).ToList();

        using var response = await _client.GetAsync(Servers.PotentialRolePath(role, "identities") + "?count=true&filters=" + Q($"name sw \"{prefix}\""));
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected.Count.ToString(CultureInfo.InvariantCulture), Assert.Single(response.Headers.GetValues("X-Total-Count")));
        Assert.Equal(expected.Take(250), page.EnumerateArray().Select(i => i.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Identities_sorted_by_minus_name_come_in_reverse_name_order()
    {
        var role = _server.RoleWithIdentities(3000);
        var path = Servers.PotentialRolePath(role, "identities");

        var descending = await ListAsync(path + "?sorters=-name&limit=250&offset=10");
        var filteredDescending = await ListAsync(path + "?sorters=-name&filters=" + Q("name sw \"C\""));

        var allNames = _server.Tenant.GetIdentities(role).Select(i => i.Name).ToList();
        Assert.Equal(Enumerable.Reverse(allNames).Skip(10).Take(250), descending.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(Enumerable.Reverse(allNames).Where(n => n.StartsWith('C')).Take(250), filteredDescending.Select(i => i.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Identity_filters_combined_with_or_and_not_are_evaluated_too()
    {
        var role = _server.RoleWithIdentities(3000);
        var names = _server.Tenant.GetIdentities(role).Select(i => i.Name).ToList();

        var either = await ListAsync(Servers.PotentialRolePath(role, "identities") + "?filters=" + Q("name sw \"Ab\" or name sw \"Zh\""));
        var neither = await ListAsync(Servers.PotentialRolePath(role, "identities") + "?limit=5&filters=" + Q("not (name sw \"A\")"));

        Assert.Equal(names.Where(n => n.StartsWith("Ab", StringComparison.Ordinal) || n.StartsWith("Zh", StringComparison.Ordinal)).Take(250), either.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(names.Where(n => !n.StartsWith('A')).Take(5), neither.Select(i => i.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData("filters", "name eq \"Abbott.Aaron\"", "'eq'")]
    [InlineData("filters", "department sw \"IT\"", "department")]
    [InlineData("sorters", "id", "'id'")]
    public async Task Identities_reject_unsupported_filters_and_sorters(string parameter, string value, string named)
    {
        var role = _server.RoleWithIdentities(3000);

        using var response = await _client.GetAsync(Servers.PotentialRolePath(role, "identities") + $"?{parameter}={Q(value)}");

        Assert.Contains(named, await ErrorAssert.IsErrorResponseAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entitlement_popularities_default_to_popularity_descending_and_honour_filters_and_sorters()
    {
        var role = _server.FirstCreatedSession().PotentialRoles.MaxBy(r => r.EntitlementCount)!;
        var path = Servers.PotentialRolePath(role, "entitlement-popularities");
        var all = _server.Tenant.GetEntitlements(role);

        var byDefault = await ListAsync(path);
        var byApplication = await ListAsync(path + "?sorters=applicationName,-popularity");
        var activeDirectory = await ListAsync(path + "?filters=" + Q("applicationName sw \"active\""));
        var byRefName = await ListAsync(path + "?filters=" + Q("entitlementRef.name sw \"CN=\""));
        var withoutCommon = await ListAsync(path + "?includeCommonAccess=false");

        var popularities = byDefault.Select(e => e.GetProperty("popularity").GetDouble()).ToList();
        Assert.Equal(all.Count, byDefault.Count);
        Assert.Equal(popularities.OrderDescending(), popularities);
        var applications = byApplication.Select(e => e.GetProperty("applicationName").GetString()).ToList();
        Assert.Equal(applications.Order(StringComparer.OrdinalIgnoreCase), applications);
        Assert.Equal(all.Count(e => e.ApplicationName == "Active Directory"), activeDirectory.Count);
        Assert.Equal(activeDirectory.Count, byRefName.Count);
        Assert.Equal(all.Count(e => !e.IsCommonAccess), withoutCommon.Count);
        Assert.All(withoutCommon, e => Assert.True(e.GetProperty("popularityInOrg").GetDouble() < EmulatorTenant.CommonAccessThreshold));
    }

    [Theory]
    [InlineData("filters=" + "popularity%20gt%2050", "popularity")]
    [InlineData("sorters=identityCount", "'identityCount'")]
    [InlineData("includeCommonAccess=perhaps", "includeCommonAccess")]
    public async Task Entitlement_popularities_reject_what_the_spec_does_not_list(string query, string named)
    {
        var role = _server.FirstCreatedSession().PotentialRoles[0];

        using var response = await _client.GetAsync(Servers.PotentialRolePath(role, "entitlement-popularities") + "?" + query);

        Assert.Contains(named, await ErrorAssert.IsErrorResponseAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }
}
