using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace RoleMining.SailPoint.Tests.Infrastructure;

/// <summary>One request as the stub saw it.</summary>
internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, string? Experimental, string? Body, long Timestamp)
{
    /// <summary>The body's Content-Length as the client would send it; null means a chunked body.</summary>
    public long? ContentLength { get; init; }

    /// <summary>The body's Content-Type.</summary>
    public string? ContentType { get; init; }

    public string PathAndQuery => Uri.PathAndQuery;
}

/// <summary>
/// An in-memory ISC: <c>/oauth/token</c> issues numbered tokens; every other request goes to <see cref="Api"/>, which
/// gets the request and its zero-based index among API calls. Records every request for assertions.
/// </summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private int _apiCalls;
    private int _tokenCalls;

    public Func<HttpRequestMessage, int, Task<HttpResponseMessage>> Api { get; set; } =
        (_, _) => Task.FromResult(Json(HttpStatusCode.OK, "{}"));

    /// <summary>The token endpoint; by default issues <c>token-N</c> valid for an hour.</summary>
    public Func<HttpRequestMessage, int, Task<HttpResponseMessage>> Token { get; set; }

    /// <summary>The clock of the recorded requests' timestamps (the client's, when it runs on a fake one).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public ConcurrentQueue<RecordedRequest> ApiRequests { get; } = new();

    public ConcurrentQueue<RecordedRequest> TokenRequests { get; } = new();

    public int ApiCalls => Volatile.Read(ref _apiCalls);

    public int TokenCalls => Volatile.Read(ref _tokenCalls);

    public StubHandler() => Token = (_, index) => Task.FromResult(TokenResponse($"token-{index + 1}", 3600));

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage TokenResponse(string token, int expiresIn) =>
        Json(HttpStatusCode.OK, $$"""{"access_token":"{{token}}","token_type":"bearer","expires_in":{{expiresIn}}}""");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Read before the body: a content that cannot tell its length is sent chunked.
        var contentLength = request.Content?.Headers.ContentLength;
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("X-SailPoint-Experimental", out var values) ? string.Join(",", values) : null,
            body,
            Clock.GetTimestamp())
        {
            ContentLength = contentLength,
            ContentType = request.Content?.Headers.ContentType?.ToString(),
        };

        if (request.RequestUri!.AbsolutePath.EndsWith("/oauth/token", StringComparison.Ordinal))
        {
            TokenRequests.Enqueue(recorded);
            var tokenIndex = Interlocked.Increment(ref _tokenCalls) - 1;
            return await Token(request, tokenIndex).WaitAsync(cancellationToken);
        }

        ApiRequests.Enqueue(recorded);
        var index = Interlocked.Increment(ref _apiCalls) - 1;
        var response = await Api(request, index).WaitAsync(cancellationToken);
        response.RequestMessage = request;
        return response;
    }
}
