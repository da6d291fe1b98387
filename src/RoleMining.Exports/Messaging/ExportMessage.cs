namespace RoleMining.Exports;

/// <summary>
/// A message of the export chain. <see cref="Sequence"/> makes duplicates detectable: a job accepts only the message whose
/// sequence equals its own <see cref="ExportJob.Sequence"/>, and each step that moves the job on raises it by one.
/// <see cref="MessageId"/> is given once when the message is created and kept by redeliveries and deferrals.
/// </summary>
public sealed record ExportMessage
{
    /// <summary>The step to run.</summary>
    public required ExportStep Step { get; init; }

    /// <summary>The job.</summary>
    public required string JobId { get; init; }

    /// <summary>The job sequence this message was issued for.</summary>
    public required int Sequence { get; init; }

    /// <summary>Identity of this message (not of its queue copy): a redelivery carries the same id.</summary>
    public required string MessageId { get; init; }

    /// <summary>When the workflow created the message.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// W3C <c>traceparent</c> of the span that sent the message (null where nothing traces): the step that handles it
    /// continues that trace, so that one export is one trace across every queue hop (<see cref="ExportsTelemetry"/>).
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>W3C <c>tracestate</c> that goes with <see cref="TraceParent"/>, when there is one.</summary>
    public string? TraceState { get; init; }

    /// <summary>A new message for <paramref name="step"/> of <paramref name="jobId"/> at <paramref name="sequence"/>.</summary>
    public static ExportMessage Create(ExportStep step, string jobId, int sequence, DateTimeOffset now) => new()
    {
        Step = step,
        JobId = jobId,
        Sequence = sequence,
        MessageId = Guid.NewGuid().ToString("N"),
        CreatedAt = now,
    };
}

/// <summary>A message to send and how long the queue keeps it invisible first.</summary>
/// <param name="Message">The message.</param>
/// <param name="Delay">The visibility delay (zero: at once).</param>
public sealed record ScheduledExportMessage(ExportMessage Message, TimeSpan Delay);

/// <summary>
/// What the host knows about this delivery of a message: Azure Queue Storage's dequeue count (1 on first delivery), or
/// the in-process driver's attempt number.
/// </summary>
/// <param name="DequeueCount">How many times the message has been delivered, this time included.</param>
public sealed record ExportDelivery(long DequeueCount)
{
    /// <summary>A first delivery.</summary>
    public static ExportDelivery First { get; } = new(1);
}
