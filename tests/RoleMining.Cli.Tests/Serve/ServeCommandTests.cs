using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.Serve;

public sealed partial class ServeCommandTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Serve_answers_the_api_routes_with_the_tenant_data_and_runs_an_export_to_the_end_then_stops_cleanly()
    {
        using var directory = new TemporaryDirectory();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var (run, api) = await StartServeAsync(directory, stop.Token);
        using var http = new HttpClient { BaseAddress = api };
        var session = emulator.Server.Tenant.Sessions.First(candidate => candidate.PotentialRoles.Any(role => role.IdentityCount > 0));
        var role = session.PotentialRoles.First(candidate => candidate.IdentityCount > 0);

        using (var reply = await http.GetAsync($"sessions/{session.Id}"))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
            using var body = JsonDocument.Parse(await reply.Content.ReadAsStringAsync());
            Assert.Equal(session.Id, body.RootElement.GetProperty("id").GetString());
        }

        using (var reply = await http.GetAsync("sessions/not-an-id"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
            Assert.Equal("application/problem+json", reply.Content.Headers.ContentType?.MediaType);
        }

        // The async request-reply pattern, followed only through Location and Retry-After.
        using var start = await http.PostAsJsonAsync($"sessions/{session.Id}/potential-roles/{role.Id}/exports", new { minEntitlementPopularity = 0, includeCommonAccess = true });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location ?? throw new InvalidOperationException("202 without Location");
        HttpResponseMessage status;
        var polls = 0;
        while (true)
        {
            status = await http.GetAsync(location);
            if (status.StatusCode != HttpStatusCode.Accepted)
            {
                break;
            }

            Assert.True(++polls < 120, "the export did not finish");
            await Task.Delay(status.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
            status.Dispose();
        }

        using (status)
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        // The workflow ran in the serve process and published the role's files under --out.
        Assert.Contains(directory.Files(), file => file.Contains($"/{session.Id}/{role.Id}/", StringComparison.Ordinal) && file.EndsWith("/manifest.json", StringComparison.Ordinal));

        await stop.CancelAsync();
        var result = await run;
        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
    }

    [Fact]
    public async Task A_key_a_caller_put_in_the_query_is_not_logged_even_with_verbose()
    {
        using var directory = new TemporaryDirectory();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var (run, api) = await StartServeAsync(directory, stop.Token, "--verbose");
        using var http = new HttpClient { BaseAddress = api };
        var session = emulator.Server.Tenant.Sessions[0];
        foreach (var parameter in new[] { "code", "access_token", "api-key" })
        {
            // Answered or refused: on loopback no key is needed, and 'code' (the Functions hosts' key parameter) is let through.
            using var reply = await http.GetAsync($"sessions/{session.Id}?{parameter}=s3cr3t-query-key");
        }

        using (var reply = await http.GetAsync($"sessions/{session.Id}"))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }

        await stop.CancelAsync();
        var result = await run;
        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("Executed endpoint 'Get a role-mining session'", result.Error, StringComparison.Ordinal); // verbose logs each request
        Assert.DoesNotContain("s3cr3t-query-key", result.Error + result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_schedule_exports_the_sessions_of_a_comma_separated_sweep_setting_as_the_Functions_app_reads_it()
    {
        using var directory = new TemporaryDirectory();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var sessions = emulator.Server.Tenant.Sessions.Where(candidate => candidate.State == "POTENTIAL_ROLES_CREATED" && candidate.PotentialRoles.Count > 0).Take(2).ToList();
        var expected = sessions.SelectMany(session => session.PotentialRoles.Select(role => (session.Id, role.Id))).ToHashSet();
        Assert.True(emulator.Server.Tenant.Sessions.Count(candidate => candidate.State == "POTENTIAL_ROLES_CREATED" && candidate.PotentialRoles.Count > 0) > 2, "the tenant must have sessions the setting leaves out");
        var run = emulator.CreateRunner(directory.Path)
            .With("RoleMining__Schedule", "* * * * * *")
            .With("RoleMining__Sweep__SessionIds", string.Join(", ", sessions.Select(session => session.Id)))
            .RunAsync(["serve", "--urls", "http://127.0.0.1:0", "--out", directory.Combine("exports")], stop.Token);

        // Every second the sweep plans the selected sessions; each of their potential roles gets one job.
        var jobs = new HashSet<(string, string)>();
        while (!jobs.IsSupersetOf(expected) && !run.IsCompleted)
        {
            await Task.Delay(200, stop.Token);
            jobs = JobsUnder(directory.Combine("exports", ".jobs"));
        }

        await stop.CancelAsync();
        var result = await run;
        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Equal(expected, JobsUnder(directory.Combine("exports", ".jobs")));
    }

    [Fact]
    public async Task Serve_that_cannot_listen_removes_the_folder_it_created_but_not_one_that_existed()
    {
        using var directory = new TemporaryDirectory();
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        string[] serve = ["serve", "--urls", $"http://127.0.0.1:{((IPEndPoint)busy.LocalEndpoint).Port}", "--out"];
        var existing = Directory.CreateDirectory(directory.Combine("existing")).FullName;
        var runner = emulator.CreateRunner(directory.Path);

        var created = await runner.RunAsync([.. serve, "new/below"]);
        var given = await runner.RunAsync([.. serve, "existing"]);

        Assert.Equal(ExitCodes.Configuration, created.ExitCode);
        Assert.Contains("already in use", created.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory.Combine("new")), "the folder the run created stayed");
        Assert.Equal(ExitCodes.Configuration, given.ExitCode);
        Assert.True(Directory.Exists(existing));
    }

    [Fact]
    public async Task Serve_that_listened_keeps_the_folder_it_created_when_stopped_even_unused()
    {
        // It said "exports in ..." for that folder; only a serve that never listened takes it back.
        using var directory = new TemporaryDirectory();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = emulator.CreateRunner(directory.Path).RunAsync(
            ["serve", "--urls", "http://127.0.0.1:0", "--out", directory.Combine("exports")],
            stop.Token,
            line =>
            {
                if (line.Contains("listening on", StringComparison.Ordinal))
                {
                    listening.TrySetResult();
                }
            });
        await listening.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await stop.CancelAsync();
        var result = await run;

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.True(Directory.Exists(directory.Combine("exports")), "serve removed the folder it had said exports go to");
    }

    /// <summary>The (session, potential role) of every job document in <paramref name="folder"/>.</summary>
    private static HashSet<(string, string)> JobsUnder(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories)
                .Select(file =>
                {
                    try
                    {
                        using var document = JsonDocument.Parse(File.ReadAllText(file));
                        return (document.RootElement.GetProperty("sessionId").GetString()!, document.RootElement.GetProperty("potentialRoleId").GetString()!);
                    }
                    catch (Exception exception) when (exception is IOException or JsonException or KeyNotFoundException)
                    {
                        return default;
                    }
                })
                .Where(job => job != default)
                .ToHashSet()
            : [];

    /// <summary>Runs <c>serve</c> on a free loopback port with exports in the directory; returns the run and the API's base address once it listens.</summary>
    private async Task<(Task<CliResult> Run, Uri Api)> StartServeAsync(TemporaryDirectory directory, CancellationToken stop, params string[] extra)
    {
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = emulator.CreateRunner(directory.Path).RunAsync(
            ["serve", "--urls", "http://127.0.0.1:0", "--out", directory.Combine("exports"), .. extra],
            stop,
            line =>
            {
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    listening.TrySetResult(new Uri(match.Groups["api"].Value.TrimEnd('/') + "/"));
                }
            });

        return (run, await listening.Task.WaitAsync(TimeSpan.FromMinutes(1)));
    }

    [GeneratedRegex(@"listening on (?<api>http://127\.0\.0\.1:\d+/api)")]
    private static partial Regex ListeningLine();
}
