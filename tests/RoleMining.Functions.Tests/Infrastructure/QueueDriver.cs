using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using RoleMining.Exports;

namespace RoleMining.Functions.Tests.Infrastructure;

/// <summary>
/// Plays the Functions host for one job: receives that job's messages from the step queues in Azurite, hands each to
/// the function of its queue, deletes it when the function returns, and leaves it for redelivery when it throws.
/// </summary>
public static class QueueDriver
{
    public static async Task<ExportJob> RunUntilFinishedAsync(
        QueueServiceClient queues,
        string jobId,
        Func<ExportStep, QueueMessage, Task> function,
        ExportJobService jobs,
        TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < deadline)
        {
            foreach (var step in Enum.GetValues<ExportStep>())
            {
                var queue = queues.GetQueueClient(ExportQueueNames.For(step));
                // Received messages stay invisible for a few seconds: long enough for one step here, short enough that a
                // failed delivery comes back soon. Other tests' messages are left to reappear by themselves.
                foreach (var message in (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(5))).Value)
                {
                    if (!message.Body.ToString().Contains(jobId, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    try
                    {
                        await function(step, message);
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    }
                    catch (Exception) when (message.DequeueCount < 5)
                    {
                        // As the host does: the delivery failed and the message comes back after its visibility timeout.
                    }
                }
            }

            if (await jobs.GetAsync(jobId) is { IsTerminal: true } finished)
            {
                return finished;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Job {jobId} did not finish within {within}; it is {(await jobs.GetAsync(jobId))?.State}.");
    }
}
