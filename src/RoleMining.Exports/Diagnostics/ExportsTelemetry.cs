using System.Diagnostics;

namespace RoleMining.Exports;

/// <summary>Tracing for the export workflow: one <see cref="Activity"/> per step execution.</summary>
public static class ExportsTelemetry
{
    /// <summary>The name to subscribe to (<c>AddSource("RoleMining.Exports")</c>).</summary>
    public const string ActivitySourceName = "RoleMining.Exports";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    internal static Activity? StartStep(ExportMessage message, ExportDelivery delivery)
    {
        var activity = Source.StartActivity("export." + message.Step.ToString().ToLowerInvariant(), ActivityKind.Consumer);
        if (activity is not null)
        {
            activity.SetTag("rolemining.job_id", message.JobId);
            activity.SetTag("rolemining.step", message.Step.ToString());
            activity.SetTag("rolemining.sequence", message.Sequence);
            activity.SetTag("messaging.message.id", message.MessageId);
            activity.SetTag("messaging.message.delivery_count", delivery.DequeueCount);
        }

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
}
