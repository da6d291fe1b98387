using Microsoft.Extensions.DependencyInjection;
using RoleMining.Api.LocalHosting;
using RoleMining.Api.Tests.Infrastructure;
using RoleMining.Exports;

namespace RoleMining.Api.Tests.LocalHosting;

/// <summary>The scheduled sweep starts one job per potential role of the selected session, and nothing more on later occurrences.</summary>
public sealed class ScheduledSweepServiceTests
{
    [Fact]
    public async Task Every_second_schedule_exports_the_selected_session_once()
    {
        string? sessionId = null;
        await using var host = await ApiTestHost.StartAsync(services: services => services.AddRoleMiningSweepSchedule(
            SweepSchedule.TryParse("* * * * * *", out _)!,
            // Until the test has picked its session, a sweep selects nothing.
            _ => new ExportSweepSelection { SessionIds = sessionId is null ? [] : [sessionId] }));
        var session = host.SessionWithRoles(minimumRoles: 2);
        sessionId = session.Id;
        var sweeps = host.Services.GetRequiredService<ScheduledSweepService>();

        // The schedule itself defines the wait: an occurrence every second. The bound is generous for a loaded machine.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (sweeps.CompletedSweeps < 3 || !await AllEndedAsync(host, session.Id, session.PotentialRoles.Count))
        {
            await Task.Delay(200, timeout.Token);
        }

        var jobs = await JobsAsync(host, session.Id);
        Assert.Equal(session.PotentialRoles.Select(role => role.Id).Order(), jobs.Select(job => job.PotentialRoleId).Order());
        Assert.All(jobs, job => Assert.Equal(ExportJobState.Succeeded, job.State));
        Assert.All(session.PotentialRoles, role => Assert.Equal(1, host.Emulator.Statistics.ExportCreationsFor(session.Id, role.Id)));
    }

    private static async Task<bool> AllEndedAsync(ApiTestHost host, string sessionId, int expected)
    {
        var jobs = await JobsAsync(host, sessionId);
        return jobs.Count == expected && jobs.All(job => job.IsTerminal);
    }

    private static async Task<List<ExportJob>> JobsAsync(ApiTestHost host, string sessionId)
    {
        var jobs = new List<ExportJob>();
        await foreach (var job in host.Services.GetRequiredService<ExportJobService>().QueryAsync(new ExportJobQuery { SessionId = sessionId }))
        {
            jobs.Add(job);
        }

        return jobs;
    }
}
