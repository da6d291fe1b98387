using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using RoleMining.Cli.Serve;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Exports;

namespace RoleMining.Cli.Tests.Serve;

/// <summary>The scheduled sweep starts one job per potential role of the selected session, and nothing more on later occurrences.</summary>
public sealed class ScheduledSweepServiceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Every_second_schedule_exports_the_selected_session_once()
    {
        using var directory = new TemporaryDirectory();
        await using var services = Workflow(directory.Path);
        var session = emulator.Server.Tenant.Sessions.First(candidate => candidate.PotentialRoles.Count >= 2 && candidate.State == "POTENTIAL_ROLES_CREATED");

        // The schedule runs on a clock of its own that the test moves: each second it is moved on is one occurrence. The
        // workflow keeps the real clock (its steps wait on the emulator's export clock).
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 2, 0, 0, 500, TimeSpan.Zero));
        var sweeps = new ScheduledSweepService(
            SweepSchedule.TryParse("* * * * * *", out _)!,
            () => new ExportSweepSelection { SessionIds = [session.Id] },
            services.GetRequiredService<ExportSweepPlanner>(),
            services.GetRequiredService<ExportJobService>(),
            clock,
            services.GetRequiredService<ILogger<ScheduledSweepService>>());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await sweeps.StartAsync(timeout.Token);
        var runner = services.GetRequiredService<InProcessExportRunner>().RunAsync(timeout.Token);
        try
        {
            while (sweeps.CompletedSweeps < 3 || !await AllEndedAsync(services, session.Id, session.PotentialRoles.Count))
            {
                // Occurrences missed while a sweep ran are not made up, so the clock is moved on until three have run.
                clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(50, timeout.Token);
            }
        }
        finally
        {
            await sweeps.StopAsync(CancellationToken.None);
            await timeout.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner);
        }

        var jobs = await JobsAsync(services, session.Id);
        Assert.Equal(session.PotentialRoles.Select(role => role.Id).Order(), jobs.Select(job => job.PotentialRoleId).Order());
        Assert.All(jobs, job => Assert.Equal(ExportJobState.Succeeded, job.State));
        Assert.All(session.PotentialRoles, role => Assert.Equal(1, emulator.Server.Statistics.ExportCreationsFor(session.Id, role.Id)));
    }

    /// <summary>The SailPoint client of the emulator and the export workflow over a folder, with quick timings.</summary>
    private ServiceProvider Workflow(string root)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = emulator.Server.BaseAddress;
            options.ClientId = emulator.Server.Options.ClientId;
            options.ClientSecret = emulator.Server.Options.ClientSecret;
            options.RateLimit.Enabled = false;
        });
        services.AddRoleMiningExports(options =>
        {
            options.FileSystem.ArtifactRoot = root;
            options.Polling.InitialDelay = TimeSpan.FromMilliseconds(100);
            options.Polling.MaxDelay = TimeSpan.FromMilliseconds(300);
            options.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            options.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
        }).UseFileSystemStores().UseInProcessQueue();
        return services.BuildServiceProvider();
    }

    private static async Task<bool> AllEndedAsync(IServiceProvider services, string sessionId, int expected)
    {
        var jobs = await JobsAsync(services, sessionId);
        return jobs.Count == expected && jobs.All(job => job.IsTerminal);
    }

    private static async Task<List<ExportJob>> JobsAsync(IServiceProvider services, string sessionId)
    {
        var jobs = new List<ExportJob>();
        await foreach (var job in services.GetRequiredService<ExportJobService>().QueryAsync(new ExportJobQuery { SessionId = sessionId }))
        {
            jobs.Add(job);
        }

        return jobs;
    }
}
