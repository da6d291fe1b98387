using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using RoleMining.Emulator;
using RoleMining.Exports;
using RoleMining.Functions.Telemetry;
using RoleMining.Functions.Tests.Infrastructure;
using RoleMining.Functions.Triggers;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.SailPoint.Models;

namespace RoleMining.Functions.Tests.Telemetry;

/// <summary>
/// One export started over HTTP, driven through the real queue functions with real Base64 messages in Azurite, observed
/// through the app's own OpenTelemetry registration with in-memory exporters: one trace across every queue hop (a
/// redelivery included), the SailPoint calls as children of their steps, and the metrics with their attributes.
/// </summary>
[Collection(AzuriteTestGroup.Name)]
public sealed class ExportTraceTests(AzuriteFixture azurite)
{
    private const string StatusOperation = "exportRoleMiningPotentialRoleStatus";

    // The worker's own activity source: the worker starts one span per invocation, child of the host's span.
    private static readonly ActivitySource Worker = new(FunctionsTelemetry.WorkerActivitySource);

    [Fact]
    public async Task One_export_over_http_is_one_trace_across_every_queue_hop_with_sailpoint_calls_as_children_and_metrics_with_their_attributes()
    {
        var capture = new TelemetryCapture();
        await using var app = await FunctionsApp.StartAsync(azurite.Server, new Dictionary<string, string?>
        {
            // A budget of one request per second: requests wait for it, and the wait is measured.
            ["SailPoint:RateLimit:Enabled"] = "true",
            ["SailPoint:RateLimit:PermitLimit"] = "3",
            ["SailPoint:RateLimit:Window"] = "00:00:01",
            // One retry: a 429 answered twice fails the step, and the host delivers the message again (no retry later by
            // the workflow, Exports:TransientRetry, which would send a new message instead: the redelivery is traced here).
            ["SailPoint:Retry:MaxRetryAttempts"] = "1",
            ["Exports:TransientRetry:MaxRetries"] = "0",
        }, capture.AddTo);
        var (sessionId, roleId) = await FirstRoleAsync(app);

        // The HTTP request, as the worker sees it: the host's trace context, then the worker's invocation span.
        var hostRequest = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        string jobId;
        using (Worker.StartActivity("StartPotentialRoleExport", ActivityKind.Server, hostRequest))
        {
            var response = await app.InvokeHttpAsync(app.Function<ApiFunctions>().StartPotentialRoleExportAsync, "POST",
                new Dictionary<string, string> { ["sessionId"] = sessionId, ["potentialRoleId"] = roleId }, "{}");
            Assert.Equal(202, response.StatusCode);
            using var body = await JsonDocument.ParseAsync(response.Body);
            jobId = body.RootElement.GetProperty("jobId").GetString()!;
        }

        // The first poll is answered 429 twice (with Retry-After: 1 s), so its delivery fails; the redelivery gets through.
        var pollDeliveries = 0;
        var job = await QueueDriver.RunUntilFinishedAsync(app.Azurite.Queues(), jobId, async (step, message) =>
        {
            var throttle = step == ExportStep.Poll && Interlocked.Increment(ref pollDeliveries) == 1;
            app.Emulator.Faults.Routes[StatusOperation] = new EmulatorRouteFaultOptions { TooManyRequestsShare = throttle ? 1 : 0 };
            await InvokeAsWorkerAsync(app, step, message);
        }, app.Services.GetRequiredService<ExportJobService>(), TimeSpan.FromMinutes(2));
        TelemetryCapture.Flush(app.Services);

        Assert.Equal(ExportJobState.Succeeded, job.State);
        var trace = capture.Spans.Where(span => span.TraceId == hostRequest.TraceId).ToList();

        // One trace: every span of the job is in the host request's trace, and it has a single root, the invocation.
        Assert.All(capture.Spans.Where(span => Equals(span.GetTagItem(ExportsTelemetry.JobIdAttribute), jobId)),
            span => Assert.Equal(hostRequest.TraceId, span.TraceId));
        var ids = trace.Select(span => span.SpanId).ToHashSet();
        var root = Assert.Single(trace, span => !ids.Contains(span.ParentSpanId));
        Assert.Equal("StartPotentialRoleExport", root.DisplayName);
        Assert.Equal(hostRequest.SpanId, root.ParentSpanId);
        Assert.Equal(job.TraceParent?.Split('-')[1], hostRequest.TraceId.ToHexString());

        // Every queue hop: the step's span is a child of the span that sent its message.
        var create = Single(trace, "export.create");
        var sendStart = Single(trace, "send export-start");
        var start = Single(trace, "process export-start");
        Assert.Equal(root.SpanId, create.ParentSpanId);
        Assert.Equal(create.SpanId, sendStart.ParentSpanId);
        Assert.Equal(sendStart.SpanId, start.ParentSpanId);

        var polls = trace.Where(span => span.DisplayName == "process export-poll").OrderBy(span => span.StartTimeUtc).ToList();
        Assert.True(polls.Count >= 2, $"expected the first poll and its redelivery, got {polls.Count} poll spans");
        var (failedPoll, redelivered) = (polls[0], polls[1]);
        Assert.Equal(failedPoll.ParentSpanId, redelivered.ParentSpanId);
        Assert.Equal(start.SpanId, Single(trace, span => span.SpanId == failedPoll.ParentSpanId).ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, failedPoll.Status);
        Assert.Equal(1L, failedPoll.GetTagItem("messaging.message.delivery_count"));
        Assert.Equal(2L, redelivered.GetTagItem("messaging.message.delivery_count"));
        Assert.All(polls.Skip(1), poll => Assert.NotEqual(ActivityStatusCode.Error, poll.Status));

        var download = Single(trace, "process export-download");
        var stageZip = Single(trace, "export.stage_zip");
        var publish = Single(trace, "export.publish");
        Assert.Equal(download.SpanId, stageZip.ParentSpanId);
        Assert.Equal(download.SpanId, publish.ParentSpanId);
        Assert.Equal(job.Artifacts.Sum(file => file.Size), publish.GetTagItem("rolemining.bytes"));

        // Each delivery's own span (the host's trace of that invocation) is linked from the step's span.
        Assert.All(trace.Where(span => span.DisplayName.StartsWith("process ", StringComparison.Ordinal)), step =>
        {
            var link = Assert.Single(step.Links);
            Assert.NotEqual(hostRequest.TraceId, link.Context.TraceId);
            Assert.Contains(capture.Spans, span => span.Context == link.Context && span.Source.Name == FunctionsTelemetry.WorkerActivitySource);
        });

        // The SailPoint calls are children of their steps, with operation id, status, retries and 429 waits.
        var startCall = Single(trace, "exportRoleMiningPotentialRoleAsync");
        Assert.Equal(start.SpanId, startCall.ParentSpanId);
        Assert.Equal("exportRoleMiningPotentialRoleAsync", startCall.GetTagItem(SailPointTelemetry.OperationIdAttribute));
        Assert.Equal(0, startCall.GetTagItem("sailpoint.retry.count"));

        var throttledCall = Single(trace, span => span.DisplayName == StatusOperation && span.ParentSpanId == failedPoll.SpanId);
        Assert.Equal(ActivityStatusCode.Error, throttledCall.Status);
        Assert.Equal(429, throttledCall.GetTagItem(SailPointTelemetry.StatusCodeAttribute));
        Assert.Equal(1, throttledCall.GetTagItem("sailpoint.retry.count"));
        Assert.Equal(2, throttledCall.GetTagItem("sailpoint.throttled.count"));
        Assert.True((double)throttledCall.GetTagItem("sailpoint.throttled.wait_ms")! >= 1000, "the retry waited for Retry-After: 1 s");
        Assert.Contains(throttledCall.Events, evt => evt.Name == "retry");

        var statusAfterRedelivery = Single(trace, span => span.DisplayName == StatusOperation && span.ParentSpanId == redelivered.SpanId);
        Assert.Equal(200, statusAfterRedelivery.GetTagItem(SailPointTelemetry.StatusCodeAttribute));
        var downloadCall = Single(trace, "downloadRoleMiningPotentialRoleZip");
        Assert.Equal(stageZip.SpanId, downloadCall.ParentSpanId);
        Assert.Equal(download.SpanId, stageZip.ParentSpanId);

        // Metrics of the same run, with their attributes.
        Assert.Equal(1, Sum(capture.Points(ExportsTelemetry.ExportsStartedInstrument)));
        Assert.Equal(1, Sum(capture.Points(ExportsTelemetry.ExportsSucceededInstrument)));
        Assert.Equal(job.Artifacts.Sum(file => file.Size), Sum(capture.Points(ExportsTelemetry.StoredBytesInstrument)));
        var steps = capture.Points(ExportsTelemetry.StepDurationInstrument);
        Assert.Contains(steps, point => point.Has((ExportsTelemetry.StepAttribute, "start"), (ExportsTelemetry.OutcomeAttribute, "advanced")));
        Assert.Contains(steps, point => point.Has((ExportsTelemetry.StepAttribute, "poll"), (ExportsTelemetry.OutcomeAttribute, "error"),
            (ExportsTelemetry.ErrorTypeAttribute, typeof(SailPointException).FullName!)) && point.GetHistogramCount() == 1);
        Assert.Contains(steps, point => point.Has((ExportsTelemetry.StepAttribute, "poll"), (ExportsTelemetry.OutcomeAttribute, "advanced")));
        Assert.Contains(steps, point => point.Has((ExportsTelemetry.StepAttribute, "download"), (ExportsTelemetry.OutcomeAttribute, "succeeded")));

        var requests = capture.Points(SailPointTelemetry.RequestsInstrument);
        Assert.Equal(2, Sum(requests.Where(point => point.Has((SailPointTelemetry.OperationIdAttribute, StatusOperation), (SailPointTelemetry.StatusCodeAttribute, 429)))));
        Assert.True(Sum(requests.Where(point => point.Has((SailPointTelemetry.OperationIdAttribute, StatusOperation), (SailPointTelemetry.StatusCodeAttribute, 200)))) >= 1);
        Assert.Equal(1, Sum(requests.Where(point => point.Has((SailPointTelemetry.OperationIdAttribute, "exportRoleMiningPotentialRoleAsync"), (SailPointTelemetry.MethodAttribute, "POST")))));
        var retries = Assert.Single(capture.Points(SailPointTelemetry.RetryDelayInstrument),
            point => point.Has((SailPointTelemetry.OperationIdAttribute, StatusOperation), (SailPointTelemetry.StatusCodeAttribute, 429)));
        Assert.Equal(1, retries.GetHistogramCount());
        Assert.True(retries.GetHistogramSum() >= 1, "the 429 wait is Retry-After, 1 s");
        var operations = capture.Points(SailPointTelemetry.OperationDurationInstrument);
        Assert.Contains(operations, point => point.Has((SailPointTelemetry.OperationIdAttribute, StatusOperation), (SailPointTelemetry.ErrorTypeAttribute, "429")));
        Assert.Contains(operations, point => point.Has((SailPointTelemetry.OperationIdAttribute, "downloadRoleMiningPotentialRoleZip"), (SailPointTelemetry.StatusCodeAttribute, 200)));
        var budget = capture.Points(SailPointTelemetry.RateLimitWaitInstrument);
        Assert.Contains(budget, point => point.Has((SailPointTelemetry.OperationIdAttribute, StatusOperation)));
        Assert.True(budget.Sum(point => point.GetHistogramSum()) > 0, "requests one second apart at most wait for the budget");

        // Quiet by default: the Azure SDK logged every storage request, and the expected 404 of the manifest (looked up
        // before it is written) as a warning; none of that passed the app's filters, while the workflow's own lines did.
        Assert.Contains(capture.AllLogs.GetSnapshot(), record => record.Category == "Azure.Core" && record.Level == LogLevel.Information
            && record.Message.Contains(ExportArtifactLayout.ManifestFileName, StringComparison.Ordinal));
        Assert.Contains(capture.AllLogs.GetSnapshot(), record => record.Category == "Azure.Core" && record.Level == LogLevel.Warning
            && record.Message.Contains(" 404 ", StringComparison.Ordinal));
        Assert.DoesNotContain(capture.Logs.GetSnapshot(), record => record.Category?.StartsWith("Azure.", StringComparison.Ordinal) == true && record.Level < LogLevel.Error);
        Assert.DoesNotContain(capture.Logs.GetSnapshot(), record => record.Category?.StartsWith("System.Net.Http", StringComparison.Ordinal) == true);
        Assert.Contains(capture.Logs.GetSnapshot(), record => record.Category?.StartsWith("RoleMining.Exports", StringComparison.Ordinal) == true && record.Level == LogLevel.Information);
    }

