using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RoleMining.Functions.Configuration;
using RoleMining.Exports;
using RoleMining.Functions.Triggers;
using RoleMining.Functions.Tests.Infrastructure;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;

namespace RoleMining.Functions.Tests.Triggers;

/// <summary>The queue, poison, timer and HTTP shells over the real workflow, Azurite and the ISC emulator.</summary>
[Collection(AzuriteTestGroup.Name)]
public sealed class ExportFunctionsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private FunctionsApp _app = null!;

    public async Task InitializeAsync() => _app = await FunctionsApp.StartAsync(azurite.Server);

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

        var job = await QueueDriver.RunUntilFinishedAsync(azurite.Server.Queues(), creation.Job.JobId, RunStepAsync, jobs, TimeSpan.FromSeconds(90));

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
    public async Task The_resume_timer_sends_again_the_message_a_dead_instance_holds_and_the_original_later_changes_nothing()
    {
        var (sessionId, roleId) = await FirstRoleAsync();
        var jobs = _app.Services.GetRequiredService<ExportJobService>();
        var store = _app.Services.GetRequiredService<IExportJobStore>();
        var creation = await jobs.CreateAsync(new ExportJobRequest { SessionId = sessionId, PotentialRoleId = roleId, IdempotencyKey = Guid.NewGuid().ToString("N") });
        var jobId = creation.Job.JobId;

        // An instance takes the start message (the host hides it for ten minutes while it works), claims the job, and dies.
        var startQueue = azurite.Server.Queues().GetQueueClient(ExportQueueNames.Start);
        QueueMessage? held = null;
        for (var tries = 0; held is null && tries < 50; tries++)
        {
            held = (await startQueue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(10))).Value
                .FirstOrDefault(message => message.Body.ToString().Contains(jobId, StringComparison.Ordinal));
        }

        Assert.NotNull(held);
        var stored = (await store.GetAsync(jobId))!;
        Assert.NotNull(await store.TryReplaceAsync(stored.Job with
        {
            State = ExportJobState.Started,
            StartedAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1),
            Lease = new ExportJobLease { LeaseId = "dead-instance", ExpiresAt = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1) },
        }, stored.ETag));

        await _app.Function<ExportResumeFunction>().RunAsync(new TimerInfo(), CancellationToken.None);

        var marked = (await jobs.GetAsync(jobId))!;
        Assert.Equal(1, marked.Resumes);
        var job = await QueueDriver.RunUntilFinishedAsync(azurite.Server.Queues(), jobId, RunStepAsync, jobs, TimeSpan.FromSeconds(90));
        Assert.Equal(ExportJobState.Succeeded, job.State);
        Assert.Equal(1, _app.Emulator.Statistics.ExportCreationsFor(sessionId, roleId));

        // The dead instance's message reappears (second delivery) after the job finished: a duplicate, nothing changes.
        var before = await JobVersionsAsync();
        var redelivered = QueuesModelFactory.QueueMessage(held.MessageId, held.PopReceipt, held.Body, dequeueCount: 2);
        await RunStepAsync(ExportStep.Start, redelivered);

        Assert.Equal(before, await JobVersionsAsync());
        Assert.Equal(1, _app.Emulator.Statistics.ExportCreationsFor(sessionId, roleId));
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
        const string body = "{not json";
        var garbage = QueuesModelFactory.QueueMessage("garbage-1", "pop-1", new BinaryData(body), dequeueCount: 1);
        var workflow = _app.Services.GetRequiredService<ExportWorkflow>();
        var stepLog = new FakeLogger<ExportQueueFunctions>();
        var poisonLog = new FakeLogger<ExportPoisonFunctions>();
        var jobsBefore = await JobVersionsAsync();
        var queuesBefore = await QueueLengthsAsync();

        // Completing (not throwing) is what "dropped" means to the host: it deletes the message instead of retrying it
        // into the poison queue, where it could not be handled either.
        await new ExportQueueFunctions(workflow, stepLog).PollAsync(garbage, CancellationToken.None);
        await new ExportPoisonFunctions(workflow, poisonLog).PollPoisonAsync(garbage, CancellationToken.None);

        Assert.Equal(jobsBefore, await JobVersionsAsync());
        Assert.Equal(queuesBefore, await QueueLengthsAsync());
        foreach (var (record, queue) in new[] { (stepLog.LatestRecord, ExportQueueNames.Poll), (poisonLog.LatestRecord, ExportQueueNames.PoisonFor(ExportStep.Poll)) })
        {
            Assert.Equal(LogLevel.Error, record.Level);
            Assert.Contains("garbage-1", record.Message, StringComparison.Ordinal);
            Assert.Contains(queue, record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(body, record.Message, StringComparison.Ordinal);
        }
    }

    private async Task<Dictionary<string, string>> JobVersionsAsync()
    {
        var container = _app.Azurite.Blobs().GetBlobContainerClient(FunctionsSettings.JobContainer);
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, CancellationToken.None))
        {
            versions[blob.Name] = blob.Properties.ETag?.ToString() ?? string.Empty;
        }

        return versions;
    }

    private async Task<Dictionary<string, int>> QueueLengthsAsync()
    {
        var queues = _app.Azurite.Queues();
        var lengths = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in Enum.GetValues<ExportStep>().SelectMany(step => new[] { ExportQueueNames.For(step), ExportQueueNames.PoisonFor(step) }))
        {
            lengths[name] = (await queues.GetQueueClient(name).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        return lengths;
    }

    [Fact]
    public async Task The_sweep_covers_every_role_of_the_selected_session_and_a_second_run_adds_nothing()
    {
        var (sessionId, _) = await FirstRoleAsync();
        await using var app = await FunctionsApp.StartAsync(azurite.Server, new Dictionary<string, string?> { ["RoleMining:Sweep:SessionIds"] = sessionId });
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
    public async Task An_http_function_refuses_a_request_without_credentials_with_a_401_problem()
    {
        var (sessionId, _) = await FirstRoleAsync();
        var api = _app.Function<ApiFunctions>();

        var response = await _app.InvokeHttpAsync(api.GetSessionAsync, "GET", new Dictionary<string, string> { ["sessionId"] = sessionId }, authenticated: false);

        Assert.Equal(StatusCodes.Status401Unauthorized, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.DoesNotContain(sessionId, await new StreamReader(response.Body).ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_way_in_configured_the_app_starts_runs_its_sweep_and_answers_every_http_request_with_a_503_problem()
    {
        // The first deployment, before the operator set up an API key or Entra ID: the nightly sweep and the queues must
        // run, and the HTTP API must stay shut and say why.
        var (sessionId, _) = await FirstRoleAsync();
        var logs = new FakeLogCollector();
        await using var app = await FunctionsApp.StartAsync(
            azurite.Server,
            new Dictionary<string, string?> { ["RoleMining:Api:Authentication:ApiKeys:LocalDevelopment"] = null, ["RoleMining:Sweep:SessionIds"] = sessionId },
            (services, _) => services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(logs))));
        var api = app.Function<ApiFunctions>();

        var withKey = await app.InvokeHttpAsync(api.GetSessionAsync, "GET", new Dictionary<string, string> { ["sessionId"] = sessionId });
        var withoutKey = await app.InvokeHttpAsync(api.GetSessionAsync, "GET", new Dictionary<string, string> { ["sessionId"] = sessionId }, authenticated: false);
        await app.Function<ExportSweepFunction>().RunAsync(new TimerInfo(), CancellationToken.None);

        foreach (var response in new[] { withKey, withoutKey })
        {
            Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.StatusCode);
            Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
            var body = await new StreamReader(response.Body).ReadToEndAsync();
            Assert.Contains("RoleMining:Api:Authentication:ApiKeys", body, StringComparison.Ordinal);
            Assert.DoesNotContain(sessionId, body, StringComparison.Ordinal);
        }

        Assert.Contains(logs.GetSnapshot(), record => record.Level == LogLevel.Critical && record.Message.Contains("answers every request with 503", StringComparison.Ordinal));
        Assert.NotEmpty(await app.Services.GetRequiredService<ExportJobService>().QueryAsync(new ExportJobQuery { SessionId = sessionId }).ToListAsync());
    }

    [Fact]
    public async Task A_request_cut_short_by_the_host_stopping_is_a_503_problem_with_Retry_After_not_an_empty_200()
    {
        // The function's token fires on scale-in, a deployment or the timeout while the caller is still connected; an
        // empty 200 would end a Logic App's asynchronous pattern as a success.
        var (sessionId, _) = await FirstRoleAsync();
        var api = _app.Function<ApiFunctions>();
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();

        var response = await _app.InvokeHttpAsync((request, _) => api.GetSessionAsync(request, stopping.Token), "GET", new Dictionary<string, string> { ["sessionId"] = sessionId });

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.True(int.Parse(response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public async Task A_request_that_a_route_takes_is_run_by_that_route_when_it_reaches_the_catch_all()
    {
        // The Functions host tries its routes in the order of their function names, not most specific first, so the
        // catch-all can be tried before the route that takes a request.
        var (sessionId, _) = await FirstRoleAsync();
        var api = _app.Function<ApiFunctions>();
        Task<HttpResponse> Unrouted(string method, string path, bool authenticated = true) =>
            _app.InvokeHttpAsync(api.AnswerUnroutedRequestAsync, method, new Dictionary<string, string>(), authenticated: authenticated, path: path);

        var session = await Unrouted("GET", $"/api/sessions/{sessionId}");
        var anonymous = await Unrouted("GET", $"/api/sessions/{sessionId}", authenticated: false);
        var wrongMethod = await Unrouted("DELETE", $"/api/sessions/{sessionId}");
        var unknown = await Unrouted("GET", "/api/nothing-here");

        Assert.Equal(StatusCodes.Status200OK, session.StatusCode);
        Assert.Contains(sessionId, await new StreamReader(session.Body).ReadToEndAsync(), StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status401Unauthorized, anonymous.StatusCode);
        Assert.Equal(StatusCodes.Status405MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("GET", wrongMethod.Headers.Allow.ToString());
        Assert.Equal(StatusCodes.Status404NotFound, unknown.StatusCode);
        Assert.All([anonymous, wrongMethod, unknown], response => Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal));
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
