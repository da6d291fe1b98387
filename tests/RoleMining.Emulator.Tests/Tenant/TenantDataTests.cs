using System.Net;
using System.Text.Json;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Tenant;

public class TenantDataTests
{
    private static async Task<string> SnapshotAsync(EmulatorServer server)
    {
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta);
        var parts = new List<string> { (await client.GetJsonAsync("role-mining-sessions")).GetRawText() };
        foreach (var session in server.Tenant.Sessions)
        {
            parts.Add((await client.GetJsonAsync($"role-mining-sessions/{session.Id}/potential-role-summaries")).GetRawText());
            foreach (var role in session.PotentialRoles)
            {
                parts.Add((await client.GetJsonAsync(Servers.PotentialRolePath(role, "identities"))).GetRawText());
                parts.Add((await client.GetJsonAsync(Servers.PotentialRolePath(role, "entitlement-popularities"))).GetRawText());
            }
        }

        return string.Join("\n", parts);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_data_and_another_seed_other_data()
    {
        await using var first = await Servers.StartAsync(o => o.Tenant.Seed = 42);
        await using var second = await Servers.StartAsync(o => o.Tenant.Seed = 42);
        await using var other = await Servers.StartAsync(o => o.Tenant.Seed = 43);

        var firstSnapshot = await SnapshotAsync(first);

        Assert.Equal(firstSnapshot, await SnapshotAsync(second));
        Assert.NotEqual(firstSnapshot, await SnapshotAsync(other));
    }

    [Fact]
    public async Task The_default_tenant_is_small_and_shows_every_session_state_saved_and_unsaved_sessions()
    {
        await using var server = await Servers.StartAsync();
        var sessions = server.Tenant.Sessions;

        Assert.Equal(SessionStates.All.Order(), sessions.Select(s => s.State).Distinct().Order());
        Assert.Contains(sessions, s => s.Saved);
        Assert.Contains(sessions, s => !s.Saved);
        Assert.Contains(sessions, s => s.CreatedBy is null);
        Assert.All(sessions.Where(s => s.State is not (SessionStates.PotentialRolesCreated or SessionStates.PotentialRolesProcessing)), s => Assert.Empty(s.PotentialRoles));
        Assert.All(server.Tenant.PotentialRoles, r => Assert.InRange(r.IdentityCount, 5, 300));
        Assert.InRange(server.Tenant.PotentialRoles.Count(), 4, 32);
        Assert.Equal(SessionStates.PotentialRolesCreated, sessions[0].State);
    }

    [Fact]
    public async Task Additional_roles_have_exactly_the_requested_identity_counts_in_the_first_created_session()
    {
        int[] counts = [0, 1, 250, 251, 100_000];
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [.. counts]);
        using var client = await ApiClient.CreateAsync(server);
        var session = server.FirstCreatedSession();

        var summaries = await client.GetJsonAsync($"role-mining-sessions/{session.Id}/potential-role-summaries");
        var identityCounts = summaries.EnumerateArray().Select(s => s.GetProperty("identityCount").GetInt32()).ToList();

