using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Hosting;

public partial class OptionsAndHostingTests
{
    public static TheoryData<string, Action<EmulatorOptions>> InvalidOptions => new()
    {
        { "PermitLimit", o => o.RateLimit.PermitLimit = 0 },
        { "Window", o => o.RateLimit.Window = TimeSpan.Zero },
        { "TokenLifetime", o => o.TokenLifetime = TimeSpan.Zero },
        { "ClientSecret", o => o.ClientSecret = "" },
        { "SessionCount", o => o.Tenant.SessionCount = 0 },
        { "MinIdentitiesPerPotentialRole", o => (o.Tenant.MinIdentitiesPerPotentialRole, o.Tenant.MaxIdentitiesPerPotentialRole) = (10, 5) },
        { "AdditionalPotentialRoleIdentityCounts", o => o.Tenant.AdditionalPotentialRoleIdentityCounts = [-1] },
        { "ServerErrorShare", o => o.Faults.Default.ServerErrorShare = 1.5 },
        { "ExportErrorShare", o => o.Faults.Routes["getRoleMiningSessions"] = new EmulatorRouteFaultOptions { ExportErrorShare = -0.1 } },
        { "QueuedFor", o => o.Exports.QueuedFor = TimeSpan.FromSeconds(-1) },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task Invalid_options_stop_the_server_from_starting(string named, Action<EmulatorOptions> configure)
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => Servers.StartAsync(configure));