    [Fact]
    public async Task Failed_exports_are_counted_by_failure_kind_and_a_poison_message_fails_its_job_in_the_exports_trace()
    {
        var capture = new TelemetryCapture();
        await using var app = await FunctionsApp.StartAsync(azurite.Server, configureServices: capture.AddTo);
        var (sessionId, _) = await FirstRoleAsync(app);
        var jobs = app.Services.GetRequiredService<ExportJobService>();

        // SailPoint refuses to start an export of a potential role it does not know.
        var unknownRole = await jobs.CreateAsync(new ExportJobRequest { SessionId = sessionId, PotentialRoleId = Guid.NewGuid().ToString("N") });
        var rejected = await QueueDriver.RunUntilFinishedAsync(app.Azurite.Queues(), unknownRole.Job.JobId,
            (step, message) => InvokeAsWorkerAsync(app, step, message), jobs, TimeSpan.FromMinutes(1));

        // A start message the host gave up on: taken from the queue as sent, then handed to the poison function.
        var poisoned = await jobs.CreateAsync(new ExportJobRequest { SessionId = sessionId, PotentialRoleId = Guid.NewGuid().ToString("N") });
        var startQueue = app.Azurite.Queues().GetQueueClient(ExportQueueNames.Start);
        QueueMessage? sent = null;
        for (var tries = 0; sent is null && tries < 50; tries++)
        {
            sent = (await startQueue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value
                .FirstOrDefault(message => message.Body.ToString().Contains(poisoned.Job.JobId, StringComparison.Ordinal));
        }

        Assert.NotNull(sent);
        await app.Function<ExportPoisonFunctions>().StartPoisonAsync(sent, CancellationToken.None);
        await startQueue.DeleteMessageAsync(sent.MessageId, sent.PopReceipt);
        TelemetryCapture.Flush(app.Services);

        Assert.Equal(ExportFailureKind.StartRejected, rejected.Failure?.Kind);
        Assert.Equal(ExportFailureKind.RepeatedFailure, (await jobs.GetAsync(poisoned.Job.JobId))?.Failure?.Kind);
        var failed = capture.Points(ExportsTelemetry.ExportsFailedInstrument);
        Assert.Equal(1, Sum(failed.Where(point => point.Has((ExportsTelemetry.ErrorTypeAttribute, "StartRejected"), (ExportsTelemetry.StepAttribute, "start")))));
        Assert.Equal(1, Sum(failed.Where(point => point.Has((ExportsTelemetry.ErrorTypeAttribute, "RepeatedFailure"), (ExportsTelemetry.StepAttribute, "start")))));
        Assert.Equal(0, Sum(capture.Points(ExportsTelemetry.ExportsSucceededInstrument)));

        // The poison handling is a span of the export's own trace, marked as an error.
        var traceId = ActivityTraceId.CreateFromString(poisoned.Job.TraceParent!.Split('-')[1]);
        var poison = Assert.Single(capture.Spans, span => span.DisplayName == "poison export-start");
        Assert.Equal(traceId, poison.TraceId);
        Assert.Equal(ActivityStatusCode.Error, poison.Status);
        Assert.Contains(capture.Spans, span => span.DisplayName == "send export-start" && span.TraceId == traceId && span.SpanId == poison.ParentSpanId);
    }

    [Fact]
    public async Task A_sweep_counts_its_run_and_roles_and_gives_each_export_a_trace_of_its_own_and_a_failed_sweep_is_counted_as_failed()
    {
        var capture = new TelemetryCapture();
        await using var app = await FunctionsApp.StartAsync(azurite.Server, new Dictionary<string, string?>
        {
            // A tenant of its own, so that no other test's jobs cover its roles.
            [FunctionsApp.EmulatorSeedSetting] = Random.Shared.Next(1000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SailPoint:Retry:MaxRetryAttempts"] = "0",
        }, capture.AddTo);
        var (sessionId, _) = await FirstRoleAsync(app);
        app.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["RoleMining:Sweep:SessionIds"] = sessionId;
        var roles = await app.Services.GetRequiredService<IRoleMiningClient>().GetPotentialRoleSummariesAsync(sessionId).CountAsync();

        await app.Function<ExportSweepFunction>().RunAsync(new TimerInfo(), CancellationToken.None);
        app.Emulator.Faults.Routes["getRoleMiningSession"] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };
        app.Emulator.Faults.Routes["getRoleMiningSessions"] = new EmulatorRouteFaultOptions { ServerErrorShare = 1 };
        await Assert.ThrowsAsync<SailPointException>(() => app.Function<ExportSweepFunction>().RunAsync(new TimerInfo(), CancellationToken.None));
        TelemetryCapture.Flush(app.Services);

        var runs = capture.Points(ExportsTelemetry.SweepRunsInstrument);
        Assert.Equal(1, Sum(runs.Where(point => point.Has((ExportsTelemetry.OutcomeAttribute, "completed")))));
        Assert.Equal(1, Sum(runs.Where(point => point.Has((ExportsTelemetry.OutcomeAttribute, "failed"), (ExportsTelemetry.ErrorTypeAttribute, typeof(SailPointException).FullName!)))));
        var looked = capture.Points(ExportsTelemetry.SweepRolesInstrument);
        Assert.Equal(roles, Sum(looked.Where(point => point.Has((ExportsTelemetry.SweepRoleStateAttribute, "created")))));
        Assert.Equal(0, Sum(looked.Where(point => point.Has((ExportsTelemetry.SweepRoleStateAttribute, "covered")))));

        // One trace per export, each linked to the sweep's span: a sweep of many roles does not become one huge trace.
        var sweep = capture.Spans.First(span => span.DisplayName == "export.sweep" && span.Status != ActivityStatusCode.Error);
        var creations = capture.Spans.Where(span => span.DisplayName == "export.create" && span.Links.Any(link => link.Context == sweep.Context)).ToList();
        Assert.Equal(roles, creations.Count);
        Assert.Equal(roles, creations.Select(span => span.TraceId).Distinct().Count());
        Assert.DoesNotContain(creations, span => span.TraceId == sweep.TraceId);
        Assert.Contains(capture.Spans, span => span.DisplayName == "export.sweep" && span.Status == ActivityStatusCode.Error);
    }

    [Fact]
    public async Task Lines_a_step_writes_carry_the_job_id_of_the_workflows_scope_to_the_exporter()
    {
        var capture = new TelemetryCapture();
        await using var app = await FunctionsApp.StartAsync(azurite.Server, new Dictionary<string, string?>(), capture.AddTo);
        var (sessionId, roleId) = await FirstRoleAsync(app);
        var jobs = app.Services.GetRequiredService<ExportJobService>();
        var created = await jobs.CreateAsync(new ExportJobRequest { SessionId = sessionId, PotentialRoleId = roleId });

        await QueueDriver.RunUntilFinishedAsync(app.Azurite.Queues(), created.Job.JobId, (step, message) => InvokeAsWorkerAsync(app, step, message), jobs, TimeSpan.FromMinutes(2));

        // A line of the SailPoint client (which knows no job) written inside a step: found by the job id in Azure.
        var sailPointLines = capture.Records.Where(record => record.CategoryName?.StartsWith("RoleMining.SailPoint", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(sailPointLines);
        Assert.Contains(sailPointLines, record => ScopeValues(record).Any(pair => pair.Key == "JobId" && Equals(pair.Value, created.Job.JobId)));
    }

    [Fact]
    public async Task A_session_export_gives_each_export_a_trace_of_its_own_linked_to_the_request()
    {
        var capture = new TelemetryCapture();
        await using var app = await FunctionsApp.StartAsync(azurite.Server, new Dictionary<string, string?>
        {
            [FunctionsApp.EmulatorSeedSetting] = Random.Shared.Next(1000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, capture.AddTo);
        var (sessionId, _) = await FirstRoleAsync(app);
        var roles = await app.Services.GetRequiredService<IRoleMiningClient>().GetPotentialRoleSummariesAsync(sessionId).CountAsync();
        Assert.True(roles > 1, "the session needs several roles");

        var hostRequest = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        ActivityContext request;
        using (var invocation = Worker.StartActivity("StartSessionExport", ActivityKind.Server, hostRequest))
        {
            request = invocation!.Context;
            var response = await app.InvokeHttpAsync(app.Function<ApiFunctions>().StartSessionExportAsync, "POST",
                new Dictionary<string, string> { ["sessionId"] = sessionId }, "{}");
            Assert.Equal(202, response.StatusCode);
        }

        TelemetryCapture.Flush(app.Services);

        // A batch of a thousand roles must not become one trace of a thousand exports with all their polls and downloads.
        var creations = capture.Spans.Where(span => span.DisplayName == "export.create" && span.Links.Any(link => link.Context.SpanId == request.SpanId)).ToList();
        Assert.Equal(roles, creations.Count);
        Assert.Equal(roles, creations.Select(span => span.TraceId).Distinct().Count());
        Assert.DoesNotContain(creations, span => span.TraceId == hostRequest.TraceId);
    }

    private static List<KeyValuePair<string, object?>> ScopeValues(LogRecord record)
    {
        var values = new List<KeyValuePair<string, object?>>();
        record.ForEachScope((scope, found) =>
        {
            foreach (var pair in scope)
            {
                found.Add(pair);
            }
        }, values);
        return values;
    }

    /// <summary>Runs the queue function of <paramref name="step"/> under an invocation span, as the worker does.</summary>
    private static async Task InvokeAsWorkerAsync(FunctionsApp app, ExportStep step, QueueMessage message)
    {
        var functions = app.Function<ExportQueueFunctions>();
        using var invocation = Worker.StartActivity("Export" + step, ActivityKind.Server,
            new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true));
        await (step switch
        {
            ExportStep.Start => functions.StartAsync(message, CancellationToken.None),
            ExportStep.Poll => functions.PollAsync(message, CancellationToken.None),
            _ => functions.DownloadAsync(message, CancellationToken.None),
        });
    }

    private static async Task<(string SessionId, string PotentialRoleId)> FirstRoleAsync(FunctionsApp app)
    {
        var client = app.Services.GetRequiredService<IRoleMiningClient>();
        await foreach (var session in client.GetSessionsAsync())
        {
            if (session.Status?.State == RoleMiningSessionState.PotentialRolesCreated && session.Id is not null)
            {
                await foreach (var role in client.GetPotentialRoleSummariesAsync(session.Id))
                {
                    return (session.Id, role.Id!);
                }
            }
        }

        throw new InvalidOperationException("The emulator tenant has no complete session with potential roles.");
    }

    private static Activity Single(List<Activity> trace, string name) => Assert.Single(trace, span => span.DisplayName == name);

    private static Activity Single(List<Activity> trace, Func<Activity, bool> predicate) => Assert.Single(trace, span => predicate(span));

    private static long Sum(IEnumerable<MetricPoint> points) => points.Sum(point => point.GetSumLong());
}
