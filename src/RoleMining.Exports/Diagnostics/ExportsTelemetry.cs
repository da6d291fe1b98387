using System.Diagnostics;

namespace RoleMining.Exports;

/// <summary>
/// Tracing of the export workflow, and the names of its spans, metrics and attributes. One export is one trace, whatever
/// hosts its steps: every message carries the W3C trace context of the span that sent it
/// (<see cref="ExportMessage.TraceParent"/>), and the step that receives it continues that trace (a redelivery becomes a
/// second child of the same send span), linked to the host's own span of the delivery. The job document keeps the trace
/// context of its creation (<see cref="ExportJob.TraceParent"/>), so that a message re-sent for a stalled job continues
/// the export's trace too.
/// </summary>
public static class ExportsTelemetry
{
    /// <summary>The name to subscribe to (<c>AddSource("RoleMining.Exports")</c>).</summary>
    public const string ActivitySourceName = "RoleMining.Exports";

    /// <summary>The meter to subscribe to (<c>AddMeter("RoleMining.Exports")</c>); its instruments are <see cref="ExportsMetrics"/>.</summary>
    public const string MeterName = "RoleMining.Exports";

    /// <summary>Exports SailPoint accepted (the start step succeeded). Unit <c>{export}</c>.</summary>
    public const string ExportsStartedInstrument = "rolemining.exports.started";

    /// <summary>Exports whose files were stored completely (manifest written). Unit <c>{export}</c>.</summary>
    public const string ExportsSucceededInstrument = "rolemining.exports.succeeded";

    /// <summary>
    /// Export jobs that failed, by <see cref="ErrorTypeAttribute"/> (an <see cref="ExportFailureKind"/>; a poison message is
    /// <see cref="ExportFailureKind.RepeatedFailure"/>) and <see cref="StepAttribute"/>. Unit <c>{export}</c>.
    /// </summary>
    public const string ExportsFailedInstrument = "rolemining.exports.failed";

    /// <summary>Duration of one step execution, by <see cref="StepAttribute"/> and <see cref="OutcomeAttribute"/>. Unit <c>s</c>.</summary>
    public const string StepDurationInstrument = "rolemining.export.step.duration";

    /// <summary>Bytes of export files stored (the zip and the CSV files of each succeeded export). Unit <c>By</c>.</summary>
    public const string StoredBytesInstrument = "rolemining.export.stored.size";

    /// <summary>Runs of the export sweep, by <see cref="OutcomeAttribute"/> (<c>completed</c> or <c>failed</c>). Unit <c>{run}</c>.</summary>
    public const string SweepRunsInstrument = "rolemining.sweep.runs";

    /// <summary>Potential roles a sweep looked at, by <see cref="SweepRoleStateAttribute"/>. Unit <c>{role}</c>.</summary>
    public const string SweepRolesInstrument = "rolemining.sweep.roles";

    /// <summary>
    /// Completion callbacks that ended, by <see cref="OutcomeAttribute"/> (<c>delivered</c>, or <c>failed</c>: given up, so
    /// whoever waits for it is never told) and <see cref="CallbackAttribute"/>. Unit <c>{callback}</c>.
    /// </summary>
    public const string CallbacksInstrument = "rolemining.export.callbacks";

    /// <summary>The configured name of a completion callback (<c>RoleMining:Api:Callbacks</c>), as the start request named it.</summary>
    public const string CallbackAttribute = "rolemining.callback";

    /// <summary>The step: <c>start</c>, <c>poll</c> or <c>download</c>.</summary>
    public const string StepAttribute = "rolemining.export.step";

    /// <summary>How a step execution or a sweep ended (<see cref="ExportStepOutcome"/> in snake case, <c>error</c> when it threw).</summary>
    public const string OutcomeAttribute = "rolemining.outcome";

    /// <summary>Why it failed: the <see cref="ExportFailureKind"/>, or the exception type of a step that threw (semantic convention).</summary>
    public const string ErrorTypeAttribute = "error.type";

    /// <summary>Whether a role the sweep looked at got a new job (<c>created</c>) or already had one running or done (<c>covered</c>).</summary>
    public const string SweepRoleStateAttribute = "rolemining.sweep.role_state";

    /// <summary>The job id, on every span of an export: the way from a job to its trace.</summary>
    public const string JobIdAttribute = "rolemining.job_id";

    internal const string SweepCompleted = "completed";
    internal const string SweepFailed = "failed";
    internal const string CallbackDelivered = "delivered";
    internal const string CallbackFailed = "failed";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>The span of one step execution: a child of the span that sent the message, linked to the host's span.</summary>
    internal static Activity? StartStep(ExportMessage message, ExportDelivery delivery)
    {
        var queue = ExportQueueNames.For(message.Step);
        var activity = StartContinuing(ActivityKind.Consumer, "process " + queue, message.TraceParent, message.TraceState);
        if (activity is not null)
        {
            activity.SetTag(JobIdAttribute, message.JobId);
            activity.SetTag(StepAttribute, StepName(message.Step));
            activity.SetTag("rolemining.sequence", message.Sequence);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", queue);
            activity.SetTag("messaging.message.id", message.MessageId);
            activity.SetTag("messaging.message.delivery_count", delivery.DequeueCount);
        }

        return activity;
    }