        Assert.Contains(named, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ToString_never_shows_the_secret()
    {
        var options = new EmulatorOptions { ClientSecret = "very-secret-value" };

        Assert.DoesNotContain("very-secret-value", options.ToString(), StringComparison.Ordinal);
        Assert.Contains(options.ClientId, options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Friendly_switches_become_configuration_keys()
    {
        var translated = CommandLineSwitches.Translate(
            ["--urls", "http://127.0.0.1:5080", "--seed", "7", "--rate-limit", "off", "--extra-roles=0,1,250", "--compression", "none", "--latency-ms", "250", "--Emulator:Tenant:ExtraAttributes", "3"]);

        Assert.Equal(
            [
                "--urls", "http://127.0.0.1:5080", "--Emulator:Tenant:Seed=7", "--Emulator:RateLimit:Enabled=false",
                "--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:0=0", "--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:1=1",
                "--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:2=250", "--Emulator:Exports:Compression=NoCompression",
                "--Emulator:Faults:Default:Latency=00:00:00.2500000", "--Emulator:Tenant:ExtraAttributes", "3",
            ],
            translated);
        Assert.Equal(["--Emulator:RateLimit:Mode=SlidingWindow"], CommandLineSwitches.Translate(["--rate-limit-mode", "sliding"]));
        Assert.Equal(["--Emulator:RateLimit:Mode=FixedWindow"], CommandLineSwitches.Translate(["--rate-limit-mode=fixed"]));
        Assert.Throws<ArgumentException>(() => CommandLineSwitches.Translate(["--rate-limit-mode", "leaky"]));
        Assert.Throws<ArgumentException>(() => CommandLineSwitches.Translate(["--rate-limit", "sometimes"]));
        Assert.Throws<ArgumentException>(() => CommandLineSwitches.Translate(["--seed"]));
        Assert.Contains("--rate-limit:", Assert.Throws<ArgumentException>(() => CommandLineSwitches.Translate(["--rate-limit", "sometimes"])).Message, StringComparison.Ordinal);
        Assert.Contains("did you mean --sessions?", Assert.Throws<ArgumentException>(() => CommandLineSwitches.Translate(["--sesions", "3"])).Message, StringComparison.Ordinal);
        // Keys the host reads pass through, however close to a switch.
        Assert.Equal(["--AllowedHosts", "x", "--webroot", "y"], CommandLineSwitches.Translate(["--AllowedHosts", "x", "--webroot", "y"]));
        // A setting's value passes through even when it looks like an option.
        Assert.Equal(["--Emulator:Tenant:Seed", "-5", "--Logging:LogLevel:Default=Warning"], CommandLineSwitches.Translate(["--Emulator:Tenant:Seed", "-5", "--Logging:LogLevel:Default=Warning"]));
    }

    [Theory]
    [InlineData("--error-rate", "1")]
    [InlineData("--bogus")]
    [InlineData("-x")]
    [InlineData("stray")]
    [InlineData("--Emulator:", "1")]
    public void An_option_that_is_no_switch_nor_a_setting_of_the_host_is_refused_with_its_name(params string[] args)
    {
        var failure = Assert.Throws<ArgumentException>(() => CommandLineSwitches.Translate(args));

        Assert.StartsWith($"Unknown emulator option '{args[0]}'", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EmulatorOptions", "--Emulator:Bogus", "1")]
    [InlineData("EmulatorTenantOptions", "--Emulator:Tenant:Seeed", "1")]
    [InlineData("EmulatorRouteFaultOptions", "--Emulator:Faults:Routes:getRoleMiningSessions:ServerErrorShares", "0.5")]
    public void A_key_of_the_Emulator_section_that_nothing_reads_is_an_error_naming_it(string type, params string[] args)
    {
        using var app = EmulatorApplication.Build(args);

        var failure = Assert.ThrowsAny<InvalidOperationException>(() => app.Services.GetRequiredService<IOptions<EmulatorOptions>>().Value);

        var described = CommandLineSwitches.DescribeInvalidValue(failure);
        Assert.NotNull(described);
        Assert.StartsWith($"Unknown emulator setting '{args[0][(args[0].LastIndexOf(':') + 1)..]}' (of {type}", described, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_describes_every_switch_and_the_defaults_it_names_are_the_options_defaults()
    {
        Assert.Equal(CommandLineSwitches.Names.Order(StringComparer.Ordinal), CommandLineSwitches.Help.Select(entry => entry.Name).Order(StringComparer.Ordinal));
        var defaults = JsonSerializer.Serialize(new EmulatorOptions());
        foreach (var entry in CommandLineSwitches.Help)
        {
            if (DefaultInHelp().Match(entry.Description) is not { Success: true } match)
            {
                continue;
            }

            // The switch given its documented default must bind to the options as they are without it.
            var configuration = new ConfigurationBuilder().AddCommandLine(CommandLineSwitches.Translate([entry.Name, match.Groups[1].Value])).Build();
            var bound = configuration.GetSection(EmulatorOptions.SectionName).Get<EmulatorOptions>() ?? new EmulatorOptions();
            Assert.True(defaults == JsonSerializer.Serialize(bound), $"{entry.Name}: help says the default is {match.Groups[1].Value}.");
        }

        Assert.Contains("--seed N ", CommandLineSwitches.Usage("emulator"), StringComparison.Ordinal);
        Assert.True(CommandLineSwitches.AsksForHelp(["--seed", "1", "-h"]));
        Assert.False(CommandLineSwitches.AsksForHelp(["--seed", "1"]));
    }

    [GeneratedRegex(@"\[default: ([^\]]+)\]$")]
    private static partial Regex DefaultInHelp();

    [Fact]
    public async Task The_stand_alone_app_binds_its_options_from_the_command_line()
    {
        await using var app = EmulatorApplication.Build(
            ["--seed", "7", "--rate-limit", "off", "--extra-roles", "3,4", "--compression", "none", "--Emulator:Faults:Routes:getRoleMiningSessions:ServerErrorShare", "0.5"]);

        var options = app.Services.GetRequiredService<IOptions<EmulatorOptions>>().Value;

        Assert.Equal(7, options.Tenant.Seed);
        Assert.False(options.RateLimit.Enabled);
        Assert.Equal([3, 4], options.Tenant.AdditionalPotentialRoleIdentityCounts);
        Assert.Equal(CompressionLevel.NoCompression, options.Exports.Compression);
        Assert.Equal(0.5, options.Faults.For(OperationIds.GetRoleMiningSessions).ServerErrorShare);
        Assert.Equal(0, options.Faults.For(OperationIds.GetRoleMiningSessionStatus).ServerErrorShare);
        Assert.Equal(7, app.Services.GetRequiredService<EmulatorTenant>().Seed);
    }

    [Fact]
    public async Task The_emulator_can_be_hosted_in_another_app_through_the_extension_methods()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddRoleMiningEmulator(o => o.RateLimit.Enabled = false);
        await using var app = builder.Build();
        app.UseRoleMiningEmulator();
        app.MapRoleMiningEmulator();
        await app.StartAsync();
        var address = app.Urls.First();

        using var http = new HttpClient { BaseAddress = new Uri(address + "/") };
        using var token = await http.PostAsync(new Uri("oauth/token?grant_type=client_credentials&client_id=rolemining-emulator&client_secret=rolemining-emulator-secret", UriKind.Relative), null);

        Assert.Equal(System.Net.HttpStatusCode.OK, token.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_fake_time_provider_replaces_the_clock()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var server = await Servers.StartAsync(configure: null, clock);

        Assert.Same(clock, server.Services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task Disposing_the_server_releases_its_port()
    {
        var server = await Servers.StartAsync();
        var address = server.BaseAddress;
        await server.DisposeAsync();

        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("beta/role-mining-sessions", UriKind.Relative)));
    }
}
