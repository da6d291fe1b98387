using System.Net;
using System.Text.Json;

namespace RoleMining.Emulator.Tests.Infrastructure;

internal static class ErrorAssert
{
    /// <summary>Asserts an <c>ErrorResponseDto</c> with <paramref name="status"/> and returns its first message text.</summary>
    public static async Task<string> IsErrorResponseAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.StartsWith(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), root.GetProperty("detailCode").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", root.GetProperty("trackingId").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("causes").ValueKind);
        var message = Assert.Single(root.GetProperty("messages").EnumerateArray());
        Assert.Equal("en-US", message.GetProperty("locale").GetString());
        Assert.Equal("DEFAULT", message.GetProperty("localeOrigin").GetString());
        var messageText = message.GetProperty("text").GetString();
        Assert.False(string.IsNullOrWhiteSpace(messageText));
        return messageText!;
    }
}
