using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using RoleMining.Api.Problems;
using RoleMining.Api.Validation;
using RoleMining.Exports;

namespace RoleMining.Api.Exports;

/// <summary>
/// Reads the optional body of an export request, <c>{"minEntitlementPopularity": 0..100, "includeCommonAccess": bool,
/// "callback": "name"}</c>, strictly: JSON only, at most <see cref="MaxBodyBytes"/>, an object with those properties and
/// nothing else, each of its type; a callback only by the name of one the operator configured. An empty body means SailPoint's defaults. Read by hand with <see cref="JsonDocument"/> rather than deserialised,
/// so that each problem names its property.
/// </summary>
public static class ExportRequestBodyReader
{
    /// <summary>The largest body accepted (64 KB); an export request is a few dozen bytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The <c>errors</c> key of problems with the body as a whole.</summary>
    public const string BodyField = "body";

    /// <summary>The property with the minimum popularity.</summary>
    public const string MinEntitlementPopularityProperty = "minEntitlementPopularity";

    /// <summary>The property that keeps or drops common access.</summary>
    public const string IncludeCommonAccessProperty = "includeCommonAccess";

    /// <summary>The property that names a configured completion callback.</summary>
    public const string CallbackProperty = "callback";

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    /// <summary>The export options of a body without a callback, or the problem to answer with.</summary>
    public static async Task<(ExportRequestOptions? Options, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (options, _, problem) = await ReadAsync(request, [], cancellationToken).ConfigureAwait(false);
        return (options, problem);
    }

    /// <summary>
    /// The export options and the callback name (one of <paramref name="callbacks"/>), or the problem to answer with (400,
    /// or 415 for a body that is not JSON).
    /// </summary>
    public static async Task<(ExportRequestOptions? Options, string? Callback, IResult? Problem)> ReadAsync(HttpRequest request, IReadOnlyCollection<string> callbacks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(callbacks);
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, null, TooLarge(request));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var length = 0;
            try
            {
                int read;
                while (length <= MaxBodyBytes
                    && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBodyBytes + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }
            catch (BadHttpRequestException exception)
            {
                // The server could not read the body as HTTP frames it (a bad chunk size, a body shorter than its
                // Content-Length, the server's own size limit): the caller's request, not an error of ours.
                return (null, null, Unreadable(request, exception));
            }

            if (length > MaxBodyBytes)
            {
                return (null, null, TooLarge(request));
            }

            var body = buffer.AsMemory(0, length);
            if (IsBlank(body.Span))
            {
                return (ExportRequestOptions.Default, null, null);
            }

            if (!IsJsonContentType(request.ContentType))
            {
                return (null, null, ApiProblems.Problem(
                    request,
                    StatusCodes.Status415UnsupportedMediaType,
                    "The body must be JSON.",
                    $"Send the body as UTF-8 with 'Content-Type: application/json' (it was '{request.ContentType ?? "missing"}')."));
            }

            return Parse(request, body, callbacks);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static (ExportRequestOptions? Options, string? Callback, IResult? Problem) Parse(HttpRequest request, ReadOnlyMemory<byte> body, IReadOnlyCollection<string> callbacks)
    {
        var errors = new RequestErrors();
        // A UTF-8 byte-order mark (Windows PowerShell 5.1 writes one) may precede JSON text (RFC 8259 lets a parser ignore it).
        var json = body.Span.StartsWith(Utf8ByteOrderMark) ? body[Utf8ByteOrderMark.Length..] : body;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException exception)
        {
            errors.Add(BodyField, "The body is not valid JSON: " + exception.Message);
            return (null, null, ApiProblems.Validation(request, errors));
        }

        using (document)
        {
            if (FindUndecodableString(json.Span) is { } undecodable)
            {
                errors.Add(undecodable.Field, undecodable.Message);
                return (null, null, ApiProblems.Validation(request, errors));
            }

            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(BodyField, $"The body must be a JSON object, not {Describe(root.ValueKind)}.");
                return (null, null, ApiProblems.Validation(request, errors));
            }

            int? minPopularity = null;
            bool? includeCommonAccess = null;
            string? callback = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    errors.Add(FieldOf(property.Name), $"'{property.Name}' is given twice.");
                    continue;
                }

