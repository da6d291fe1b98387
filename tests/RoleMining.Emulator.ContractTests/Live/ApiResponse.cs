using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace RoleMining.Emulator.ContractTests.Live;

/// <summary>A response read to the end, so tests can assert on it after the connection is gone.</summary>
public sealed record ApiResponse(string Request, HttpStatusCode Status, string? MediaType, byte[] Body, HttpResponseHeaders Headers)
{
    public int StatusCode => (int)Status;

    public string Text => Encoding.UTF8.GetString(Body);

    public JsonNode? Json => JsonNode.Parse(Body);

    /// <summary>Enough of the response to understand a failure (bodies here never hold secrets: the token endpoint is not described this way).</summary>
    public override string ToString()
    {
        var text = MediaType is "application/zip" ? $"<{Body.Length} bytes of zip>" : Text;
        return $"{Request} -> {StatusCode} {MediaType}: {(text.Length > 600 ? text[..600] + "..." : text)}";
    }
}
