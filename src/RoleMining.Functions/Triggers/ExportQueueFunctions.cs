using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.Storage;

namespace RoleMining.Functions.Triggers;

/// <summary>
/// One queue trigger per export step, each a shell over <see cref="ExportWorkflow.HandleAsync"/>: the workflow runs the
/// step and sends the follow-up messages (with their delays) through <see cref="Messaging.AzureQueueExportSender"/>.
/// A failure is rethrown, so the host retries the delivery after host.json's visibilityTimeout; after
/// maxDequeueCount deliveries the host moves the message to the step's poison queue (<see cref="ExportPoisonFunctions"/>).
/// </summary>
public sealed partial class ExportQueueFunctions
{
    private readonly ExportWorkflow _workflow;
    private readonly ILogger<ExportQueueFunctions> _logger;

    /// <summary>Creates the functions.</summary>
    public ExportQueueFunctions(ExportWorkflow workflow, ILogger<ExportQueueFunctions> logger)
    {
        _workflow = workflow;
        _logger = logger;
    }

    /// <summary>Claims the job and asks SailPoint to start the export.</summary>
    [Function("ExportStart")]
    public Task StartAsync(
        [QueueTrigger(ExportQueueNames.Start, Connection = FunctionsSettings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) => RunAsync(ExportStep.Start, message, cancellationToken);

    /// <summary>Reads the export's status and schedules the next poll or the download.</summary>
    [Function("ExportPoll")]
    public Task PollAsync(
        [QueueTrigger(ExportQueueNames.Poll, Connection = FunctionsSettings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) => RunAsync(ExportStep.Poll, message, cancellationToken);

    /// <summary>Streams the zip into blob storage, verifies and unpacks it, and writes the manifest.</summary>
    [Function("ExportDownload")]
    public Task DownloadAsync(
        [QueueTrigger(ExportQueueNames.Download, Connection = FunctionsSettings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) => RunAsync(ExportStep.Download, message, cancellationToken);

    /// <summary>Calls the completion callback of an ended job (the step reschedules failed attempts with backoff).</summary>
    [Function("ExportCallback")]
    public Task CallbackAsync(
        [QueueTrigger(ExportQueueNames.Callback, Connection = FunctionsSettings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) => RunAsync(ExportStep.Callback, message, cancellationToken);

    private async Task RunAsync(ExportStep queueStep, QueueMessage queueMessage, CancellationToken cancellationToken)
    {
        if (!QueueMessages.TryRead(queueMessage.Body.ToString(), out var message, out var error))
        {
            // Retrying cannot fix a message that is not ours; completing drops it (logged, never its body).
            LogUnreadable(_logger, ExportQueueNames.For(queueStep), queueMessage.MessageId, error!);
            return;
        }

        var result = await _workflow.HandleAsync(message!, new ExportDelivery(queueMessage.DequeueCount), cancellationToken);
        LogHandled(_logger, ExportQueueNames.For(queueStep), queueMessage.MessageId, queueMessage.DequeueCount, result.Outcome);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped queue message {QueueMessageId} from {Queue}: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string queue, string queueMessageId, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue message {QueueMessageId} from {Queue} (delivery {DequeueCount}) handled: {Outcome}")]
    private static partial void LogHandled(ILogger logger, string queue, string queueMessageId, long dequeueCount, ExportStepOutcome outcome);
}
