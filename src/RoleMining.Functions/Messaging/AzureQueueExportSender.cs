using Azure.Storage.Queues;
using RoleMining.Exports;
using RoleMining.Functions.Storage;

namespace RoleMining.Functions.Messaging;

/// <summary>
/// The <see cref="IExportQueue"/> port over Azure Queue Storage: sends export messages to the queue of their step (<see cref="ExportQueueNames"/>), invisible for the delay. The
/// <see cref="QueueServiceClient"/> is configured with <c>QueueMessageEncoding.Base64</c>, which is what the queue
/// trigger expects (host.json <c>messageEncoding: base64</c>).
/// </summary>
public sealed class AzureQueueExportSender : IExportQueue
{
    private readonly QueueServiceClient _service;

    /// <summary>Creates the queue over <paramref name="service"/>.</summary>
    public AzureQueueExportSender(QueueServiceClient service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <inheritdoc />
    public async Task SendAsync(ExportMessage message, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var queue = _service.GetQueueClient(ExportQueueNames.For(message.Step));
        await queue.SendMessageAsync(
            QueueMessages.Body(message),
            visibilityTimeout: QueueMessages.VisibilityDelay(delay),
            timeToLive: QueueMessages.NeverExpires,
            cancellationToken);
    }
}
