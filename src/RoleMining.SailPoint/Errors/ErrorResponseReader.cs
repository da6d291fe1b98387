using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using RoleMining.SailPoint.Http;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.SailPoint.Errors;

/// <summary>Turns an unsuccessful response into a <see cref="SailPointException"/>.</summary>
internal static class ErrorResponseReader
{
    // Error bodies are small; a cap keeps a misbehaving proxy from making us read a page of HTML into memory.
    private const int MaxErrorBodyBytes = 64 * 1024;

    public static async Task<SailPointException> CreateExceptionAsync(
        RoleMiningOperation operation, HttpResponseMessage response, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var body = await TryReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        return new SailPointException(ToDetails(operation.OperationId, response.StatusCode, body, retryAfter) with
        {
            ResourceType = operation.ResourceType,
            ResourceId = operation.ResourceId,
        });
    }

    public static async Task<ErrorResponseBody?> TryReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxErrorBodyBytes];
                var length = 0;
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                return Parse(buffer.AsSpan(0, length));
            }
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>
    /// The error body of a response whose content the transport already buffered (error responses always are), read
    /// without consuming it; null when there is none or it is not JSON.
    /// </summary>
    public static ErrorResponseBody? TryParseBuffered(HttpResponseMessage response)
    {
        try
        {
            var body = response.Content.ReadAsStream();
            if (!body.CanSeek || body.Length == 0 || body.Length > MaxErrorBodyBytes)
            {
                return null;
            }

            var position = body.Position;
            body.Position = 0;
            var bytes = new byte[body.Length];
            body.ReadExactly(bytes);
            body.Position = position;
            return Parse(bytes);
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or NotSupportedException or ObjectDisposedException)
        {
            return null;
        }
    }

    public static ErrorResponseBody? Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, RoleMiningJsonContext.Default.ErrorResponseBody);
        }
        catch (JsonException)
        {
            // Not JSON (a gateway's HTML page, a truncated body): the status alone has to do.
            return null;
        }
    }

    public static SailPointErrorDetails ToDetails(string operationId, HttpStatusCode status, ErrorResponseBody? body, TimeSpan? retryAfter)
    {
        var messages = body?.Messages is { Count: > 0 } dtoMessages
            ? dtoMessages
            : FallbackMessages(body);

        return new SailPointErrorDetails
        {
            OperationId = operationId,
            Kind = SailPointErrorKind.Service,
            Status = status,
            DetailCode = body?.DetailCode,
            TrackingId = body?.TrackingId,
            Messages = messages,
            Causes = body?.Causes ?? [],
            RetryAfter = retryAfter,
        };
    }

    private static List<SailPointErrorMessage> FallbackMessages(ErrorResponseBody? body)
    {
        var messages = new List<SailPointErrorMessage>();
        if (body is null)
        {
            return messages;
        }

        if (!string.IsNullOrWhiteSpace(body.Message))
        {
            messages.Add(new SailPointErrorMessage { Text = body.Message.Trim() });
        }

        if (body.Error is { } error)
        {
            var text = error.ValueKind switch
            {
                JsonValueKind.String => TextOf(error),
                JsonValueKind.Object when error.TryGetProperty("message", out var nested) && nested.ValueKind == JsonValueKind.String => TextOf(nested),
                JsonValueKind.Undefined or JsonValueKind.Null => null,
                _ => error.GetRawText(),
            };
            if (!string.IsNullOrWhiteSpace(text))
            {
                messages.Add(new SailPointErrorMessage { Text = text.Trim() });
            }
        }

        if (!string.IsNullOrWhiteSpace(body.ErrorDescription))
        {
            messages.Add(new SailPointErrorMessage { Text = body.ErrorDescription.Trim() });
        }

        return messages;
    }

    /// <summary>
    /// The string, or its raw JSON decoded leniently when it is no text (an unpaired surrogate escape, bytes that are not
    /// UTF-8): the parser accepts those and only reading them as a .NET string throws, which would hide the error being
    /// reported.
    /// </summary>
    private static string TextOf(JsonElement value)
    {
        try
        {
            return value.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8Value(value));
        }
    }
}
