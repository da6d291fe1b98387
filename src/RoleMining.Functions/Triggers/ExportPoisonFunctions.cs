using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Functions.Storage;

namespace RoleMining.Functions.Triggers;

/// <summary>
/// One trigger per poison queue (<c>{queue}-poison</c>, where the host moves a message after maxDequeueCount failed
/// deliveries), each a shell over <see cref="ExportWorkflow.HandlePoisonMessageAsync"/>: the message's job fails with the
/// last recorded error (a download whose manifest its last run published succeeds), so a job never hangs in a running
/// state after its message was given up.
/// </summary>
public sealed partial class ExportPoisonFunctions
{
    private readonly ExportWorkflow _workflow;
    private readonly ILogger<ExportPoisonFunctions> _logger;

    /// <summary>Creates the functions.</summary>
    public ExportPoisonFunctions(ExportWorkflow workflow, ILogger<ExportPoisonFunctions> logger)
    {
        _workflow = workflow;
        _logger = logger;
    }

    /// <summary>Fails the job of a start message that kept failing.</summary>
    [Function("ExportStartPoison")]
    public Task StartPoisonAsync(
        [QueueTrigger(ExportQueueNames.Start + ExportQueueNames.PoisonSuffix, Connection = FunctionsSettings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) => FailAsync(ExportStep.Start, message, cancellationToken);

    /// <summary>Fails the job of a poll message that kept failing.</summary>
    [Function("ExportPollPoison")]
    public Task PollPoisonAsync(
        [QueueTrigger(ExportQueueNames.Poll + ExportQueueNames.PoisonSuffix, Connection = FunctionsSettings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) => FailAsync(ExportStep.Poll, message, cancellationToken);

    /// <summary>
    /// Fails the job of a download message that kept failing (its partial files are removed), unless its last run had
    /// published the files and their manifest: then the job succeeds.
    /// </summary>
    [Function("ExportDownloadPoison")]
    public Task DownloadPoisonAsync(
        [QueueTrigger(ExportQueueNames.Download + ExportQueueNames.PoisonSuffix, Connection = FunctionsSettings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) => FailAsync(ExportStep.Download, message, cancellationToken);

    /// <summary>Gives up the completion callback of a callback message that kept failing (the job shows it as failed).</summary>
    [Function("ExportCallbackPoison")]
    public Task CallbackPoisonAsync(
        [QueueTrigger(ExportQueueNames.Callback + ExportQueueNames.PoisonSuffix, Connection = FunctionsSettings.StorageConnection)] QueueMessage message,
        CancellationToken cancellationToken) => FailAsync(ExportStep.Callback, message, cancellationToken);

    private async Task FailAsync(ExportStep queueStep, QueueMessage queueMessage, CancellationToken cancellationToken)
    {
        var queue = ExportQueueNames.PoisonFor(queueStep);
        if (!QueueMessages.TryRead(queueMessage.Body.ToString(), out var message, out var error))
        {
            LogUnreadable(_logger, queue, queueMessage.MessageId, error!);
            return;
        }

        var job = await _workflow.HandlePoisonMessageAsync(message!, lastError: null, cancellationToken);
        LogPoisonHandled(_logger, queue, message!.JobId, message.Step, job?.State);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped poison message {QueueMessageId} from {Queue}: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string queue, string queueMessageId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poison message from {Queue} for job {JobId} ({Step}) handled; the job is {JobState}")]
    private static partial void LogPoisonHandled(ILogger logger, string queue, string jobId, ExportStep step, ExportJobState? jobState);
}
