using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RoleMining.Exports;

/// <summary>
/// The workflow's instruments (names in <see cref="ExportsTelemetry"/>): exports started, succeeded and failed by failure
/// kind, step durations, bytes stored, and sweep runs. Created from the host's <see cref="IMeterFactory"/>; without one
/// (a test building the workflow by hand) it owns a meter.
/// </summary>
public sealed class ExportsMetrics : IDisposable
{
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _stepDuration;
    private readonly Counter<long> _storedBytes;
    private readonly Counter<long> _sweepRuns;
    private readonly Counter<long> _sweepRoles;
    private readonly Counter<long> _callbacks;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>, or on an own meter when it is null.</summary>
    public ExportsMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(ExportsTelemetry.MeterName) ?? (_ownedMeter = new Meter(ExportsTelemetry.MeterName));
        _started = meter.CreateCounter<long>(ExportsTelemetry.ExportsStartedInstrument, "{export}", "Exports SailPoint accepted.");
        _succeeded = meter.CreateCounter<long>(ExportsTelemetry.ExportsSucceededInstrument, "{export}", "Exports whose files were stored completely.");
        _failed = meter.CreateCounter<long>(ExportsTelemetry.ExportsFailedInstrument, "{export}", "Export jobs that failed, by failure kind and step.");
        _stepDuration = meter.CreateHistogram(ExportsTelemetry.StepDurationInstrument, "s", "Duration of one export step execution.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] });
        _storedBytes = meter.CreateCounter<long>(ExportsTelemetry.StoredBytesInstrument, "By", "Bytes of export files stored (zip and CSV files).");
        _sweepRuns = meter.CreateCounter<long>(ExportsTelemetry.SweepRunsInstrument, "{run}", "Runs of the export sweep, by outcome.");
        _sweepRoles = meter.CreateCounter<long>(ExportsTelemetry.SweepRolesInstrument, "{role}", "Potential roles a sweep looked at: given a job, or already covered.");
        _callbacks = meter.CreateCounter<long>(ExportsTelemetry.CallbacksInstrument, "{callback}", "Completion callbacks that ended: delivered, or given up.");
    }

    /// <summary>A sweep ran to its end: <paramref name="created"/> roles got a job, <paramref name="covered"/> already had one.</summary>
    public void SweepCompleted(int created, int covered)
    {
        _sweepRuns.Add(1, new KeyValuePair<string, object?>(ExportsTelemetry.OutcomeAttribute, ExportsTelemetry.SweepCompleted));
        _sweepRoles.Add(created, new KeyValuePair<string, object?>(ExportsTelemetry.SweepRoleStateAttribute, "created"));
        _sweepRoles.Add(covered, new KeyValuePair<string, object?>(ExportsTelemetry.SweepRoleStateAttribute, "covered"));
    }

    /// <summary>A sweep failed before it had started every planned job (<paramref name="exception"/> says why).</summary>
    public void SweepFailed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _sweepRuns.Add(1, new TagList
        {
            { ExportsTelemetry.OutcomeAttribute, ExportsTelemetry.SweepFailed },
            { ExportsTelemetry.ErrorTypeAttribute, exception.GetType().FullName },
        });
    }

    /// <inheritdoc />
    public void Dispose() => _ownedMeter?.Dispose();

    internal void StepEnded(ExportStep step, double seconds, ExportStepOutcome outcome) =>
        _stepDuration.Record(seconds, new TagList
        {
            { ExportsTelemetry.StepAttribute, ExportsTelemetry.StepName(step) },
            { ExportsTelemetry.OutcomeAttribute, OutcomeName(outcome) },
        });

    internal void StepThrew(ExportStep step, double seconds, Exception exception) =>
        _stepDuration.Record(seconds, new TagList
        {
            { ExportsTelemetry.StepAttribute, ExportsTelemetry.StepName(step) },
            { ExportsTelemetry.OutcomeAttribute, "error" },
            { ExportsTelemetry.ErrorTypeAttribute, exception.GetType().FullName },
        });

    internal void ExportStarted() => _started.Add(1);

    internal void ExportSucceeded(ExportJob job)
    {
        _succeeded.Add(1);
        _storedBytes.Add(job.Artifacts.Sum(artifact => artifact.Size));
    }

    internal void ExportFailed(ExportFailure failure) =>
        _failed.Add(1, new TagList
        {
            { ExportsTelemetry.ErrorTypeAttribute, failure.Kind.ToString() },
            { ExportsTelemetry.StepAttribute, ExportsTelemetry.StepName(failure.Step) },
        });

    /// <summary>A completion callback was delivered or given up (<paramref name="callback"/> as stored); nothing for one still pending.</summary>
    internal void CallbackEnded(ExportCallback callback)
    {
        var outcome = callback.State switch
        {
            ExportCallbackState.Delivered => ExportsTelemetry.CallbackDelivered,
            ExportCallbackState.Failed => ExportsTelemetry.CallbackFailed,
            _ => null,
        };
        if (outcome is not null)
        {
            _callbacks.Add(1, new TagList
            {
                { ExportsTelemetry.OutcomeAttribute, outcome },
                { ExportsTelemetry.CallbackAttribute, callback.Name },
            });
        }
    }

    internal static string OutcomeName(ExportStepOutcome outcome) => outcome switch
    {
        ExportStepOutcome.Advanced => "advanced",
        ExportStepOutcome.Deferred => "deferred",
        ExportStepOutcome.Duplicate => "duplicate",
        ExportStepOutcome.FollowUpResent => "follow_up_resent",
        ExportStepOutcome.Succeeded => "succeeded",
        ExportStepOutcome.Failed => "failed",
        ExportStepOutcome.JobNotFound => "job_not_found",
        ExportStepOutcome.LeaseLost => "lease_lost",
        ExportStepOutcome.Rescheduled => "rescheduled",
        ExportStepOutcome.CallbackDelivered => "callback_delivered",
        ExportStepOutcome.CallbackRetryScheduled => "callback_retry_scheduled",
        ExportStepOutcome.CallbackFailed => "callback_failed",
        _ => outcome.ToString(), // never: a test holds every outcome named above
    };
}
