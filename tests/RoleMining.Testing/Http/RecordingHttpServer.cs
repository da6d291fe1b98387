using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RoleMining.Testing.Http;

/// <summary>One request a <see cref="RecordingHttpServer"/> received: method, path, content type and body (gzip undone).</summary>
public sealed record RecordedRequest(string Method, string Path, string? ContentType, byte[] Body)
{
    /// <summary>Whether the body holds <paramref name="text"/> as UTF-8 (also inside protobuf, whose strings are UTF-8).</summary>
    public bool BodyContains(string text) => Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}

/// <summary>
/// A stand-in for a telemetry endpoint on a free loopback port (the Application Insights ingestion API, an OTLP
/// collector): answers every request with <see cref="ResponseBody"/> and keeps what it received.
/// </summary>
public sealed class RecordingHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Task _loop;

    public RecordingHttpServer(string responseBody = "", string responseContentType = "application/json")
    {
        ResponseBody = responseBody;
        ResponseContentType = responseContentType;
        Uri = new Uri($"http://127.0.0.1:{FreePort()}/");
        _listener.Prefixes.Add(Uri.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The server's base address, with a trailing slash.</summary>
    public Uri Uri { get; }

    public string ResponseBody { get; }

    public string ResponseContentType { get; }

    /// <summary>The requests received so far.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Waits until the requests received satisfy <paramref name="complete"/>; returns them.</summary>
    /// <exception cref="TimeoutException">They did not within <paramref name="within"/>.</exception>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForAsync(Func<IReadOnlyList<RecordedRequest>, bool> complete, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var requests = Requests;
            if (complete(requests))
            {
                return requests;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"The expected requests did not arrive within {within}; received: "
                    + string.Join(", ", requests.Select(request => $"{request.Method} {request.Path} ({request.Body.Length} bytes)")));
            }

            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var request = context.Request;
            Stream body = request.InputStream;
            if (string.Equals(request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
            {
                body = new GZipStream(body, CompressionMode.Decompress);
            }

            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer);
            lock (_requests)
            {
                _requests.Add(new RecordedRequest(request.HttpMethod, request.Url?.AbsolutePath ?? "/", request.ContentType, buffer.ToArray()));
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = ResponseContentType;
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(ResponseBody));
            context.Response.Close();
        }
    }
}
