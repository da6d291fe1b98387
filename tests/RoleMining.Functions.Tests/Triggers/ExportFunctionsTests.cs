using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Exports;
using RoleMining.Functions.Triggers;
using RoleMining.Functions.Tests.Infrastructure;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Functions.Tests.Triggers;

/// <summary>The queue, poison, timer and HTTP shells over the real workflow, Azurite and the ISC emulator.</summary>
[Collection(AzuriteTestGroup.Name)]
public sealed class ExportFunctionsTests : IAsyncLifetime
{
    private FunctionsApp _app = null!;

    public async Task InitializeAsync() => _app = await FunctionsApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(string SessionId, string PotentialRoleId)> FirstRoleAsync()
    {
        var client = _app.Services.GetRequiredService<IRoleMiningClient>();
        await foreach (var session in client.GetSessionsAsync())
        {
            if (session.Status?.State != RoleMiningSessionState.PotentialRolesCreated || session.Id is null)
            {
                continue;
            }

            await foreach (var role in client.GetPotentialRoleSummariesAsync(session.Id))
            {
                return (session.Id, role.Id!);
            }
        }

        throw new InvalidOperationException("The emulator tenant has no complete session with potential roles.");
    }

    private Task RunStepAsync(ExportStep step, QueueMessage message)
    {
        var functions = _app.Function<ExportQueueFunctions>();
        return step switch
        {
            ExportStep.Start => functions.StartAsync(message, CancellationToken.None),
            ExportStep.Poll => functions.PollAsync(message, CancellationToken.None),
            _ => functions.DownloadAsync(message, CancellationToken.None),
        };
    }

    [Fact]
    public async Task An_export_runs_through_the_queue_functions_and_is_served_by_the_http_functions()
    {
        var (sessionId, roleId) = await FirstRoleAsync();
        var jobs = _app.Services.GetRequiredService<ExportJobService>();
        var creation = await jobs.CreateAsync(new ExportJobRequest { SessionId = sessionId, PotentialRoleId = roleId });

        var job = await QueueDriver.RunUntilFinishedAsync(creation.Job.JobId, RunStepAsync, jobs, TimeSpan.FromSeconds(90));

        Assert.Equal(ExportJobState.Succeeded, job.State);
        Assert.Contains(job.Artifacts, artifact => artifact.Name == ExportArtifactLayout.ZipFileName);
        var manifest = await _app.Services.GetRequiredService<IExportArtifactStore>()
            .OpenReadAsync(ExportArtifactLayout.FilePath(job, ExportArtifactLayout.ManifestFileName));
        Assert.NotNull(manifest);
        await manifest.DisposeAsync();

        var api = _app.Function<ApiFunctions>();
        var status = await _app.InvokeHttpAsync(api.GetExportAsync, "GET", new Dictionary<string, string> { ["jobId"] = job.JobId });
        Assert.Equal(StatusCodes.Status200OK, status.StatusCode);
        Assert.Contains(job.JobId, await new StreamReader(status.Body).ReadToEndAsync(), StringComparison.Ordinal);

        var csv = job.Artifacts.First(artifact => artifact.Name.EndsWith(".csv", StringComparison.Ordinal));
        var file = await _app.InvokeHttpAsync(api.GetExportArtifactAsync, "GET",
            new Dictionary<string, string> { ["jobId"] = job.JobId, ["name"] = csv.Name });
        Assert.Equal(StatusCodes.Status200OK, file.StatusCode);
        Assert.Equal(csv.Size, file.Body.Length);
    }

    [Fact]
    public async Task A_poison_message_fails_its_job_with_the_reason()
    {
        var (sessionId, roleId) = await FirstRoleAsync();
        var jobs = _app.Services.GetRequiredService<ExportJobService>();
        var creation = await jobs.CreateAsync(new ExportJobRequest { SessionId = sessionId, PotentialRoleId = roleId, IdempotencyKey = Guid.NewGuid().ToString("N") });
        var start = ExportMessage.Create(ExportStep.Start, creation.Job.JobId, creation.Job.Sequence, DateTimeOffset.UtcNow);
        var poison = QueuesModelFactory.QueueMessage("poison-1", "pop-1", new BinaryData(RoleMining.Functions.Storage.QueueMessages.Body(start)), dequeueCount: 1);

        await _app.Function<ExportPoisonFunctions>().StartPoisonAsync(poison, CancellationToken.None);

        var failed = await jobs.GetAsync(creation.Job.JobId);
        Assert.Equal(ExportJobState.Failed, failed!.State);
        Assert.Equal(ExportFailureKind.RepeatedFailure, failed.Failure!.Kind);
        Assert.Equal(ExportStep.Start, failed.Failure.Step);
    }

    [Fact]
    public async Task A_message_that_is_not_an_export_message_is_dropped_without_failing_the_delivery()
    {
        var garbage = QueuesModelFactory.QueueMessage("garbage-1", "pop-1", new BinaryData("{not json"), dequeueCount: 1);

        // Completing (not throwing) keeps it out of the poison queue, where it could not be handled either.
        await _app.Function<ExportQueueFunctions>().PollAsync(garbage, CancellationToken.None);
        await _app.Function<ExportPoisonFunctions>().PollPoisonAsync(garbage, CancellationToken.None);
    }

    [Fact]
    public async Task The_sweep_covers_every_role_of_the_selected_session_and_a_second_run_adds_nothing()
    {
        var (sessionId, _) = await FirstRoleAsync();
        await using var app = await FunctionsApp.StartAsync(new Dictionary<string, string?> { ["RoleMining:Sweep:SessionIds"] = sessionId });
        var jobs = app.Services.GetRequiredService<ExportJobService>();
        var roles = await app.Services.GetRequiredService<IRoleMiningClient>().GetPotentialRoleSummariesAsync(sessionId).Select(role => role.Id!).ToListAsync();

        await app.Function<ExportSweepFunction>().RunAsync(new TimerInfo(), CancellationToken.None);
        var afterFirst = await jobs.QueryAsync(new ExportJobQuery { SessionId = sessionId }).ToListAsync();
        await app.Function<ExportSweepFunction>().RunAsync(new TimerInfo(), CancellationToken.None);
        var afterSecond = await jobs.QueryAsync(new ExportJobQuery { SessionId = sessionId }).ToListAsync();

        Assert.All(roles, role => Assert.Contains(afterFirst, job => job.PotentialRoleId == role && job.IsActiveOrSucceeded));
        Assert.Equal(afterFirst.Count, afterSecond.Count);
    }

    [Fact]
    public async Task Http_functions_answer_problems_for_unknown_resources()
    {
        var api = _app.Function<ApiFunctions>();

        var response = await _app.InvokeHttpAsync(api.GetExportAsync, "GET", new Dictionary<string, string> { ["jobId"] = "0123456789abcdef0123456789abcdef" });

        Assert.Equal(StatusCodes.Status404NotFound, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_is_read_through_the_http_function()
    {
        var (sessionId, _) = await FirstRoleAsync();
        var api = _app.Function<ApiFunctions>();

        var response = await _app.InvokeHttpAsync(api.GetSessionAsync, "GET", new Dictionary<string, string> { ["sessionId"] = sessionId });

        Assert.Equal(StatusCodes.Status200OK, response.StatusCode);
        Assert.Contains(sessionId, await new StreamReader(response.Body).ReadToEndAsync(), StringComparison.Ordinal);
    }
}
