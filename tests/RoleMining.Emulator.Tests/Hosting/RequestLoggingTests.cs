using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RoleMining.Emulator.Tests.Infrastructure;

namespace RoleMining.Emulator.Tests.Hosting;

public class RequestLoggingTests
{
    [Fact]
    public async Task Each_request_is_one_line_with_method_path_status_time_and_client_and_no_secret_or_token()
    {
        var logs = new FakeLogCollector();
        const string secret = "s3cr3t-that-must-not-leak";
        await using var server = await Servers.StartAsync(o => o.ClientSecret = secret, logs: new FakeLoggerProvider(logs));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        // Credentials in the query string, as ISC allows: they must not reach the log either.
        using var tokenResponse = await http.PostAsync(new Uri($"oauth/token?grant_type=client_credentials&client_id={server.Options.ClientId}&client_secret={secret}", UriKind.Relative), null);
        using var client = await ApiClient.CreateAsync(server, ApiVersions.Beta, server.Options.ClientId, secret);
        using var ok = await client.GetAsync("role-mining-sessions?limit=1&filters=" + Uri.EscapeDataString("saved eq true"));
        using var notFound = await client.GetAsync("role-mining-sessions/nope");
        using var wrongSecret = await http.PostAsync(new Uri("oauth/token", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = server.Options.ClientId,
            ["client_secret"] = secret + "-wrong",
        }));

        var entries = logs.GetSnapshot();
        var allText = string.Join('\n', entries.Select(entry => $"{entry.Category} {entry.Level} {entry.Message} {entry.Exception}"));
        var requestLines = entries.Where(e => e.Category?.EndsWith("RequestTrackingMiddleware", StringComparison.Ordinal) == true).Select(e => e.Message).ToList();
        Assert.Contains(requestLines, line => line.StartsWith("GET /beta/role-mining-sessions 200 ", StringComparison.Ordinal) && line.EndsWith($"client={server.Options.ClientId}", StringComparison.Ordinal));
        Assert.Contains(requestLines, line => line.StartsWith("GET /beta/role-mining-sessions/nope 404 ", StringComparison.Ordinal));
        Assert.Contains(requestLines, line => line.StartsWith("POST /oauth/token 200 ", StringComparison.Ordinal));
        Assert.Contains(requestLines, line => line.StartsWith("POST /oauth/token 401 ", StringComparison.Ordinal));
        Assert.All(requestLines, line => Assert.DoesNotContain('\n', line));
        Assert.All(requestLines, line => Assert.Matches(@" \d+\.\d ms client=", line));
        Assert.DoesNotContain(secret, allText, StringComparison.Ordinal);
        Assert.DoesNotContain(client.AccessToken!, allText, StringComparison.Ordinal);
        Assert.DoesNotContain("client_secret", allText, StringComparison.Ordinal);
        Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Error);
    }
}
