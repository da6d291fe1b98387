using System.Diagnostics.CodeAnalysis;

namespace RoleMining.Exports;

/// <summary>
/// Sends export messages, each to the queue of its step (<see cref="ExportQueueNames.For"/>), invisible for a delay.
/// Delivery is at least once: every step tolerates duplicates. An Azure Queue Storage adapter maps this to
/// <c>SendMessageAsync(json, visibilityTimeout: delay)</c> on the step's queue and nothing more; the delay must not
/// exceed 7 days (Azure's limit), and the workflow's delays stay far below it.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a message queue; the name is the contract the Functions app and CLI build on.")]
public interface IExportQueue
{
    /// <summary>Sends <paramref name="message"/> to its step's queue, to be delivered after <paramref name="delay"/>.</summary>
    Task SendAsync(ExportMessage message, TimeSpan delay, CancellationToken cancellationToken = default);
}
