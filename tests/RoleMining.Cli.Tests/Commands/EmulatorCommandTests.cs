using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Emulator;

namespace RoleMining.Cli.Tests.Commands;

/// <summary><c>rolemining emulator</c> and the stand-alone emulator program: help, and switches that reach the emulator.</summary>
public sealed partial class EmulatorCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    [Fact]
    public async Task Rolemining_emulator_help_lists_every_emulator_switch_with_what_it_takes()
    {
        var result = await ChildProcess.RunCliAsync(["emulator", "--help"], null, _directory.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var entry in CommandLineSwitches.Help)
        {
            Assert.Contains($"{entry.Name} <{entry.ValueName}>", result.Output, StringComparison.Ordinal);
        }

        Assert.Contains("--Emulator:KEY VALUE", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("additional arguments", result.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public async Task The_standalone_emulator_prints_its_usage_for_help_and_exits_0_without_listening(string help)
    {
        var result = await ChildProcess.RunAsync(ChildProcess.Emulator, ["--seed", "3", help], null, _directory.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("Emulator of the SailPoint ISC role-mining API", result.Output, StringComparison.Ordinal);
        foreach (var entry in CommandLineSwitches.Help)
        {
            Assert.Contains($"  {entry.Name} {entry.ValueName} ", result.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("listening on", result.Output + result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Switches_and_configuration_keys_given_to_rolemining_emulator_reach_the_emulator()
    {
        Task<(int Sessions, int Identities)>? probe = null;
        var result = await ChildProcess.RunCliAsync(
            ["emulator", "--urls", "http://127.0.0.1:0", "--sessions", "3", "--client-id", "custom-client", "--Emulator:Tenant:ExtraAttributes", "2"],
            null,
            _directory.Path,
            (line, terminate) =>
            {
                if (ListeningOn().Match(line) is { Success: true } match && probe is null)
                {
                    probe = Task.Run(async () =>
                    {
                        try
                        {
                            return await ProbeAsync(new Uri(match.Groups["url"].Value));
                        }
                        finally
                        {
                            terminate();
                        }
                    });
                }
            });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotNull(probe);
        var (sessions, identityAttributes) = await probe;
        Assert.Equal(3, sessions);
        Assert.Equal(2, identityAttributes);
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>Sessions the emulator lists to the client id given on the command line, and the extra attributes of an
    /// identity of a potential role.</summary>
    private static async Task<(int Sessions, int ExtraAttributes)> ProbeAsync(Uri baseAddress)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        using var tokenResponse = await http.PostAsync(
            new Uri("oauth/token", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "custom-client",
                ["client_secret"] = "rolemining-emulator-secret",
            }));
        tokenResponse.EnsureSuccessStatusCode();
        using var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("access_token").GetString());

        using var sessions = JsonDocument.Parse(await http.GetStringAsync(new Uri("beta/role-mining-sessions?limit=250", UriKind.Relative)));
        foreach (var session in sessions.RootElement.EnumerateArray())
        {
            var sessionId = session.GetProperty("id").GetString();
            using var roles = JsonDocument.Parse(await http.GetStringAsync(new Uri($"beta/role-mining-sessions/{sessionId}/potential-role-summaries?limit=250", UriKind.Relative)));
            foreach (var role in roles.RootElement.EnumerateArray().Where(role => role.GetProperty("identityCount").GetInt32() > 0))
            {
                using var identities = JsonDocument.Parse(await http.GetStringAsync(new Uri($"beta/role-mining-sessions/{sessionId}/potential-roles/{role.GetProperty("id").GetString()}/identities?limit=1", UriKind.Relative)));
                var attributes = identities.RootElement[0].GetProperty("attributes");
                return (sessions.RootElement.GetArrayLength(), attributes.EnumerateObject().Count(attribute => attribute.Name.StartsWith("extraAttribute", StringComparison.Ordinal)));
            }
        }

        throw new InvalidOperationException("The emulator lists no potential role with identities.");
    }

    [GeneratedRegex(@"listening on (?<url>http://\S+?)/? \(client id: custom-client\)")]
    private static partial Regex ListeningOn();
}
