using System.Text.Json;
using RoleMining.Exports;

namespace RoleMining.Functions.Storage;

/// <summary>
/// Reading export messages from queue message bodies. The body is the message's JSON (ExportsJson); Base64 is only the
/// transport encoding, applied by the QueueClient when sending and removed by the Functions host before the trigger
/// runs (host.json <c>messageEncoding: base64</c>). Messages never expire: a job must not lose its next step.
/// </summary>
public static class QueueMessages
{
    /// <summary>The time-to-live that means "never expires" to Azure Queue Storage.</summary>
    public static TimeSpan NeverExpires { get; } = TimeSpan.FromSeconds(-1);

    /// <summary>The longest visibility delay Azure Queue Storage accepts.</summary>
    public static TimeSpan MaxDelay { get; } = TimeSpan.FromDays(7);

    /// <summary>The body to send for <paramref name="message"/>.</summary>
    public static string Body(ExportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ExportsJson.SerializeMessage(message);
    }

    /// <summary>The visibility delay to send with, within what the service accepts (a negative delay means at once).</summary>
    public static TimeSpan VisibilityDelay(TimeSpan delay) =>
        delay <= TimeSpan.Zero ? TimeSpan.Zero : delay > MaxDelay ? MaxDelay : delay;

    /// <summary>
    /// Reads a message body. False when it is not an export message: retrying cannot fix that, so the trigger logs it
    /// (by queue message id, never the body) and completes instead of failing it into the poison queue.
    /// </summary>
    public static bool TryRead(string? body, out ExportMessage? message, out string? error)
    {
        message = null;
        error = null;
        if (string.IsNullOrWhiteSpace(body))
        {
            error = "the message is empty";
            return false;
        }

        try
        {
            message = ExportsJson.DeserializeMessage(body);
        }
        catch (JsonException exception)
        {
            error = $"the message is not an export message ({exception.Message})";
            return false;
        }

        if (!ExportJobIds.IsSafeSegment(message.JobId) || !Enum.IsDefined(message.Step))
        {
            error = "the message names no valid job or step";
            message = null;
            return false;
        }

        return true;
    }
}
