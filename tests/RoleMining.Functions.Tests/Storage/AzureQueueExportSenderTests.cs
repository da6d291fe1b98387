using System.Text;
using RoleMining.Exports;
using RoleMining.Functions.Messaging;
using RoleMining.Functions.Storage;
using RoleMining.Functions.Tests.Infrastructure;

namespace RoleMining.Functions.Tests.Storage;

[Collection(AzuriteTestGroup.Name)]
public sealed class AzureQueueExportSenderTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly AzureQueueExportSender _queue = new(azurite.Server.Queues());

    public async Task InitializeAsync()
    {
        foreach (var name in ExportQueueNames.All)
        {
            await azurite.Server.Queues().GetQueueClient(name).CreateIfNotExistsAsync();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_message_goes_to_its_steps_queue_base64_encoded_as_the_functions_host_reads_it()
    {
        var message = ExportMessage.Create(ExportStep.Poll, ExportJobIds.NewJobId(), 2, DateTimeOffset.UtcNow);

        await _queue.SendAsync(message, TimeSpan.Zero);

        var raw = await FindRawAsync(ExportQueueNames.Poll, message.JobId, TimeSpan.FromSeconds(10));
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(raw));
        Assert.True(QueueMessages.TryRead(json, out var read, out var error), error);
        Assert.Equal(message, read);
    }

    [Fact]
    public async Task A_delayed_message_stays_invisible_until_its_delay_has_passed()
    {
        var message = ExportMessage.Create(ExportStep.Start, ExportJobIds.NewJobId(), 1, DateTimeOffset.UtcNow);
        var delay = TimeSpan.FromSeconds(3);

        await _queue.SendAsync(message, delay);

        // The delay is the behaviour under test: invisible at once, visible some time after it (generous bound).
        Assert.Null(await TryFindRawAsync(ExportQueueNames.Start, message.JobId));
        var raw = await FindRawAsync(ExportQueueNames.Start, message.JobId, delay + TimeSpan.FromSeconds(20));
        Assert.NotEmpty(raw);
    }

    [Fact]
    public async Task Messages_are_sent_without_expiry()
    {
        var message = ExportMessage.Create(ExportStep.Download, ExportJobIds.NewJobId(), 4, DateTimeOffset.UtcNow);

        await _queue.SendAsync(message, TimeSpan.Zero);

        var queue = azurite.Server.RawQueues().GetQueueClient(ExportQueueNames.Download);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (DateTimeOffset.UtcNow < deadline)
        {
            foreach (var peeked in (await queue.PeekMessagesAsync(32)).Value)
            {
                if (Encoding.UTF8.GetString(Convert.FromBase64String(peeked.Body.ToString())).Contains(message.JobId, StringComparison.Ordinal))
                {
                    Assert.True(peeked.ExpiresOn is null || peeked.ExpiresOn > DateTimeOffset.UtcNow.AddYears(1));
                    return;
                }
            }

            await Task.Delay(200);
        }

        Assert.Fail("The message did not arrive.");
    }

    private async Task<string> FindRawAsync(string queueName, string jobId, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await TryFindRawAsync(queueName, jobId) is { } found)
            {
                return found;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"No message for job {jobId} in {queueName} within {within}.");
    }

    // Receives (and deletes) the message of jobId, returning its text as stored; other messages are left alone.
    private async Task<string?> TryFindRawAsync(string queueName, string jobId)
    {
        var queue = azurite.Server.RawQueues().GetQueueClient(queueName);
        var received = await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(1));
        string? found = null;
        foreach (var item in received.Value)
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(item.Body.ToString()));
            if (text.Contains(jobId, StringComparison.Ordinal))
            {
                found = item.Body.ToString();
                await queue.DeleteMessageAsync(item.MessageId, item.PopReceipt);
            }
        }

        return found;
    }
}
