using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CsvHelper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using RoleMining.Api.Diagnostics;
using RoleMining.Api.Validation;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Serialization;
using RoleMining.Serialization;

namespace RoleMining.Api.Streaming;

/// <summary>
/// Writes the identities of a potential role as a JSON array or as CSV, page by page as SailPoint serves them: each page
/// is written and flushed before the next is fetched, so memory holds one page whatever the role's size, and the caller
/// sees data at once. The first page is fetched before this result runs (a failure there is still a proper problem
/// answer); a failure on a later page aborts the connection, so a cut-off stream is never mistaken for a complete one.
/// CSV columns are <c>id,name</c> and then the attribute names of the first page, in the order first seen; attributes that
/// appear only on later pages are not written (ISC gives every identity of a role the same attributes).
/// </summary>
internal sealed class IdentityStreamResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private const string JsonContentType = "application/json; charset=utf-8";
    private const string CsvContentType = "text/csv; charset=utf-8";

    private static readonly JsonTypeInfo<RoleMiningIdentity> IdentityTypeInfo =
        (JsonTypeInfo<RoleMiningIdentity>)RoleMiningJson.Options.GetTypeInfo(typeof(RoleMiningIdentity));

    private readonly Page<RoleMiningIdentity> _firstPage;
    private readonly IAsyncEnumerator<Page<RoleMiningIdentity>>? _followingPages;
    private readonly string _sessionId;
    private readonly string _potentialRoleId;
    private readonly bool _csv;
    private readonly ILogger _logger;

    /// <summary>Creates the result for a first page already fetched.</summary>
    /// <param name="firstPage">The first page.</param>
    /// <param name="followingPages">
    /// The enumerator that fetched <paramref name="firstPage"/>, to write every following page (<c>all=true</c>); null to
    /// write the first page only. The result disposes it.
    /// </param>
    /// <param name="sessionId">The session (for the log).</param>
    /// <param name="potentialRoleId">The potential role (for the log and the CSV file name).</param>
    /// <param name="mediaType"><see cref="ContentNegotiation.Json"/> or <see cref="ContentNegotiation.Csv"/>.</param>
    /// <param name="logger">Logs the outcome.</param>
    public IdentityStreamResult(
        Page<RoleMiningIdentity> firstPage,
        IAsyncEnumerator<Page<RoleMiningIdentity>>? followingPages,
        string sessionId,
        string potentialRoleId,
        string mediaType,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(firstPage);
        ArgumentNullException.ThrowIfNull(logger);
        _firstPage = firstPage;
        _followingPages = followingPages;
        _sessionId = sessionId;
        _potentialRoleId = potentialRoleId;
        _csv = string.Equals(mediaType, ContentNegotiation.Csv, StringComparison.Ordinal);
        _logger = logger;
    }

    /// <inheritdoc />
    public int? StatusCode => StatusCodes.Status200OK;

    /// <inheritdoc />
    public string ContentType => _csv ? CsvContentType : JsonContentType;

    /// <summary>The total the first page reported (<c>X-Total-Count</c>), if it was asked for.</summary>
    public int? TotalCount => _firstPage.TotalCount;

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        if (_firstPage.TotalCount is { } total)
        {
            response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        }

        if (_csv)
        {
            response.Headers.ContentDisposition = $"attachment; filename=\"identities-{_potentialRoleId}.csv\"";
        }

        // Response compression or other middleware must not hold the stream back.
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        IIdentityWriter writer = _csv ? new CsvIdentityWriter(response.BodyWriter, _firstPage.Values) : new JsonIdentityWriter(response.BodyWriter);
        await using var disposeWriter = writer.ConfigureAwait(false);
        long written = 0;
        var pages = 0;
        try
        {
            await writer.StartAsync(cancellationToken).ConfigureAwait(false);
            var page = _firstPage;
            while (true)
            {
                await writer.WritePageAsync(page.Values, cancellationToken).ConfigureAwait(false);
                written += page.Values.Count;
                pages++;
                if (_followingPages is null || !await _followingPages.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                page = _followingPages.Current;
            }

            await writer.EndAsync(cancellationToken).ConfigureAwait(false);
            Log.StreamCompleted(_logger, _sessionId, _potentialRoleId, written, _csv ? "csv" : "json", pages);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away; there is nobody to tell.
        }
#pragma warning disable CA1031 // The headers are sent: the only honest signal left is to abort, whatever went wrong.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.StreamFailed(_logger, _sessionId, _potentialRoleId, written, exception);
            httpContext.Abort();
        }
        finally
        {
            if (_followingPages is not null)
            {
                await _followingPages.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private interface IIdentityWriter : IAsyncDisposable
    {
        Task StartAsync(CancellationToken cancellationToken);

        Task WritePageAsync(IReadOnlyList<RoleMiningIdentity> identities, CancellationToken cancellationToken);

        Task EndAsync(CancellationToken cancellationToken);
    }

    /// <summary>A JSON array written with <see cref="Utf8JsonWriter"/> straight into the response pipe.</summary>
    private sealed class JsonIdentityWriter(System.IO.Pipelines.PipeWriter body) : IIdentityWriter
    {
        private readonly Utf8JsonWriter _writer = new(body, new JsonWriterOptions { SkipValidation = true });

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _writer.WriteStartArray();
            return Task.CompletedTask;
        }

        public async Task WritePageAsync(IReadOnlyList<RoleMiningIdentity> identities, CancellationToken cancellationToken)
        {
            foreach (var identity in identities)
            {
                JsonSerializer.Serialize(_writer, identity, IdentityTypeInfo);
            }

            _writer.Flush();
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task EndAsync(CancellationToken cancellationToken)
        {
            _writer.WriteEndArray();
            _writer.Flush();
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => _writer.DisposeAsync();
    }

    /// <summary>
    /// CSV written by CsvHelper into a per-page text buffer, then encoded into the response pipe: CsvHelper writes
    /// synchronously, and synchronous writes to the response are disallowed (and would block a thread on a slow client).
    /// </summary>
    private sealed class CsvIdentityWriter : IIdentityWriter
    {
        private static readonly CsvWriterOptions Options = CsvWriterDefaults.ForSpreadsheets;

        private readonly System.IO.Pipelines.PipeWriter _body;
        private readonly StringWriter _text = new(CultureInfo.InvariantCulture);
        private readonly CsvWriter _csv;
        private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
        private readonly string[] _attributes;

        public CsvIdentityWriter(System.IO.Pipelines.PipeWriter body, IReadOnlyList<RoleMiningIdentity> firstPage)
        {
            _body = body;
            _csv = CsvWriter.Create(_text, Options, leaveOpen: true);
            var names = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var identity in firstPage)
            {
                foreach (var name in identity.Attributes?.Keys ?? Enumerable.Empty<string>())
                {
                    if (seen.Add(name))
                    {
                        names.Add(name);
                    }
                }
            }

            _attributes = [.. names];
        }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _csv.WriteField("id");
            _csv.WriteField("name");
            foreach (var attribute in _attributes)
            {
                _csv.WriteField(attribute);
            }

            _csv.EndRecord();
            return Task.CompletedTask;
        }

        public Task WritePageAsync(IReadOnlyList<RoleMiningIdentity> identities, CancellationToken cancellationToken)
        {
            foreach (var identity in identities)
            {
                _csv.WriteField(identity.Id);
                _csv.WriteField(identity.Name);
                foreach (var attribute in _attributes)
                {
                    _csv.WriteField(identity.Attributes is { } values && values.TryGetValue(attribute, out var value) ? value : null);
                }

                _csv.EndRecord();
            }

            return SendAsync(cancellationToken);
        }

        public async Task EndAsync(CancellationToken cancellationToken)
        {
            await SendAsync(cancellationToken).ConfigureAwait(false);
            _encoder.Convert(ReadOnlySpan<char>.Empty, _body, flush: true, out var pending, out _);
            if (pending > 0)
            {
                await _body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _csv.DisposeAsync().ConfigureAwait(false);
            await _text.DisposeAsync().ConfigureAwait(false);
        }

        private async Task SendAsync(CancellationToken cancellationToken)
        {
            _csv.Flush();
            var buffer = _text.GetStringBuilder();
            foreach (var chunk in buffer.GetChunks())
            {
                _encoder.Convert(chunk.Span, _body, flush: false, out _, out _);
            }

            buffer.Clear();
            await _body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
