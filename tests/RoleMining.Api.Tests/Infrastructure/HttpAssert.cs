using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RoleMining.Api.Tests.Infrastructure;

internal static class HttpAssert
{
    /// <summary>Asserts the status, then returns the body as JSON.</summary>
    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!;
    }

    /// <summary>Asserts an RFC 9457 problem with <paramref name="expected"/> status and returns it.</summary>
    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)expected, (int?)problem["status"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]));
        return problem;
    }

    public static string[] Strings(JsonNode? array, string property) =>
        [.. array!.AsArray().Select(item => (string)item![property]!)];

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