        Assert.All(counts, count => Assert.Contains(count, identityCounts));
        Assert.Equal(counts, session.PotentialRoles.Where(r => r.IsAdditional).Select(r => r.IdentityCount));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(300)]
    [InlineData(14_241)]
    [InlineData(50_000)]
    public async Task Identity_names_increase_with_the_index_under_ordinal_and_ignore_case_order_and_ids_are_unique(int identityCount)
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [identityCount]);
        var tenant = server.Tenant;
        var role = tenant.PotentialRoles.Single(r => r.IsAdditional);

        var identities = tenant.GetIdentities(role).ToList();

        Assert.Equal(identityCount, identities.Count);
        for (var i = 1; i < identities.Count; i++)
        {
            Assert.True(string.CompareOrdinal(identities[i - 1].Name, identities[i].Name) < 0, $"{identities[i - 1].Name} !< {identities[i].Name}");
            Assert.True(string.Compare(identities[i - 1].Name, identities[i].Name, StringComparison.OrdinalIgnoreCase) < 0);
        }

        Assert.Equal(identityCount, identities.Select(i => i.Id).Distinct().Count());
        Assert.All(identities, i => Assert.Matches("^[0-9a-f]{32}$", i.Id));
        Assert.All(identities.Take(50), i => Assert.Equal(i.Name, EmulatorTenant.GetIdentityName(role, identities.IndexOf(i))));
    }

    [Fact]
    public async Task A_million_identity_role_is_served_from_any_offset_without_being_materialised()
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [1_000_000]);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.RoleWithIdentities(1_000_000);
        var path = Servers.PotentialRolePath(role, "identities");
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var lastPage = await client.GetJsonAsync(path + "?offset=999750");
        using var filtered = await client.GetAsync(path + "?count=true&limit=3&filters=" + Uri.EscapeDataString("name sw \"Kim.Zoe\""));
        var filteredPage = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync()).RootElement;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(250, lastPage.GetArrayLength());
        Assert.Equal(server.Tenant.GetIdentity(role, 999_999).Id, lastPage[249].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, filtered.StatusCode);
        Assert.InRange(int.Parse(Assert.Single(filtered.Headers.GetValues("X-Total-Count")), System.Globalization.CultureInfo.InvariantCulture), 60, 80);
        Assert.All(filteredPage.EnumerateArray(), i => Assert.StartsWith("Kim.Zoe", i.GetProperty("name").GetString(), StringComparison.Ordinal));

        // Materialising a million identities would allocate hundreds of megabytes; a page or a binary search a few.
        Assert.InRange(allocated, 0, 64L * 1024 * 1024);
    }

    [Fact]
    public async Task Extra_attributes_widen_identities_and_every_identity_has_the_standard_attributes()
    {
        await using var server = await Servers.StartAsync(o => o.Tenant.ExtraAttributes = 12);
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[0];

        var identities = await client.GetJsonAsync(Servers.PotentialRolePath(role, "identities"));

        Assert.Equal(18, server.Tenant.IdentityAttributeNames.Count);
        Assert.All(identities.EnumerateArray(), identity =>
        {
            var attributes = identity.GetProperty("attributes");
            Assert.Equal(server.Tenant.IdentityAttributeNames, attributes.EnumerateObject().Select(p => p.Name));
            var name = identity.GetProperty("name").GetString()!;
            Assert.StartsWith(attributes.GetProperty("lastName").GetString() + "." + attributes.GetProperty("firstName").GetString(), name, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_potential_role_agrees_with_its_summary_and_lists_every_identity_id()
    {
        await using var server = await Servers.StartAsync();
        using var client = await ApiClient.CreateAsync(server);
        var role = server.FirstCreatedSession().PotentialRoles[1];

        var summary = await client.GetJsonAsync($"role-mining-sessions/{role.Session.Id}/potential-role-summaries?filters=" + Uri.EscapeDataString($"name eq \"{role.Name}\""));
        var inSession = await client.GetJsonAsync($"role-mining-sessions/{role.Session.Id}/potential-role-summaries/{role.Id}");
        var byId = await client.GetJsonAsync($"role-mining-potential-roles/{role.Id}");

        var summaryItem = Assert.Single(summary.EnumerateArray());
        Assert.Equal(inSession.GetRawText(), byId.GetRawText());
        foreach (var property in new[] { "id", "name", "identityCount", "entitlementCount", "density", "freshness", "quality", "type", "saved", "provisionState" })
        {
            Assert.Equal(summaryItem.GetProperty(property).GetRawText(), byId.GetProperty(property).GetRawText());
        }

        Assert.Equal(server.Tenant.GetIdentities(role).Select(i => i.Id), byId.GetProperty("identityIds").EnumerateArray().Select(i => i.GetString()));
        var departments = byId.GetProperty("identityDistribution").EnumerateArray().Single(d => d.GetProperty("attributeName").GetString() == "department");
        Assert.Equal(role.IdentityCount, departments.GetProperty("distribution").EnumerateArray().Sum(d => d.GetProperty("count").GetInt32()));
    }
}