                var value = property.Value;
                switch (property.Name)
                {
                    case MinEntitlementPopularityProperty:
                        if (value.ValueKind == JsonValueKind.Null)
                        {
                            break;
                        }

                        // 50.0 and 5e1 are 50: some callers (Power Automate expressions, PowerShell) write whole numbers so.
                        // Whole as a decimal and as a double: a decimal keeps 28 digits (50.0000000000000001 is no whole
                        // number) but rounds 1e-30 to 0; a double keeps the tiny fraction but only about 16 digits.
                        if (value.ValueKind != JsonValueKind.Number
                            || !value.TryGetDecimal(out var exact) || exact != decimal.Truncate(exact)
                            || !value.TryGetDouble(out var popularity) || popularity != Math.Truncate(popularity))
                        {
                            var given = value.ValueKind == JsonValueKind.Number ? "a number with a fraction or out of range" : Describe(value.ValueKind);
                            errors.Add(property.Name, $"'{property.Name}' must be a whole number from 0 to 100, not {given}.");
                        }
                        else if (popularity is < 0 or > 100)
                        {
                            errors.Add(property.Name, $"'{property.Name}' is a percentage: 0 to 100 (it was {popularity.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
                        }
                        else
                        {
                            minPopularity = (int)popularity;
                        }

                        break;
                    case IncludeCommonAccessProperty:
                        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        {
                            includeCommonAccess = value.GetBoolean();
                        }
                        else if (value.ValueKind != JsonValueKind.Null)
                        {
                            errors.Add(property.Name, $"'{property.Name}' must be true or false, not {Describe(value.ValueKind)}.");
                        }

                        break;
                    case CallbackProperty:
                        callback = ReadCallback(value, callbacks, errors);
                        break;
                    default:
                        errors.Add(FieldOf(property.Name), $"Unknown property '{property.Name}'; the body takes '{MinEntitlementPopularityProperty}', '{IncludeCommonAccessProperty}' and '{CallbackProperty}'.");
                        break;
                }
            }

            if (errors.Any)
            {
                return (null, null, ApiProblems.Validation(request, errors));
            }

            return (new ExportRequestOptions { MinEntitlementPopularity = minPopularity, IncludeCommonAccess = includeCommonAccess }, callback, null);
        }
    }

    /// <summary>
    /// The first string or property name of the (well-formed) JSON that is no text: an escaped lone surrogate
    /// (<c>"\ud800"</c>) or bytes that are not UTF-8. The parser accepts both and only reading the string as .NET text
    /// throws, so they are found here, before any property is read, to be a 400 naming the field rather than a 500.
    /// </summary>
    private static (string Field, string Message)? FindUndecodableString(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
        string? property = null;
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.String))
            {
                continue;
            }

            try
            {
                var text = reader.GetString();
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    property = text;
                }
            }
            catch (InvalidOperationException)
            {
                var where = reader.TokenType == JsonTokenType.PropertyName ? "a property name" : "a string";
                return (reader.TokenType == JsonTokenType.String && reader.CurrentDepth == 1 && property is not null ? FieldOf(property) : BodyField,
                    $"The body is not valid JSON text: {where} at byte {reader.TokenStartIndex:N0} holds an unpaired UTF-16 surrogate escape (\\uD800 to \\uDFFF) or bytes that are not UTF-8.");
            }
        }

        return null;
    }

    /// <summary>The configured callback <paramref name="value"/> names (case as configured); an error for anything else, a URL included.</summary>
    private static string? ReadCallback(JsonElement value, IReadOnlyCollection<string> callbacks, RequestErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var name = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var configured = callbacks.FirstOrDefault(candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase));
        if (configured is not null)
        {
            return configured;
        }

        errors.Add(CallbackProperty, callbacks.Count == 0
            ? "No completion callback is configured on this deployment (RoleMining:Api:Callbacks); leave out 'callback' and poll the job."
            : $"'{CallbackProperty}' must name a callback the operator configured ({string.Join(", ", callbacks.Order(StringComparer.Ordinal))}); URLs and credentials are never taken from a request.");
        return null;
    }

    // A property named "" still needs an errors key.
    private static string FieldOf(string propertyName) => propertyName.Length == 0 ? BodyField : propertyName;

    private static IResult Unreadable(HttpRequest request, BadHttpRequestException exception) =>
        exception.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? TooLarge(request)
            : ApiProblems.Validation(request, BodyField, "The body could not be read: " + exception.Message);

    private static IResult TooLarge(HttpRequest request) =>
        ApiProblems.Validation(request, BodyField, $"The body must be at most {MaxBodyBytes} bytes.");

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private static bool IsBlank(ReadOnlySpan<byte> body) => body.Trim(" \t\r\n"u8).IsEmpty;

    private static bool IsJsonContentType(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        // The body is read as UTF-8 (as RFC 8259 requires of JSON between systems): a body declared in another charset
        // would be misread, so it is refused rather than guessed at. US-ASCII is UTF-8's first 128 characters.
        return (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
            && (!mediaType.Charset.HasValue || ContentNegotiation.IsUtf8(mediaType.Charset)
                || HeaderUtilities.RemoveQuotes(mediaType.Charset).Equals("us-ascii", StringComparison.OrdinalIgnoreCase));
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}