    /// <summary>The span of a poison message being turned into a failed job, in the export's trace.</summary>
    internal static Activity? StartPoison(ExportMessage message)
    {
        var activity = StartContinuing(ActivityKind.Consumer, "poison " + ExportQueueNames.For(message.Step), message.TraceParent, message.TraceState);
        activity?.SetTag(JobIdAttribute, message.JobId);
        activity?.SetTag(StepAttribute, StepName(message.Step));
        activity?.SetTag("messaging.message.id", message.MessageId);
        return activity;
    }

    /// <summary>
    /// The span that creates a job. <paramref name="newTrace"/>: the export gets a trace of its own, linked to the current
    /// span (a sweep or a batch starts many exports, and one trace per export stays readable); otherwise it continues the
    /// current trace (one export started by one HTTP request).
    /// </summary>
    internal static Activity? StartCreate(bool newTrace)
    {
        if (!newTrace)
        {
            return Source.StartActivity("export.create");
        }

        var caller = Activity.Current;
        Activity.Current = null;
        try
        {
            return Source.StartActivity("export.create", ActivityKind.Internal, parentContext: default, links: LinkTo(caller));
        }
        finally
        {
            if (Activity.Current is null)
            {
                Activity.Current = caller;
            }
        }
    }

    /// <summary>
    /// Continues the trace of <paramref name="job"/> (re-sending its message after a crash or a stall), linked to the
    /// current span; null when nothing listens or the job has no trace context.
    /// </summary>
    internal static Activity? StartResume(ExportJob job) =>
        job.TraceParent is null ? null : StartContinuing(ActivityKind.Internal, "export.resume", job.TraceParent, null)?.SetTag(JobIdAttribute, job.JobId);

    /// <summary>Sends <paramref name="message"/> under a producer span whose context the message carries to the next step.</summary>
    internal static async Task SendAsync(IExportQueue queue, ExportMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        var destination = ExportQueueNames.For(message.Step);
        using var activity = Source.StartActivity("send " + destination, ActivityKind.Producer);
        activity?.SetTag(JobIdAttribute, message.JobId);
        activity?.SetTag(StepAttribute, StepName(message.Step));
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.destination.name", destination);
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("rolemining.delay_ms", delay.TotalMilliseconds);
        await queue.SendAsync(WithTraceContext(message, activity ?? Activity.Current), delay, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The current span's trace context in W3C <c>traceparent</c> form, for a job document; null when there is none.</summary>
    internal static string? CurrentTraceParent() => TraceParentOf(Activity.Current);

    /// <summary>A storage write of the download step (staging the zip, publishing the files), for the trace.</summary>
    internal static Activity? StartStorageWrite(string name, ExportJob job)
    {
        var activity = Source.StartActivity(name);
        activity?.SetTag(JobIdAttribute, job.JobId);
        return activity;
    }

    internal static void TagJob(this Activity? activity, ExportJob job)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("rolemining.session_id", job.SessionId);
        activity.SetTag("rolemining.potential_role_id", job.PotentialRoleId);
        if (job.ExportId is not null)
        {
            activity.SetTag("rolemining.export_id", job.ExportId);
        }
    }

    /// <summary>Marks a span as failed with the exception's type (semantic convention <c>error.type</c>) and an event.</summary>
    internal static void Fail(this Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity.SetTag(ErrorTypeAttribute, exception.GetType().FullName);
        activity.AddException(exception);
    }

    internal static string StepName(ExportStep step) => step switch
    {
        ExportStep.Start => "start",
        ExportStep.Poll => "poll",
        ExportStep.Download => "download",
        _ => step.ToString().ToLowerInvariant(),
    };

    private static ExportMessage WithTraceContext(ExportMessage message, Activity? context) =>
        TraceParentOf(context) is { } traceParent
            ? message with { TraceParent = traceParent, TraceState = context!.TraceStateString }
            : message;

    private static string? TraceParentOf(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;

    private static Activity? StartContinuing(ActivityKind kind, string name, string? traceParent, string? traceState)
    {
        var host = Activity.Current;
        if (traceParent is null || !ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent))
        {
            // No context (a message from before tracing, or sent where nothing listened): the host's span is the parent.
            return Source.StartActivity(name, kind);
        }

        return Source.StartActivity(name, kind, parent, links: host is null || host.TraceId == parent.TraceId ? null : LinkTo(host));
    }

    private static ActivityLink[]? LinkTo(Activity? activity) =>
        activity is null ? null : [new ActivityLink(activity.Context)];
}
