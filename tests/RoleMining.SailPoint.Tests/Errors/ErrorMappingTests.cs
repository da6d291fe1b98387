using System.Net;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Errors;

public sealed class ErrorMappingTests
{
    [Fact]
    public async Task ErrorResponseDto_fields_arrive_in_the_exception()
    {
        const string body = """
            {"detailCode":"404 Not found","trackingId":"b7f2c1e0a9d84c3f","messages":[
              {"locale":"en-US","localeOrigin":"DEFAULT","text":"The role mining session was not found."},
              {"locale":"de","localeOrigin":"REQUEST","text":"Nicht gefunden."}],
             "causes":[{"locale":"en-US","localeOrigin":"DEFAULT","text":"No session with this id."}]}
            """;
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.NotFound, body)) };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionAsync("missing-session"));

        Assert.True(failure.IsNotFound);
        Assert.Equal(404, failure.StatusCode);
        Assert.Equal(SailPointErrorKind.Service, failure.Kind);
        Assert.Equal("getRoleMiningSession", failure.OperationId);
        Assert.Equal("RoleMiningSession", failure.ResourceType);
        Assert.Equal("missing-session", failure.ResourceId);
        Assert.Equal("404 Not found", failure.DetailCode);
        Assert.Equal("b7f2c1e0a9d84c3f", failure.TrackingId);
        Assert.Equal(["The role mining session was not found.", "Nicht gefunden."], failure.Messages.Select(message => message.Text));
        Assert.Equal("en-US", failure.Messages[0].Locale);
        Assert.Equal("DEFAULT", failure.Messages[0].LocaleOrigin);
        Assert.Equal("No session with this id.", Assert.Single(failure.Causes).Text);
        Assert.Contains("b7f2c1e0a9d84c3f", failure.Message, StringComparison.Ordinal);
        Assert.Contains("getRoleMiningSession", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_404_names_the_resource_the_operation_addressed()
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.NotFound, "{}")) };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetExportStatusAsync("s1", "p1", "export-9"));

        Assert.True(failure.IsNotFound);
        Assert.Equal("PotentialRoleExport", failure.ResourceType);
        Assert.Equal("export-9", failure.ResourceId);
        Assert.Equal("exportRoleMiningPotentialRoleStatus", failure.OperationId);
    }

    [Theory]
    [InlineData("""{"error":"Access denied"}""", "Access denied")]
    [InlineData("""{"error":{"message":"Gateway said no"}}""", "Gateway said no")]
    [InlineData("""{"message":" Rate Limit Exceeded "}""", "Rate Limit Exceeded")]
    public async Task The_other_error_bodies_of_ISC_are_read(string body, string expectedText)
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.Forbidden, body)) };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionAsync("s1"));

        Assert.Equal(expectedText, Assert.Single(failure.Messages).Text);
        Assert.Contains(expectedText, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"error":"denied \ud800"}""", "\\ud800")]
    [InlineData("""{"error":{"message":"\udc00 no"}}""", "\\udc00")]
    public async Task An_error_text_with_an_unpaired_surrogate_escape_is_kept_as_written_not_thrown(string body, string expectedPart)
    {
        // Valid to the parser, no .NET string: reading it threw InvalidOperationException in place of the SailPointException.
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.Forbidden, body)) };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionAsync("s1"));

        Assert.Equal(403, failure.StatusCode);
        Assert.Contains(expectedPart, Assert.Single(failure.Messages).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_leaves_the_status()
    {
        var handler = new StubHandler
        {
            Api = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent("<html>nope</html>") }),
        };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionAsync("s1"));

        Assert.Equal(HttpStatusCode.Forbidden, failure.Status);
        Assert.Empty(failure.Messages);
    }

    [Fact]
    public async Task A_success_body_that_is_not_the_expected_json_is_an_invalid_response()
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.OK, "[1,2,3]")) };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionAsync("s1"));

        Assert.Equal(SailPointErrorKind.InvalidResponse, failure.Kind);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(failure.InnerException);
    }

    [Fact]
    public async Task No_exception_carries_the_secret_or_the_token()
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.BadRequest, """{"detailCode":"400.1 Bad Request Content"}""")) };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(() => client.GetSessionAsync("s1"));

        var everything = failure.ToString();
        Assert.DoesNotContain(TestClients.Secret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("token-1", everything, StringComparison.Ordinal);
    }
}
